"""Facts: a figure, the indicator it counts, its year and its hedge.

A figure becomes a fact only when the noun it counts (right after it, or "the number of
<noun>" earlier in the sentence) maps to an indicator, directly or through the service it is
about. Anything else stays in the mention layer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache

from pipeline.extract.match import Hit, SentenceFinds
from pipeline.extract.numbers import Figure, TimeRef
from pipeline.link.context import (
    Context,
    anaphoric_services,
    chunk_of,
    clause_of,
    earlier_services,
    provenance,
    region,
    services,
    statement_country,
)
from pipeline.link.figure_years import fact_year
from pipeline.link.indicators import (
    CASES,
    DEATHS,
    ENTRANTS,
    PEOPLE,
    SYRINGES,
    implausible,
    label_indicator,
    noun_class,
    standalone_indicator,
)
from pipeline.types import Fact
from pipeline.vocab import load, phrases_regex

# "… up from 29,100 the year before", "two years earlier", "a decade earlier"
_YEARS_BEFORE = re.compile(r"\s+(?:the\s+year\s+before|the\s+previous\s+year|a\s+year\s+(?:earlier|"
                           r"before)|(\w+)\s+years\s+(?:earlier|before)|a\s+(decade)\s+"
                           r"(?:earlier|before))\b", re.I)
_CLOSURES = "|".join(re.escape(v) for v in sorted(load("cues")["closure_verbs"], key=len,
                                                   reverse=True))
_THEY_CLOSED = re.compile(r"^[^.;]*?,?\s+and\s+(?:those|these|they|all of them|both)\b[^.;]{0,30}?"
                          rf"\b(?:have|had|were|was)?\s*(?:been\s+)?(?:{_CLOSURES})\b", re.I)
_WAITING = re.compile(r"\bwaiting\s+(?:lists?|times?)\b", re.I)
# "253 outlets, 168 of them community pharmacies", "44 of the 232 … cases"
_OF_THEM = re.compile(r"\s+of\s+(?:them|these|those|which|the(?:\s+\d[\d ,.]*\d|\s+\d)?)\s+"
                      r"(?=[a-zA-Z])", re.I)
# "44 of the 232 newly reported HIV cases": 232 is the whole the part is counted from.
# Where a part of the figure before starts: ", of whom …", ", 12 of them …", ", including …".
_PART_MARKER = re.compile(r",\s*(?:of\s+(?:whom|which|them|these)|including|among\s+(?:them|whom|"
                          r"which|these)|\S+\s+of\s+(?:them|whom|which|these))\b", re.I)
# "Of the 234 new HIV diagnoses, …": a figure that opens the sentence as the whole of a part.
_WHOLE_LEAD = re.compile(r"\W*of\s+(?:the|these|those|all(?:\s+the)?)\s+$", re.I)
_WHOLE_OF_PART = re.compile(r"(?:\d|\b[a-z]+)\s+of\s+the\s+$", re.I)


def _counts_closures(sf: SentenceFinds, fig: Figure) -> bool:
    """"two programmes were closed in 2014" (in the figure's clause), "… approval for three
    programs, and those have closed" (in a clause joined to it)."""
    rest = sf.text[fig.end - sf.sentence.start :]
    own = rest[: clause_of(sf, fig.start)[1] - fig.end]
    return bool(_CLOSED.search(own) or _THEY_CLOSED.search(rest))


def _counts_waiting_list(lead: str) -> bool:
    """"The waiting list for OST, which had exceeded 5 000 people": the figure counts the
    list; not "To cut the waiting lists, the number of OST units rose to 63"."""
    found = list(_WAITING.finditer(lead))
    return bool(found) and not re.search(r"[,;]\s+the\b", lead[found[-1].end():], re.I)


def _whole_of_part(lead: str) -> bool:
    """'44 of the 232 newly reported cases': the whole a part is counted from, not a fact
    of its own."""
    # The pattern ends in "the" and blanks: a cheap pre-check before the end-anchored search.
    m = _WHOLE_OF_PART.search(lead) if lead.rstrip()[-3:].lower() == "the" else None
    if not m:
        return False
    # Only after a figure in digits: "one of the 64 centres" names the whole as a count.
    return lead[m.start() : m.end()].split()[0][-1].isdigit()
# Words that end the noun phrase after a figure.
_NP_STOP = re.compile(
    r"\b(?:of|for|with|in|at|on|across|to|from|by|per|who|which|that|were|was|are|is|have|has|"
    r"had|and|or|but|than|as|during|since|under|over|between|through|within|into|without|"
    r"operating|offering|providing|used|use|received|reached|served|signed|will|would|can)\b"
    r"|[,;:.)\]]"
)
_ENTERED = re.compile(
    r"\s+(?:\w+\s+)?(entered|started)\s+(?:a\s+(?:new\s+)?)?(?:drug\s+|specialised\s+)?"
    r"treatment", re.I
)
_ENTERING = re.compile(r"\s+(?:who\s+)?(?:entered|entering|started|starting|began|"
                       r"(?:were|was)\s+(?:\w+\s+)?admitted)\b", re.I)
_RETURNED = re.compile(
    r"\s+(?:\w+\s+){0,2}(?:returned|collected|recovered|disposed|found)\b", re.I
)
# "five cities hope to open rooms": what they want, not what exists.
_HOPED = re.compile(r"\s*(?:[\w-]+\s+){0,3}?(?:hope|hopes|hoping|want|wants|wish|wishes|seek|seeks|"
                    r"are\s+seeking|are\s+hoping)\s+to\b", re.I)
_FORECAST = re.compile(r"\b(?:predict\w*|project(?:ed|ion|ions)|forecast\w*)\b", re.I)
_AWAITING = re.compile(r"^\s+(?:[\w-]+\s+){0,12}?(?:(?:were|was)\s+)?(?:still\s+)?"
                       r"(?:awaiting|waiting\s+for|on\s+(?:a|the)\s+waiting\s+list)\b", re.I)
# A hedge right before a figure (the words; cues.yaml qualifiers name its code).
_HEDGE = (r"(?:(?:more|less|fewer) than\s+|approximately\s+|around\s+|about\s+|some\s+|"
          r"over\s+|under\s+|nearly\s+|almost\s+)?")
# A population estimate is stated as one; people "registered", "treated" use a service.
_ESTIMATE_CUE = phrases_regex(tuple(load("indicators")["estimate_cues"]))
_USING = re.compile(r"\s+(?:were\s+|was\s+)?(?:registered|treated|reached|receiving|received|"
                    r"served|enrolled|in treatment|in contact)\b", re.I)
# "… reached around 3 900 people …": the people use a service; they are not an estimate.
_USED_BY = re.compile(rf"\b(?:reached|reaching|served|serving|treated|in contact with|"
                      rf"registered|supported|enrolled)\s+{_HEDGE}(?:an\s+estimated\s+)?$", re.I)
_TREATED = re.compile(r"\s+(?:were|was)\s+(?:\w+\s+)?treated\b", re.I)
_DIED = re.compile(r"\s+(?:\w+\s+){0,2}?(?:have\s+|had\s+)?(?:died|lost their lives)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|is to|are to|(?:is|are) expected to|"
                     r"(?:plans?|aims?|intends?) "
                     r"to|(?:is|are) (?:planned|scheduled|due) to)\s+(?:\w+\s+)?(?:open|create|"
                     r"establish|launch|set up|add|reach|increase|expand|bring|provide|build|"
                     r"fund|distribute)\b", re.I)
# "two new sites will open next year", "1 200 clients will be treated": the figure's own
# predicate is in the future.
_FUTURE_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,8}?(?:will|shall|(?:is|are)\s+to|"
                           r"(?:is|are)\s+(?:expected|planned|scheduled|due)\s+to)\b", re.I)
_OTHER_SUBJECT = re.compile(r"\b(?:treatment|care|therapy)\b", re.I)
# "… patients were receiving it": the object pronoun stands for a service named before.
_IN_CARE = re.compile(r"\b(?:in treatment|in care|were treated|receiving|enrolled|registered)\b",
                      re.I)
_PRONOUN = re.compile(r"\b(?:receiv\w*|us(?:e|es|ed|ing)|attend\w*|access\w*|join\w*|"
                      r"enrol\w*|start\w*|benefit\w* from)\s+(?:it|them|this service|"
                      r"these services)\b", re.I)
_CLOSED = re.compile(rf"^\s+(?:[\w-]+\s+){{0,8}}?(?:{_CLOSURES})\b|"
                     rf"\b(?:were|was|have been|had been)\s+(?:\w+\s+)?(?:{_CLOSURES})\b",
                     re.I)
# "…, of whom 1 234 …": a part of the group counted just before.
_SUBSET = re.compile(rf"\b(?:of whom|of which|including|among them)\s+{_HEDGE}$", re.I)
# "… compared with 2.9 million in 2012", "from 170 in 2012 to 39 in 2017": the same measure.
_SAME_MEASURE = re.compile(
    r"\b(?:compared (?:with|to)|(?:up|down) from|from|to|and|versus|against)\s+"
    rf"(?:(?:a|the|peak|level|high|low|of|total)\s+)*{_HEDGE}$"
    # "… rose to 37 in 2018 and numbered 30 in 2019", "Serbia reported 91 deaths and
    # Croatia 85": the same measure after a linking verb, or for another named place.
    # "50 clients at the end of 1993; 2 000 at the end of 1995; at the end of 1997 there
    # were 50 000": items of a list of the same measure at other times.
    rf"|;\s+{_HEDGE}$|\b\d{{4}},?\s+there\s+(?:were|was)\s+{_HEDGE}$"
    r"|\b(?:and|but|while|whereas)\s+(?:in\s+\d{4},?\s+)?(?:there\s+(?:were|was)\s+|"
    r"(?:numbered|totall?ed|stood at|reached|amounted to|"
    r"was|were|rose to|fell to|increased to|decreased to|dropped to|grew to)\s+"
    rf"|(?-i:[A-Z][\w-]+\s+){{1,3}}(?:(?:had|has|reported|recorded|counted)\s+)?){_HEDGE}$",
    re.I,
)


@dataclass(frozen=True)
class Counted:
    noun_class: str
    noun: Hit
    via_number_of: bool = False  # found as "the number of <noun>" before the figure


def figure_phrase_end(sf: SentenceFinds, fig: Figure) -> int:
    """End of the noun phrase that follows a figure (absolute offset)."""
    base = sf.sentence.start
    rest = sf.text[fig.end - base :]
    rest_start = 0
    if fig.parenthesised and rest.startswith(")"):
        rest_start = 1
    of_them = _OF_THEM.match(rest)
    if of_them:  # "253 outlets, 168 of them community pharmacies"
        rest_start = of_them.end()
    m = _NP_STOP.search(rest, rest_start)
    if m and m.group(0) in ("and", "or") and not [
        h for h in sf.of("noun") if fig.end <= h.start < fig.end + m.start()
    ]:
        m = _NP_STOP.search(rest, m.end())  # "13 public and private units"
    limit = m.start() if m else len(rest)
    return fig.end + min(limit, 60)


def counted_noun(sf: SentenceFinds, fig: Figure) -> Counted | None:
    """The counted noun right after the figure, or None (blocked nouns win)."""
    np_end = figure_phrase_end(sf, fig)
    gap_end = fig.end + 2 if fig.parenthesised else fig.end
    of_them = _OF_THEM.match(sf.text[fig.end - sf.sentence.start :])
    if of_them:
        gap_end = fig.end + of_them.end()
    nouns = [h for h in sf.of("noun") if gap_end <= h.start < max(np_end, gap_end + 1)]
    blocked = [h for h in sf.of("blocked_noun") if gap_end <= h.start < max(np_end, gap_end + 1)]
    if not nouns:
        return None
    noun = min(nouns, key=lambda h: h.start)  # the first noun after the figure
    if any(b.start <= noun.start and b.end >= noun.start for b in blocked):
        return None
    if any(b.start < noun.start for b in blocked):
        return None
    return Counted(noun.code, noun)


def _same_size(facts: list[Fact], fig: Figure) -> Fact | None:
    """Of the sentence's facts so far, the one whose value is closest in size to the figure:
    "4.3 million syringes … to 13 000 clients, up from 3.1 million" compares syringes."""
    sized = [f for f in facts if f.value > 0]
    if not sized or fig.value <= 0:
        return None
    return min(reversed(sized), key=lambda f: abs(math.log10(f.value) - math.log10(fig.value)))


def _year_of(fact: Fact) -> TimeRef | None:
    if fact.year is None:
        return None
    return TimeRef(fact.prov.start_char, fact.prov.end_char, fact.year,
                   fact.period_start, kind="range" if fact.period_start else "year")


def _own_specific_service(ctx: Context, fig: Figure) -> bool:
    """Does the figure's chunk name a service of its own (other than treatment in general)?"""
    chunk = chunk_of(ctx.sf, fig.start)
    return any(chunk[0] <= s.start < chunk[1] and s.code != "drug_treatment"
               for s in services(ctx.sf))


def _entering_without_noun(sf: SentenceFinds, fig: Figure) -> Counted | None:
    """'approximately 2 600 entered treatment': the people are implied by the verb."""
    base = sf.sentence.start
    rest = sf.text[fig.end - base :]
    of_them = re.match(r"\s+of\s+(?:them|these|whom)\b", rest, re.I)
    skip = of_them.end() if of_them else 0
    m = _ENTERED.match(rest, skip)
    if not m:
        return None
    verb = Hit("noun", ENTRANTS, fig.end + m.start(1), fig.end + m.end(1), m.group(1))
    return Counted(ENTRANTS, verb)


@cache
def _implied_nouns() -> tuple[re.Pattern[str], dict[str, str]]:
    by_phrase = {p.lower(): cls for cls, ps in load("indicators")["implied_nouns"].items()
                 for p in ps}
    alternation = "|".join(re.escape(p) for p in sorted(by_phrase, key=len, reverse=True))
    # "1 210 were poisonings", "2 940 (61%) were due to poisoning"
    rx = re.compile(rf"^\s*(?:\([^()]{{0,30}}\))?\s+(?:of\s+(?:them|these|whom)\s+)?"
                    rf"({alternation})\b", re.I)
    return rx, by_phrase


def implied_noun(sf: SentenceFinds, fig: Figure) -> Counted | None:
    """'1 210 were poisonings', '35 were accessing methadone programmes': no noun follows the
    figure, its predicate says what it counts (`indicators.yaml` implied_nouns)."""
    rx, by_phrase = _implied_nouns()
    m = rx.match(sf.text[fig.end - sf.sentence.start :])
    if not m:
        return None
    cls = noun_class(by_phrase[m.group(1).lower()])
    return Counted(cls, Hit("noun", cls, fig.end + m.start(1), fig.end + m.end(1), m.group(1)))


def blocked_after(sf: SentenceFinds, fig: Figure) -> bool:
    """'three further regions', '16 Länder': the figure counts something outside the list."""
    np_end = figure_phrase_end(sf, fig)
    nouns = [h for h in sf.of("noun") if fig.end <= h.start < np_end]
    blocked = [h for h in sf.of("blocked_noun") if fig.end <= h.start < np_end]
    return bool(blocked) and (not nouns or blocked[0].start <= nouns[0].start)


def number_of_noun(sf: SentenceFinds, fig: Figure) -> Counted | None:
    """'the number of syringes … from 1.7 million to 6 million' → syringes (same clause)."""
    base = sf.sentence.start
    clause_start = clause_of(sf, fig.start)[0]
    before = sf.text[clause_start - base : fig.start - base]
    found = list(re.finditer(r"\bnumber of\s+", before, re.I))
    if not found:
        return None
    m = found[-1]
    pos = clause_start + m.end()
    nouns = [h for h in sf.of("noun") if pos <= h.start < pos + 40]
    return Counted(nouns[0].code, nouns[0], via_number_of=True) if nouns else None


_DIGIT_OR_YEAR = re.compile(r"\d")
_LINKING = re.compile(
    r"(?:\s+(?:attributed|related|due|among|in|of|for|to|with|from|by|injecting|drug|use|"
    r"people|who|inject|drugs|pwid|the|a|(?-i:[A-Z][\w-]+))){0,7}?"
    r"(?:,?\s+(?:which\s+(?:was|is)\s+)?estimated\s+at\s+(?:about|around|approximately|some|"
    r"over|more\s+than|nearly|almost|roughly)?\s*$|"
    # "Drug-induced deaths have increased in recent years, rising from 148 in 2012 …"
    r"\s+(?:have|has)\s+(?:increased|decreased|risen|fallen|grown|declined|dropped)"
    r"(?:\s+[\w-]+){0,5},\s+(?:rising|falling|increasing|decreasing|growing|declining|dropping)"
    r"\s+from\s+$|"
    r"(?:\s+(?:was|were|totall?ed|amounted to|reached|stood at|numbered|rose to|fell to|exceeded|"
    r"increased to|decreased to|came to|(?:fell|rose|increased|decreased|declined|dropped|grew|"
    r"went) from))\s+(?:(?:estimated\s+at|about|around|approximately|some|over|more\s+than|"
    r"less\s+than|fewer\s+than|nearly|almost|roughly|a\s+total\s+of)\s+)?$)",
    re.I,
)


def noun_before(sf: SentenceFinds, fig: Figure) -> Counted | None:
    """'drug-induced deaths totalled 112', 'the clients were about 3 000' → the noun before."""
    base = sf.sentence.start
    clause_start = clause_of(sf, fig.start)[0]
    for noun in reversed(sf.of("noun")):
        if clause_start <= noun.start and noun.end <= fig.start:
            gap = sf.text[noun.end - base : fig.start - base]
            if _LINKING.match(gap) and not _DIGIT_OR_YEAR.search(gap):
                return Counted(noun.code, noun, via_number_of=True)
            return None
    return None


def qualifier(sf: SentenceFinds, fig: Figure) -> str:
    """The hedge of a figure: read by the number grammar ("~ 2 000", "50 or more"), else the
    cue phrase right before it ("no more than 50"); a range without a hedge is `range`
    (a hedged range, "approximately 2 000-2 500", keeps its hedge and its `value_high`)."""
    if fig.qualifier is not None:
        return fig.qualifier
    base = sf.sentence.start
    lead_end = base + len(sf.text[: fig.start - base].rstrip("( "))
    for h in sf.of("qualifier"):
        if h.end == lead_end and h.code != "exact":
            return h.code
    return "range" if fig.value_high is not None else "exact"


def blocked_before(sf: SentenceFinds, fig: Figure) -> bool:
    """'every 100 syringes', 'an average of 360', 'seven out of nine' are not counts."""
    base = sf.sentence.start
    lead = sf.text[max(0, fig.start - base - 30) : fig.start - base].lower()
    blockers = phrases_regex(tuple(load("cues")["figure_blockers_before"]),
                             after=r"\s+(?:\w+\s+)?$")
    if blockers.search(lead):
        return True
    after = sf.text[fig.end - base : fig.end - base + 40].lower()
    # "per PWID", "per 100 000" are rates; "3 000 per year" is an annual count
    return bool(re.match(r"\s*(?:out of|per cent of|last|latter|former|per(?! year| annum))\b",
                         after))


def ratio_after(sf: SentenceFinds, counted: Counted) -> bool:
    base = sf.sentence.start
    tail = sf.text[counted.noun.end - base :].lower()
    # "1 500 patients per year" is an annual count; "per client", "a day" are rates
    return bool(re.match(r"\s+(?:per(?!\s+(?:year|annum)\b)|each|a year per|an? (?:day|week|"
                         r"night)\b)", tail))


def indicator_for(ctx: Context, fig: Figure, counted: Counted) -> tuple[str | None, str]:
    """(indicator, how it was decided) from the noun class and the service context."""
    ind = load("indicators")
    cls = counted.noun_class
    if cls in (PEOPLE, CASES) and _ENTERING.match(
        ctx.sf.text[counted.noun.end - ctx.sf.sentence.start :]
    ):
        cls = ENTRANTS  # "4 200 people entered treatment"
    if cls == SYRINGES and _RETURNED.match(
        ctx.sf.text[counted.noun.end - ctx.sf.sentence.start :]
    ):
        return None, "syringes returned, not distributed"
    if cls == PEOPLE and _DIED.match(ctx.sf.text[counted.noun.end - ctx.sf.sentence.start :]):
        cls = DEATHS  # "2 135 residents died of a drug overdose"
    if cls in ind["standalone"]:
        # The qualifying word may stand in the sentence before: "Drug-induced deaths rose
        # sharply. After a peak of 170 deaths in 2012, …"
        base = ctx.sf.sentence.start
        own = ctx.sf.text
        part = _PART_MARKER.search(own, fig.end - base)
        if part:
            # "234 HIV diagnoses were reported, 12 of them attributed to injecting": what
            # qualifies the part does not qualify the whole.
            own = own[: part.start()]
        text = own.lower() + " " + (ctx.prev.text.lower() if ctx.prev else "")
        if _WHOLE_LEAD.match(ctx.sf.text[: fig.start - base]):
            # "Of the 234 new HIV diagnoses, 12 were attributed to injecting": only the
            # whole's own chunk qualifies it.
            text = ctx.sf.text[: chunk_of(ctx.sf, fig.start)[1] - base].lower()
        return standalone_indicator(cls, text)
    mapping = ind["by_service"].get(cls, {})
    sf = ctx.sf
    chunk = chunk_of(sf, fig.start)
    chunk_services = [s for s in services(sf) if chunk[0] <= s.start < chunk[1]]
    if cls == PEOPLE:
        # "1.3 million people were estimated to be high-risk opioid users"
        after = sf.text[counted.noun.end - sf.sentence.start :].lower()
        for code, phrases in ind["estimates"].items():
            if phrases_regex(tuple(phrases), before=r"^\s+(?:were|are|was|is)\s+(?:estimated\s+"
                             r"to\s+be\s+)?(?:\w+\s+)?").search(after):
                return code, "noun:estimate"
    if cls == PEOPLE and not chunk_services and _ESTIMATE_CUE.search(sf.text) and not (
        _USING.match(sf.text[counted.noun.end - sf.sentence.start :])
        or _USED_BY.search(sf.text[: fig.start - sf.sentence.start])
    ):
        for code, phrases in ind["estimates"].items():
            if counted.noun.text.lower() in phrases:
                return code, "noun:estimate"
        estimate = _estimate_around(ctx, fig, counted)
        if estimate:
            return estimate, "noun:estimate predicate"
    if counted.via_number_of:  # "the number of NSPs … from 16 in 2008 to 9 in 2017"
        near_noun = [s for s in services(sf)
                     if counted.noun.start - 40 <= s.start <= counted.noun.end + 40]
        if near_noun:
            return mapping.get(near_noun[0].code), f"noun:{cls}+service:{near_noun[0].code}"
    service = _provided_at(ctx, fig) or _context_service(ctx, fig, chunk_services)
    if service is None or service.code == "drug_treatment":
        # "1 840 methadone-prescribing facilities", "the number of substitution patients"
        modifier = _service_modifier(ctx, fig, counted)
        if modifier is not None and modifier.code in mapping:
            service = modifier
    if service is not None and service.code not in mapping and service.code in ind.get(
        "host_services", ()
    ):
        # "11 low-threshold offices … provided NSP services": the offices count NSP sites
        clause = clause_of(sf, fig.start)
        mapped = [s for s in services(sf)
                  if clause[0] <= s.start < clause[1] and s.code in mapping]
        if mapped:
            service = min(mapped, key=lambda s: abs(s.start - fig.start))
    if cls == PEOPLE and service is not None and service.code not in mapping \
            and service.code in ind.get("channel_services", ()):
        # "The fixed sites and outreach teams were in contact with about 1 050 clients":
        # outreach and mobile units deliver the paragraph's programme; count for it.
        delivered = [s for s in (*services(sf), *earlier_services(ctx)) if s.code in mapping]
        if len({s.code for s in delivered}) == 1:
            service = delivered[0]
    syringes = [n for n in sf.of("noun") if n.code == SYRINGES and n is not counted.noun]
    if service is None and syringes:
        return mapping.get("needle_syringe_programme"), f"noun:{cls}+syringes"
    if service is None and cls == PEOPLE and _TREATED.match(
        sf.text[counted.noun.end - sf.sentence.start :]
    ):
        return mapping.get("drug_treatment"), "noun:people+treated"  # "26 000 clients were treated"
    if service is None:
        return None, "no service context"
    return mapping.get(service.code), f"noun:{cls}+service:{service.code}"


def _estimate_around(ctx: Context, fig: Figure, counted: Counted) -> str | None:
    """'it is estimated that 9 400 drug users inject', 'the population thought to inject
    drugs is … approximately 41 000 people': the estimate a plain people noun stands for."""
    ind = load("indicators")
    base = ctx.sf.sentence.start
    after = ctx.sf.text[counted.noun.end - base :]
    before = ctx.sf.text[: fig.start - base]
    for code, phrases in ind["estimate_predicates"].items():
        if phrases_regex(tuple(phrases), before=r"^\s+", after=r"\b").match(after):
            return code
    for code, phrases in ind["estimate_subjects"].items():
        if phrases_regex(tuple(phrases), after=r"\b").search(before):
            return code
    return None


# "HAT is provided at 17 outpatient units": the units provide the subject's service.
_PROVIDED_AT = re.compile(rf"\b(?:is|are|was|were)\s+(?:\w+\s+)?(?:provided|offered|delivered|"
                          rf"available|carried out|dispensed)\s+(?:at|in|by|through|from)\s+"
                          rf"(?:a\s+total\s+of\s+)?{_HEDGE}$", re.I)


def _provided_at(ctx: Context, fig: Figure) -> Hit | None:
    """The service that is the subject of '<service> is provided at N <places>'."""
    sf = ctx.sf
    clause = clause_of(sf, fig.start)
    if not _PROVIDED_AT.search(sf.local(clause[0], fig.start)):
        return None
    subject = [s for s in services(sf) if clause[0] <= s.start and s.end <= fig.start]
    return subject[0] if subject else None


def _service_modifier(ctx: Context, fig: Figure, counted: Counted) -> Hit | None:
    """A medicine or service word modifying the counted noun, in the figure's noun phrase or
    in the 'number of …' phrase of its clause (`indicators.yaml` service_modifiers)."""
    sf = ctx.sf
    clause = clause_of(sf, fig.start)
    windows = [(fig.end, max(counted.noun.end, fig.end))]
    lead = sf.local(clause[0], fig.start)
    number_of = list(re.finditer(r"\bnumber of\s+", lead, re.I))
    if number_of:
        start = clause[0] + number_of[-1].end()
        windows.append((start, start + 40))
    for code, words in load("indicators")["service_modifiers"].items():
        rx = phrases_regex(tuple(words), after=r"\b")
        for start, end in windows:
            m = rx.search(sf.local(start, end))
            if m:
                return Hit("service", code, start + m.start(), start + m.end(), m.group(0))
    return None


def _context_service(ctx: Context, fig: Figure, chunk_services: list[Hit]) -> Hit | None:
    """Nearest service in the figure's chunk, else in the sentence, else by anaphora.

    A service named after the next figure belongs to that figure; in the sentence-wide
    fallback a service beyond any other figure belongs to that one.
    """
    def distance(h: Hit) -> int:
        return min(abs(h.start - fig.end), abs(h.end - fig.start))

    others = [f for f in ctx.sf.figures if f is not fig]
    nxt = min((f.start for f in others if f.start > fig.start), default=ctx.sf.sentence.end)
    prv = max((f.end for f in others if f.end <= fig.start), default=ctx.sf.sentence.start)
    near = [s for s in chunk_services if s.start < nxt]
    if near:
        return min(near, key=distance)
    in_sentence = services(ctx.sf)
    if in_sentence and not chunk_services:
        between = [s for s in in_sentence if prv <= s.start < nxt]
        if between:
            return min(between, key=distance)
        # "OST is delivered by 19 centres, and 1 920 patients were receiving it"
        clause_end = clause_of(ctx.sf, fig.start)[1]
        before = [s for s in in_sentence if s.end <= fig.start]
        clause = clause_of(ctx.sf, fig.start)
        if len({s.code for s in before}) == 1 and _IN_CARE.search(
            ctx.sf.local(clause[0], clause[1])
        ):
            return before[-1]  # "…; around 3 300 clients were in treatment at year end"
        if before and (_PRONOUN.search(ctx.sf.local(fig.end, clause_end))
                       or _OF_THEM.match(ctx.sf.local(fig.end, clause_end))):
            return before[-1]  # "… 253 outlets, 168 of them pharmacies": the same programme
    # The sentence names no service, or only services another figure counts: "In 2019,
    # 15 fixed sites operated in 11 cities, and four mobile units served smaller towns"
    # goes on about the paragraph's service.
    prior = anaphoric_services(ctx)
    if prior:
        return prior[0]
    # "In 2016, 5 800 clients were reached through 10 fixed programmes": a paragraph about
    # one service goes on without naming it again.
    if _OTHER_SUBJECT.search(ctx.sf.text):
        return None  # "Treatment is provided in 230 centres": another, unnamed subject
    # Outreach and mobile units are channels of the programme the paragraph is about: look
    # past a sentence that names only them.
    channels = set(load("indicators").get("channel_services", ()))
    for sf in ctx.earlier or ((ctx.prev,) if ctx.prev else ()):
        named = [s for s in services(sf) if s.code not in channels]
        if named:
            return named[0] if len({s.code for s in named}) == 1 else None
    earlier = earlier_services(ctx)
    return earlier[0] if len({s.code for s in earlier}) == 1 else None


def sentence_facts(
    ctx: Context, plan_years: set[tuple[int, int]]
) -> tuple[list[Fact], list[tuple[Figure, str]]]:
    """Facts of one sentence, and the figures skipped with the reason (for debugging)."""
    sf = ctx.sf
    facts: list[Fact] = []
    skipped: list[tuple[Figure, str]] = []
    previous: Fact | None = None
    previous_counted: Counted | None = None
    # "Of the 234 HIV diagnoses, …" that got no indicator: its counted noun and figure
    unqualified_whole: tuple[Counted, Figure] | None = None
    for fig in sf.figures:
        part_of: Figure | None = None  # the whole this figure is a part of, when it says so
        if fig.unit != "count":
            skipped.append((fig, f"unit {fig.unit} is not a count"))
            continue
        if fig.run is not None and not _run_years(sf, fig):
            skipped.append((fig, "a number in a run of bare numbers (a chart or table line)"))
            continue
        if blocked_before(sf, fig):
            skipped.append((fig, "ratio or sample"))
            continue
        if _whole_of_part(sf.text[: fig.start - sf.sentence.start]):
            skipped.append((fig, "the whole a part is counted from"))
            continue
        if _counts_waiting_list(sf.local(sf.sentence.start, fig.start)):
            skipped.append((fig, "counts a waiting list"))
            continue
        if blocked_after(sf, fig):
            skipped.append((fig, "counts something else"))
            continue
        if _counts_closures(sf, fig):
            skipped.append((fig, "counts closures"))
            continue
        if _FUTURE.search(sf.text[: fig.start - sf.sentence.start]) or _HOPED.match(
            sf.local(fig.end, sf.sentence.end)
        ) or _FUTURE_AFTER.match(sf.local(fig.end, clause_of(sf, fig.start)[1])):
            skipped.append((fig, "a planned or future count"))  # "will open two more sites"
            continue
        if _FORECAST.search(sf.local(clause_of(sf, fig.start)[0], fig.start)):
            skipped.append((fig, "a forecast"))  # "a prediction of close to 800 deaths"
            continue
        if _AWAITING.match(sf.local(fig.end, clause_of(sf, fig.start)[1])):
            skipped.append((fig, "counts a waiting list"))  # "40 people awaiting treatment"
            continue
        if fig.value == 1 and qualifier(sf, fig) == "at_least":
            skipped.append((fig, "says a thing exists, not how many"))  # "at least one centre"
            continue
        counted = (counted_noun(sf, fig) or number_of_noun(sf, fig) or noun_before(sf, fig)
                   or _entering_without_noun(sf, fig) or implied_noun(sf, fig))
        label = None if counted else _key_figure_label(sf, fig)
        lead = sf.text[max(0, fig.start - sf.sentence.start - 45) : fig.start - sf.sentence.start]
        subset = counted is None and previous_counted is not None and _SUBSET.search(lead)
        if subset:
            counted = previous_counted  # "2 345 people …, of whom 1 234 received OST"
        elif counted is None and unqualified_whole is not None and lead.rstrip().endswith(","):
            # "Of the 234 new HIV diagnoses, 12 were attributed to injecting": the part is
            # what the indicator counts when the whole was not; it takes the whole's year.
            counted, part_of = unqualified_whole
        same = _after_year_colon(sf, fig) or _SAME_MEASURE.search(lead)
        if label is not None:
            # "Syringes distributed through NSPs: 1 875 000": the label names the indicator,
            # read like a table's row label.
            indicator, how = label_indicator(label)
            how = f"label:{how}"
        elif counted is None and same and previous is not None:
            # "(2012: 4 625 121)", "… compared with 2.9 million in 2012", "fell from 170 in
            # 2012 to 39 in 2017": the same measure at another time, the one of its size
            previous = _same_size(facts, fig) or previous
            indicator, how = previous.indicator, "inherits previous figure"
        elif counted is None:
            skipped.append((fig, "no counted noun"))
            continue
        elif ratio_after(sf, counted):
            skipped.append((fig, "ratio"))
            continue
        else:
            indicator, how = indicator_for(ctx, fig, counted)
            if subset and previous is not None and not _own_specific_service(ctx, fig):
                # "10 316 clients were receiving OST, of whom 4 000 were treated by GPs"
                indicator, how = previous.indicator, "subset of previous figure"
            previous_counted = counted
        if indicator is None:
            if counted is not None and _WHOLE_LEAD.match(sf.text[: fig.start - sf.sentence.start]):
                unqualified_whole = (counted, fig)
            skipped.append((fig, f"no indicator ({how})"))
            continue
        reason = implausible(indicator, fig.value)
        if reason:
            skipped.append((fig, reason))  # a runaway value is never a fact
            continue
        time, year_rule = fact_year(ctx, fig, sf.figures, plan_years)
        if time is None and part_of is not None:
            time, year_rule = fact_year(ctx, part_of, sf.figures, plan_years)
            year_rule += " of the whole"
        if fig.run is not None:
            time, year_rule = _run_years(sf, fig), "year:column"
        relative = _YEARS_BEFORE.match(sf.text[fig.end - sf.sentence.start :])
        if relative and previous is not None and previous.year and year_rule not in (
            "year:after", "year:colon"
        ):
            # "… in 2022, up from 29,100 the year before"
            word = (relative.group(1) or relative.group(2) or "one").lower()
            back = 10 if word == "decade" else (
                int(word) if word.isdigit() else load("numbers")["words"].get(word, 0))
            if back:
                time = TimeRef(fig.start, fig.end, previous.year - back)
                year_rule = "year:years before"
        if how == "inherits previous figure" and previous is not None and (
            time is None or time.year == previous.year
        ) and statement_country(ctx, fig.start) == previous.country:
            skipped.append((fig, "same measure without a time of its own"))
            continue
        if time is None and previous is not None and _SUBSET.search(lead):
            # "3 300 clients in 2017, including around 450 treated in primary care"
            time, year_rule = _year_of(previous), "year:of the whole"
        fact = Fact(
            doc_id=ctx.doc_id,
            country=statement_country(ctx, fig.start),
            indicator=indicator,
            year=time.year if time else None,
            value=fig.value,
            qualifier=qualifier(sf, fig),
            unit=fig.unit,
            prov=provenance(ctx, fig.start, fig.end, f"{how};{year_rule}"),
            value_high=fig.value_high,
            period_start=time.start_year if time and time.kind == "range" else None,
            region=region(ctx, fig.start),
        )
        facts.append(fact)
        previous = fact
    if sf.may_contain("respectively") and _RESPECTIVELY.search(sf.text):
        facts = _respectively(sf, facts)
    return facts, skipped


def _run_years(sf: SentenceFinds, fig: Figure) -> TimeRef | None:
    """A table row flattened to a line ("HIV diagnoses 2019 2020 2021 12 15 18"): the n-th
    number of a run takes the n-th year of a run of as many years, else it has none."""
    run = [f for f in sf.figures if f.run == fig.run]
    years = [t for t in sf.times if t.kind == "year"]
    if len(years) != len(run) or [t.year for t in years] != sorted({t.year for t in years}):
        return None
    return years[run.index(fig)]


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)", re.I)


def _runs(sf: SentenceFinds, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Indexes of spans coordinated one after the other ("2011 and 2012", "266, 300 and 484")."""
    runs: list[list[int]] = []
    for i, (start, _end) in enumerate(spans):
        if runs and _LIST_GAP.fullmatch(sf.local(spans[runs[-1][-1]][1], start)):
            runs[-1].append(i)
        else:
            runs.append([i])
    return [r for r in runs if len(r) >= 2]


def _respectively(sf: SentenceFinds, facts: list[Fact]) -> list[Fact]:
    """"In 2011 and 2012, … led to 266 and 484 new diagnoses, respectively": the n-th figure
    of a coordinated list takes the n-th year of a coordinated list of the same length."""
    years = [t for t in sf.times if t.kind == "year"]
    year_runs = _runs(sf, [(t.start, t.end) for t in years])
    fact_runs = _runs(sf, [(f.prov.start_char, f.prov.end_char) for f in facts])
    out = list(facts)
    for fr in fact_runs:
        same = [yr for yr in year_runs if len(yr) == len(fr)]
        if not same or len({facts[i].indicator for i in fr}) != 1:
            continue
        for i, j in zip(fr, same[0], strict=True):
            how = facts[i].prov.rule.split(";")[0]
            out[i] = replace(facts[i], year=years[j].year, period_start=None,
                             prov=replace(facts[i].prov, rule=f"{how};year:respectively"))
    return out


_KEY_FIGURE = re.compile(r"\s*[-•*–]?\s*([A-Z][^:.;]{2,80}?)\s*:\s*(?:about|around|approximately|"
                         r"approx\.?|some|over|more than|nearly|almost|~)?\s*$", re.I)


def _key_figure_label(sf: SentenceFinds, fig: Figure) -> str | None:
    """The label of a key-figure line ("NSP clients: approx. 5 600"), for its first figure."""
    m = _KEY_FIGURE.fullmatch(sf.local(sf.sentence.start, fig.start))
    return m.group(1) if m else None


def _after_year_colon(sf: SentenceFinds, fig: Figure) -> bool:
    """"(2012: 4 625 121)", "… than in 2020 (1,318)": the same measure in that year."""
    base = sf.sentence.start
    lead = sf.text[: fig.start - base]
    end = lead.rstrip()[-1:]  # both patterns end in a colon or bracket, then blanks
    return (end == ":" and bool(_YEAR_COLON.search(lead))) or (
        end == "(" and fig.parenthesised and bool(_YEAR_BRACKET.search(lead))
    )


_YEAR_COLON = re.compile(r"\b\d{4}:\s*$")
_YEAR_BRACKET = re.compile(r"\b(?:in|of|for)\s+\d{4}\s*\($")


def merge_facts(facts: list[Fact]) -> list[Fact]:
    """One row per (country, indicator, year, value): a repeated statement is one fact."""
    seen: dict[tuple, Fact] = {}
    for f in facts:
        seen.setdefault((f.country, f.indicator, f.year, f.value), f)
    return list(seen.values())
