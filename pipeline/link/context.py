"""Shared linking helpers: clauses, service context, years and the country of a statement.

The record builders (`facts`, `events`, `plans`, `services`) use these to attach a figure or
a cue to the service, year and country it belongs to, within the sentence (and, through an
explicit anaphor such as "these facilities", the sentence before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.match import Hit, SentenceFinds
from pipeline.extract.numbers import TimeRef
from pipeline.types import Provenance
from pipeline.vocab import load, phrases_regex

# Clause boundaries: a figure, cue or year binds within its clause first.
_CLAUSE_SPLIT = re.compile(
    r";|,\s+(?:and|but|while|whereas|which|where|although|though|however)\b|\s+but\s+|:\s"
)
# Sub-clause chunks: commas split lists and appositions.
_CHUNK_SPLIT = re.compile(r"(?<!\d)[,;:]|[,;:](?!\d)")
# "In 2015, …" / "By 2015, …": a year that frames the whole sentence.
FRAMING_YEAR = re.compile(
    r"\s*[\"'(\[]?\s*(?:In|During|By|Up to|As of|As at|On|Since|Until|At the end of|"
    r"By the end of|According to|At)\s+"
    r"(?:the\s+)?"
    # part of the year: "In the first half of 2019", "In Q1 2019", "At end-2018"
    r"(?:(?:first|second|third|fourth|last)\s+(?:half|quarter|six\s+months|three\s+months)"
    r"\s+of\s+(?:the\s+year\s+)?|(?:early|late|mid|end)[\s-]|[QH][1-4]\s+)?"
    r"(?:(?:state\s+)?(?:calendar|fiscal|financial|reporting)\s+)?(?:year\s+)?"
    r"((?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?\d{4})\b"
)
# A programme, room or facility named without saying which service it is (`cues.yaml`).
GENERIC_SERVICE_NOUN = phrases_regex(tuple(load("cues")["generic_service_nouns"]),
                                     before="").pattern
# "below its planned capacity of 60": "planned" before an amount is no plan.
PLANNED_AMOUNT = re.compile(r"\s+(?:capacity|budget|target|number|figure|total|level|size|"
                            r"places|spending|expenditure|investment)\b", re.I)
GENERIC_SUBJECT = re.compile(rf"\b{GENERIC_SERVICE_NOUN}\b", re.I)
GENERIC_SERVICE_NOUNS = tuple(n.lower() for n in load("cues")["generic_service_nouns"])


def may_name_generic_service(sf: SentenceFinds) -> bool:
    """A cheap necessary condition of GENERIC_SUBJECT anywhere in the sentence."""
    return sf.may_contain(*GENERIC_SERVICE_NOUNS)
# "the French community", "Dutch cities": an adjective is not a statement about a country.
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ish|ian|ese|ch|an|ek|ak|ene|ot)$")


@dataclass(frozen=True)
class Context:
    """A sentence and its neighbour in the same paragraph, with document defaults."""

    doc_id: str
    country: str | None
    sf: SentenceFinds
    prev: SentenceFinds | None  # previous sentence of the same paragraph
    # Earlier sentences of the same paragraph, nearest first (for anaphora).
    earlier: tuple[SentenceFinds, ...] = ()
    # The last heading line before this sentence ("Key figures 2017"), if any.
    heading: SentenceFinds | None = None


def spans(sf: SentenceFinds, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Absolute spans of the sentence cut at `pattern` (computed once per sentence)."""
    by_pattern = sf.cache.setdefault("spans", {})  # keyed by the pattern's (hashed) source
    cut = by_pattern.get(pattern.pattern)
    if cut is None:
        cut = by_pattern[pattern.pattern] = _cut(sf, pattern)
    return cut


def _cut(sf: SentenceFinds, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    base, text = sf.sentence.start, sf.text
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append((base + pos, base + m.start()))
        pos = m.end()
    out.append((base + pos, base + len(text)))
    return out


def clauses(sf: SentenceFinds) -> list[tuple[int, int]]:
    """The sentence's clauses (absolute spans)."""
    return spans(sf, _CLAUSE_SPLIT)


def clause_of(sf: SentenceFinds, pos: int) -> tuple[int, int]:
    return _containing(spans(sf, _CLAUSE_SPLIT), pos)


def chunk_of(sf: SentenceFinds, pos: int) -> tuple[int, int]:
    return _containing(spans(sf, _CHUNK_SPLIT), pos)


def _containing(parts: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in parts:
        if s <= pos < e:
            return s, e
    return parts[-1]


def within(items: list, span: tuple[int, int]) -> list:
    """Hits/figures/times whose start lies in `span`."""
    return [x for x in items if span[0] <= x.start < span[1]]


def services(sf: SentenceFinds) -> list[Hit]:
    return sf.of("service")


def earlier_services(ctx: Context) -> list[Hit]:
    """Services of the nearest earlier sentence of the paragraph that names any."""
    for sf in ctx.earlier or ((ctx.prev,) if ctx.prev else ()):
        if services(sf):
            return services(sf)
    return []


def anaphoric_services(ctx: Context) -> list[Hit]:
    """The services an anaphor ("these facilities", "such programmes") points back to."""
    return earlier_services(ctx) if ctx.sf.of("anaphora") else []


def _city_country(ctx: Context, pos: int) -> str | None:
    clause = clause_of(ctx.sf, pos)
    codes = {c[3] for c in ctx.sf.cities if clause[0] <= c[0] < clause[1]}
    return codes.pop() if len(codes) == 1 else None


def _demonym_subject(ctx: Context, pos: int) -> str | None:
    """The country of a demonym that opens the clause of `pos` as the subject's adjective
    ("German centres …", "Dutch NSPs …"); not "German-speaking", not "the German model"."""
    clause = clause_of(ctx.sf, pos)
    for s, e, c in ctx.sf.countries:
        word = ctx.sf.local(s, e)
        if c == "EU" or not _DEMONYM.search(word) or not clause[0] <= s < pos:
            continue
        lead = ctx.sf.local(clause[0], s).strip(" ,;:").lower()
        if lead in ("", "in", "and") and re.match(r" [a-z]", ctx.sf.local(e, e + 2)):
            return c
    return None


def statement_country(ctx: Context, pos: int | None = None) -> str | None:
    """The country a statement is about: the one its sentence names (if exactly one), `EU`
    when the statement's own clause is Europe-wide, else the document's country."""
    if not ctx.sf.countries and not ctx.sf.cities:
        return ctx.country  # every rule below reads a place named in the sentence
    scope = clause_of(ctx.sf, pos) if pos is not None else (ctx.sf.sentence.start,
                                                              ctx.sf.sentence.end)
    hits = [(s, c) for s, e, c in ctx.sf.countries
            if c != "EU" and not _DEMONYM.search(ctx.sf.local(s, e)) and scope[0] <= s < scope[1]]
    named = {c for _, c in hits}
    lead = ctx.sf.local(ctx.sf.sentence.start, scope[0])
    # A comma and "wh" are necessary for the pattern: skip the end-anchored search without.
    where = (re.search(r",\s+(?:where|which)\s*$", lead)
             if pos is not None and "," in lead and "wh" in lead else None)
    if pos is not None and where:
        # "… among the highest in Europe, where 628 000 people received OST": the place
        # named right before the relative clause.
        comma = ctx.sf.sentence.start + where.start()
        place = [c for s, e, c in ctx.sf.countries if e <= comma and comma - e <= 1]
        if place:
            return place[-1]
    if not named and pos is not None:
        subject = _demonym_subject(ctx, pos)
        if subject:
            return subject  # "German centres treated around 1 100 patients in 2021"
    if len(named) == 1:
        return named.pop()
    if len(named) > 1 and pos is not None:
        # "Serbia reported 91 deaths and Croatia 85": the country named last before it.
        before = [c for s, c in hits if s < pos]
        if before:
            return before[-1]
    if not named and pos is not None and _city_country(ctx, pos):
        return _city_country(ctx, pos)  # "In Vienna, …": a city is part of its country
    if not named and pos is not None:
        clause = clause_of(ctx.sf, pos)
        # "In the European Union, an estimated …", "… received OST across the European
        # Union", not "… a coverage among the lowest in the EU" (a comparison)
        if any(c == "EU" and clause[0] <= s < clause[1] and (
            s < pos or not _COMPARISON.search(ctx.sf.local(pos, s))
        ) for s, _, c in ctx.sf.countries):
            return "EU"
    return ctx.country


def region(ctx: Context, pos: int) -> str | None:
    """The one city named in the clause of `pos` (the statement is about that part)."""
    clause = clause_of(ctx.sf, pos)
    cities = [c for c in ctx.sf.cities if clause[0] <= c[0] < clause[1]]
    return cities[0][2] if len(cities) == 1 else None


def usable_times(sf: SentenceFinds, exclude: set[tuple[int, int]]) -> list[TimeRef]:
    """Times that can date a statement: no citations, no years naming a plan."""
    return [t for t in sf.times if t.kind != "citation" and (t.start, t.end) not in exclude]


_COMPARISON = re.compile(r"\b(?:lowest|highest|among|than|compared|average|below|above|"
                         r"rank\w*|coverage|level)\b", re.I)
_ASIDE_YEAR = re.compile(
    r"\b(?:compared\s+(?:with|to)|than|up\s+from|down\s+from|from|after|before|since)\b", re.I)


def previous_year(ctx: Context, pos: int) -> TimeRef | None:
    """The year named just before `pos` in this sentence, else that of the nearest earlier
    sentence of the paragraph that names one (a sentence of percentages and a citation in
    between does not break the thread): the year that frames it ("In 2017, …") or, without
    one, the last it names outside a comparison."""
    before = [t for t in ctx.sf.times if t.end <= pos and t.kind != "citation"]
    if before:
        return before[-1]
    for prev in ctx.earlier or ((ctx.prev,) if ctx.prev else ()):
        prior = [t for t in prev.times if t.kind != "citation"]
        if not prior:
            continue
        framing = FRAMING_YEAR.match(prev.text)
        if framing:
            for t in prior:
                if t.start - prev.sentence.start == framing.start(1):
                    return t
        # "the same year": the year of that sentence's own statement, i.e. the last it
        # names outside a comparison or a leading aside ("compared with … in 2012",
        # "After a peak in 2012, …").
        base = prev.sentence.start
        main = [t for t in prior if not _ASIDE_YEAR.search(
            prev.text[chunk_of(prev, t.start)[0] - base: t.start - base])]
        return (main or prior)[-1]
    return None


def nearest_time(times: list[TimeRef], pos: int) -> TimeRef | None:
    if not times:
        return None
    return min(times, key=lambda t: (min(abs(t.start - pos), abs(t.end - pos)), t.start))


def provenance(ctx: Context, start: int, end: int, rule: str) -> Provenance:
    return Provenance(start, end, ctx.sf.text, rule)


def noun_phrase_end(sf: SentenceFinds, pos: int) -> int:
    """End of the noun phrase that starts at `pos` ("the creation of <a new room …> is")."""
    base = sf.sentence.start
    m = re.search(r"[,;]|\b(?:is|are|was|were|will|has|have|had|to|which|that|designed)\b",
                  sf.text[pos - base :])
    return pos + (m.start() if m else len(sf.text) - (pos - base))


def is_heading(sf: SentenceFinds) -> bool:
    """A short line without sentence punctuation: a page topic, not a statement."""
    heading = sf.cache.get("is_heading")
    if heading is None:  # asked several times per sentence: computed once
        text = sf.text.strip()
        heading = len(text.split()) <= 8 and not re.search(r"[.!?;]\s*[\"”']?$", text)
        sf.cache["is_heading"] = heading
    return heading
