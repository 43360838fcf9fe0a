"""Services: which harm-reduction and treatment services a document says something about.

Each service mention gets a status from the cues of its clause (closed, not available,
planned, legally possible, provided). The document-level status set follows the spec: a
bare mention counts as available unless the document says the service is not provided, and
`legal_only` is kept for services that are only ever legally possible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.countries import EU_CODE
from pipeline.extract.match import Hit, SentenceFinds
from pipeline.link.context import (
    GENERIC_SERVICE_NOUN,
    GENERIC_SUBJECT,
    PLANNED_AMOUNT,
    Context,
    clause_of,
    clauses,
    earlier_services,
    is_heading,
    may_name_generic_service,
    noun_phrase_end,
    provenance,
    statement_country,
)
from pipeline.types import ServiceStatus
from pipeline.vocab import load, phrases_regex

# "the two last programmes are not presently available" → the last two services named before.
_LAST_N = re.compile(r"\b(?:the\s+)?(?:two\s+last|last\s+two|latter\s+two|two\s+latter)\b", re.I)
_ADVICE = re.compile(r"\b(?:should|ought to|recommend(?:ed|s)?)\b", re.I)
# "Misuse of Drugs (Supervised Injecting Facilities) Act": a service named in a law's title.
_IN_LAW_NAME = re.compile(r"\)?\s*(?:Act|Law|Decree|Regulation)\b")
# A provision cue ("are available", "operate") speaks for services this close to it.
EXPLICIT_CUE_DISTANCE = 80
_GENERIC_NEGATION = re.compile(rf"\bno (?:\w+ )?{GENERIC_SERVICE_NOUN}\b", re.I)
_COMPARATIVE = re.compile(r"\d|\b(?:fewer|more|less|than|longer)\b", re.I)
# "allows NGOs to hand out naloxone", "to allow municipalities to operate DCRs"
_ALLOWED_TO = re.compile(r"\b(?:allow(?:s|ed|ing)?|permit(?:s|ted|ting)?|"
                         r"authori[sz](?:es|ed|ing))\b[^.;]{0,60}?\bto\s+"
                         r"(?:operate|open|run|provide|offer|establish|set up|"
                         r"introduce|distribute|hand out|prescribe|dispense)\b[^.;]*$", re.I)
_LEGALLY_POSSIBLE = re.compile(r"\b(?:legally possible|may legally|can legally|legally "
                               r"permitted|legally allowed)\b", re.I)
_COORDINATION = re.compile(r"\s*(?:,|and|or|as well as|,\s*and|,\s*or)\s*")
_CONCEPT = re.compile(
    r"\s*(?:\(\w+\)\s*)?(?:aims? to|are designed to|is designed to|(?:is|are) defined as|"
    r"refers? to|means|"
    r"(?:is|are) (?:a|an) (?:[\w-]+\s+){0,3}(?:intervention|approach|measure)s?\b)",
    re.I,
)
_REFERRAL = re.compile(r"\b(?:referral|referred|refer)\s+(?:\w+\s+){0,2}$", re.I)


@dataclass(frozen=True)
class Evidence:
    service: Hit
    # discontinued | unavailable | planned | available | legal | allowed, or operating (the
    # rest of a service part of which closed: available even in that sentence)
    status: str
    explicit: bool  # an explicit cue, not a bare mention
    country: str | None
    ctx: Context


def _cues_in(sf: SentenceFinds, code: str, span: tuple[int, int]) -> list[Hit]:
    """Status cues of one kind inside `span` (cues grouped once per sentence)."""
    by_code = sf.cache.get("status_by_code")
    if by_code is None:
        by_code = {}
        for h in sf.of("status"):
            by_code.setdefault(h.code, []).append(h)
        sf.cache["status_by_code"] = by_code
    return [h for h in by_code.get(code, ()) if span[0] <= h.start < span[1]]


def _hit_statuses(ctx: Context, hit: Hit) -> list[tuple[str, bool]]:
    """(status, explicit) pairs one service mention supports; most specific cue first."""
    statuses = _cue_statuses(ctx, hit)
    if statuses == [("planned", True)] and _EXISTING.search(
        ctx.sf.local(max(ctx.sf.sentence.start, hit.start - 30), hit.start)
    ):  # "the extension of existing offers of drug checking": it exists, and will grow
        return [("planned", True), ("available", True)]
    return statuses


_TOPIC = phrases_regex(
    tuple(load("cues")["topic_markers"]),
    after=r"\s+(?:(?:the|a|an|opening|introducing|establishing|setting up)\s+)*$")
_EXISTING = phrases_regex(tuple(load("cues")["existing_markers"]),
                          after=r"\s+(?:[\w-]+\s+){0,3}$")


def _cue_statuses(ctx: Context, hit: Hit) -> list[tuple[str, bool]]:
    sf = ctx.sf
    clause = clause_of(sf, hit.start)
    if _cues_in(sf, "discontinued", clause):
        if _partial(sf, hit):
            # "Two of the five NSPs closed": the others still operate.
            return [("discontinued", True), ("operating", True)]
        return [("discontinued", True)]
    clause_services = [s for s in sf.of("service") if clause[0] <= s.start < clause[1]]
    for cue in _cues_in(sf, "unavailable", clause):
        if cue.text.lower() == "except in":
            # "NSPs are available across the country, except in …": both statements hold.
            if clause_services and clause_services[0] == hit:
                return [("unavailable", True), ("available", True)]
        elif cue.start > hit.start and _subject_of(sf, hit, cue, clause_services):
            return [("unavailable", True)]
    for cue in _cues_in(sf, "unavailable_before", clause):
        between = sf.local(cue.end, hit.start)
        if cue.end <= hit.start and len(between.split()) <= 3 and not _COMPARATIVE.search(between):
            return [("unavailable", True)]
    for cue in _cues_in(sf, "planned_before", clause):
        if cue.end <= hit.start < noun_phrase_end(sf, cue.end) and not _made_possible(sf, cue):
            return [("planned", True)]
    if any(c.start < hit.start for c in _cues_in(sf, "planned_scope", (sf.sentence.start,
                                                                         sf.sentence.end))):
        return [("planned", True)]  # "Its priorities include … and introducing HCV treatment"
    for cue in _cues_in(sf, "planned_nouns", clause):
        if cue.end <= hit.start < noun_phrase_end(sf, cue.end):
            return [("planned", True)]
    if any(c.start > hit.start and not PLANNED_AMOUNT.match(sf.local(c.end, clause[1]))
           for c in _cues_in(sf, "planned", clause)):
        return [("planned", True)]
    if _planned_by_relative(sf, hit, clause):
        return [("planned", True)]
    if sf.may_contain("should", "ought", "recommend") and _ADVICE.search(
            sf.text[clause[0] - sf.sentence.start : clause[1] - sf.sentence.start]):
        return []  # "drug users should be offered testing": advice, not provision
    legal = _cues_in(sf, "legal", (sf.sentence.start, sf.sentence.end))
    in_law_name = _IN_LAW_NAME.match(sf.text[hit.end - sf.sentence.start :])
    if in_law_name:
        return [("legal", True)]
    if legal and _only_made_possible(sf, hit, legal):
        # "a legal basis for supervised drug consumption rooms, but none has opened"
        return [("allowed", True)]
    if sf.may_contain("allow", "permit", "authori") and _ALLOWED_TO.search(
            sf.text[clause[0] - sf.sentence.start : hit.start - sf.sentence.start]):
        return [("allowed", True)]  # "… amended to allow municipalities to operate DCRs"
    if sf.may_contain("legally") and _LEGALLY_POSSIBLE.search(sf.local(clause[0], clause[1])):
        return [("allowed", True)]  # "made such a service legally possible", "may legally be"
    near = [c for c in _cues_in(sf, "available", clause)
            if abs(c.start - hit.start) <= EXPLICIT_CUE_DISTANCE]
    if near:
        return [("available", True)]
    if any(clause[0] <= c.start < clause[1] for c in legal):
        return [("legal", True)]
    return [("available", False)]


def _partial(sf: SentenceFinds, hit: Hit) -> bool:
    """'Two of the five NSPs', 'some of the rooms', 'several programmes': part of a service."""
    lead = sf.local(max(sf.sentence.start, hit.start - 30), hit.start)
    markers = phrases_regex(tuple(load("cues")["partial_markers"]),
                            after=r"\s+(?:[\w-]+\s+){0,2}$")
    return bool(markers.search(lead))


def _made_possible(sf: SentenceFinds, cue: Hit) -> bool:
    """'the possibility to introduce X', 'allowed … to open X': legal, not a plan."""
    base = sf.sentence.start
    lead = sf.text[max(0, cue.start - base - 40) : cue.start - base]
    return bool(re.search(r"\b(?:possibility|allow(?:ed|ing|s)?|permit(?:ted|s)?|right)\b"
                          r"[^,;.]*$", lead, re.I))


def _planned_by_relative(sf: SentenceFinds, hit: Hit, clause: tuple[int, int]) -> bool:
    """'… a pilot facility, which is planned for 2020': the relative clause plans it."""
    base = sf.sentence.start
    rest = sf.text[clause[1] - base :]
    if not re.match(r",\s+which\b", rest):
        return False
    following = clause_of(sf, clause[1] + rest.index("which"))
    later = [s for s in sf.of("service") if hit.start < s.start < following[1]]
    return not later and bool(_cues_in(sf, "planned", following))


def _only_made_possible(sf: SentenceFinds, hit: Hit, legal: list[Hit]) -> bool:
    """'A legal framework for measures such as X' / 'a law allowing X': X is only possible."""
    base = sf.sentence.start
    lead = sf.text[legal[0].start - base : hit.start - base]
    return legal[0].start < hit.start and bool(
        re.search(r"\b(?:such as|allow(?:ed|ing|s)?|possibility to|permit(?:ted|ting|s)?|"
                  r"(?:legal basis|legal framework|legislation) for)\b", lead)
    )


def sentence_evidence(ctx: Context) -> list[Evidence]:
    """Status evidence for every service mention of one sentence."""
    sf = ctx.sf
    if is_heading(sf):
        return []
    country = statement_country(ctx)
    out: list[Evidence] = []
    base = sf.sentence.start
    for hit in sf.of("service"):
        lead = sf.text[: hit.start - base]
        # "refer" in the lead is a necessary condition of _REFERRAL (a cheap pre-check).
        if ("refer" in lead.lower() and _REFERRAL.search(lead)) or _channel(sf, hit):
            continue
        if any(0 <= p.start - hit.end <= 1 for p in sf.of("plan")):
            continue  # "the alcohol and drug treatment strategy": part of a plan's name
        if _CONCEPT.match(sf.text[hit.end - base :]):
            continue  # "DCRs aim to reduce …", "OST is defined as …": the concept, not a service
        if _TOPIC.search(sf.local(max(sf.sentence.start, hit.start - 50), hit.start)) and not any(
                0 <= n.start - hit.end <= 1 for n in sf.of("noun")):
            # "a feasibility study on drug checking": a topic, not a service (but "a study of
            # NSP clients" says the programme has clients)
            continue
        for status, explicit in _hit_statuses(ctx, hit):
            # The clause decides the country; a Europe-wide statement ("In the European Union,
            # naloxone programmes operate in 10 countries") is context, not a service row.
            where = statement_country(ctx, hit.start)
            if where != EU_CODE:
                out.append(Evidence(hit, status, explicit, where, ctx))
    out.extend(_elided_subject_evidence(ctx, country))
    out.extend(_generic_subject_evidence(ctx, country))
    if (ctx.prev is not None and sf.may_contain("two") and _LAST_N.search(sf.text)
            and not sf.of("service")):
        unavailable = _cues_in(sf, "unavailable", (sf.sentence.start, sf.sentence.end))
        if unavailable:
            for hit in ctx.prev.of("service")[-2:]:
                out.append(Evidence(hit, "unavailable", True, country, ctx))
    return out


def _channel(sf: SentenceFinds, hit: Hit) -> bool:
    """'Syringes are available from drug counselling centres': the place another service of
    the clause is delivered from."""
    clause = clause_of(sf, hit.start)
    # The cheap test first: no other service before it in the clause, no channel.
    if not any(clause[0] <= s.start < hit.start for s in sf.of("service")):
        return False
    lead = phrases_regex(tuple(load("cues")["channel_before"]), after=r"\s+$")
    return bool(lead.search(sf.local(clause[0], hit.start)))


def _subject_of(sf: SentenceFinds, hit: Hit, cue: Hit, clause_services: list[Hit]) -> bool:
    """Is `hit` (one of) the subject(s) of the negation `cue`? No other service stands
    between them, except services coordinated with it: "DCRs and take-home naloxone
    programmes are not available"."""
    base = sf.sentence.start
    between = [s for s in clause_services if hit.start < s.start < cue.start]
    last = hit
    for s in between:
        if not _COORDINATION.fullmatch(sf.text[last.end - base : s.start - base]):
            return False
        last = s
    return True


def _generic_subject_evidence(ctx: Context, country: str | None) -> list[Evidence]:
    """'Take-home naloxone is not yet available; a national programme is planned for 2020.',
    'no facility has reopened since then': a sentence whose subject is a generic programme,
    room or facility speaks of the service named last before it in the paragraph."""
    sf = ctx.sf
    if sf.of("service") or not (may_name_generic_service(sf)
                                and GENERIC_SUBJECT.search(sf.text)):
        return []
    earlier = earlier_services(ctx)
    if not earlier:
        return []
    whole = (sf.sentence.start, sf.sentence.end)
    if _GENERIC_NEGATION.search(sf.text):
        status = "unavailable"
    elif _cues_in(sf, "discontinued", whole):
        status = "discontinued"
    elif _cues_in(sf, "planned", whole):
        status = "planned"
    else:
        return []
    return [Evidence(earlier[0], status, True, country, ctx)]  # the subject of that sentence


def _elided_subject_evidence(ctx: Context, country: str | None) -> list[Evidence]:
    """'A room operated in Athens … but was closed', '…, although it has never been
    implemented': a clause without a service of its own that closes or negates something
    speaks of the sentence's first service."""
    sf = ctx.sf
    first = sf.of("service")[:1]
    if not first:
        return []
    out = []
    for clause in clauses(sf):
        if clause[0] <= first[0].start:
            continue
        if [s for s in sf.of("service") if clause[0] <= s.start < clause[1]]:
            continue
        if _cues_in(sf, "discontinued", clause):
            out.append(Evidence(first[0], "discontinued", True, country, ctx))
        elif _cues_in(sf, "unavailable", clause) or _GENERIC_NEGATION.search(
            sf.text[clause[0] - sf.sentence.start : clause[1] - sf.sentence.start]
        ):  # "…, although it has never been implemented", "but no facility was operating"
            out.append(Evidence(first[0], "unavailable", True, country, ctx))
        elif _cues_in(sf, "planned", clause):  # "…, but a national programme is planned"
            out.append(Evidence(first[0], "planned", True, country, ctx))
    return out


def _basis(ev: Evidence, status: str) -> str:
    """What the row rests on, for the rule id: a status cue, a bare mention, or a legal cue."""
    if status == "legal_only":
        return "legal cue"
    return "cue" if ev.explicit else "mention"


def resolve(doc_id: str, evidence: list[Evidence]) -> list[ServiceStatus]:
    """Document-level statuses: one row per (country, service, status)."""
    by_service: dict[tuple[str | None, str], list[Evidence]] = {}
    for ev in evidence:
        by_service.setdefault((ev.country, ev.service.code), []).append(ev)
    rows: list[ServiceStatus] = []
    for (country, code), evs in by_service.items():
        # A service only said to have operated in a sentence that also closes it is no
        # longer available: "a room operated between 2013 and 2014 but was closed".
        closed_in = {e.ctx.sf.sentence.index for e in evs if e.status == "discontinued"}
        evs = [e for e in evs
               if not (e.status == "available" and e.ctx.sf.sentence.index in closed_in)]
        evs = [replace(e, status="available") if e.status == "operating" else e for e in evs]
        statuses = {e.status for e in evs}
        explicit_available = any(e.status == "available" and e.explicit for e in evs)
        keep: set[str] = statuses - {"legal", "allowed", "available"}
        if "available" in statuses and (explicit_available or "unavailable" not in statuses):
            keep.add("available")
        if "legal" in statuses and not statuses & {"available", "unavailable", "discontinued"}:
            keep.add("legal_only")  # legally possible, never stated as provided or absent
        if "allowed" in statuses and not statuses & {"available", "discontinued"}:
            keep.add("legal_only")  # "allows NGOs to hand out naloxone", yet none does
        for status in sorted(keep, key=lambda s: min(
            (e.service.start for e in evs if e.status == s or s == "legal_only"), default=0
        )):
            first = next(e for e in evs if e.status == status or status == "legal_only")
            rows.append(
                ServiceStatus(
                    doc_id=doc_id,
                    country=country,
                    service=code,
                    status=status,
                    prov=provenance(first.ctx, first.service.start, first.service.end,
                                    f"service:{status}:{_basis(first, status)}"),
                )
            )
    return rows
