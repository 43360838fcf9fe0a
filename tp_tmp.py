import sys
from tests.conftest import extract_text
for t in sys.argv[1:]:
    e = extract_text("Sweden Country Drug Report 2030\n\n" + t)
    print("--", t[:90])
    for p in e.plans: print("   plan", p.kind, p.start_year, p.end_year, p.prov.rule, "|", p.title)
    for v in e.events: print("   event", v.event, v.service, v.year, v.prov.rule)
    for f in e.facts: print("   fact", f.indicator, f.year, f.value, f.prov.rule)
    for s in e.services: print("   svc", s.service, s.status, s.prov.rule)
