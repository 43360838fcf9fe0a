"""Plans: strategies, action plans, programmes and laws with the period they cover.

A plan head ("action plan", "National Programme", "law") becomes a row only when a year is
attached to it: in its name ("Strategy 2015-19", "the 2016 law", "Note of 2001", "for the
period 2010-2018") or by a dated adoption in the same clause ("In 1998, a law was
adopted"). Plans named without any year stay in the mention layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from pipeline.extract.match import Hit, SentenceFinds
from pipeline.extract.numbers import TimeRef
from pipeline.link.context import Context, clause_of, provenance, statement_country
from pipeline.types import Plan
from pipeline.vocab import load, phrases_regex

_LEFT_WORD = r"(?:[A-Z][\w’'/-]*|national|illicit|drugs?|four-year|three-year|triennial|federal|" \
             r"basic|public|comprehensive|current|new|first|second|\d{4}(?:\s?[-–/]\s?\d{2,4})?)"
# "action plans, for 2018-20 and …", ", which covered 2014-17", ": the first covered 2013 to 2016"
_PERIOD_GAP = re.compile(
    r"(?:[,;]\s+(?:which\s+)?|:\s+the\s+first,?\s+|"
    r"[,;]\s+the\s+(?:last|current|latest|first|second|previous|new|next|most\s+recent)\s+"
    r"(?:one\s+|of\s+(?:which|them)\s+)?)"
    r"(?:covers|covered|covering|runs|ran|for|spans|spanned|spanning|valid|running|"
    r"in\s+force)\s+"
    r"(?:(?:from|the)\s+)?(?:periods?\s+)?"
)
_SAME_PERIOD = re.compile(r"(?:\s+[\w-]+){0,4}?\s+(?:for|covering|over)\s+the\s+same\s+period\b",
                          re.I)
_ABOUT_PLAN = re.compile(r"\b(?:follow-up|evaluation|review|report|assessment|revision|update|"
                         r"implementation|progress)\s+(?:report\s+)?(?:of|on)\s+(?:the\s+)?"
                         r"(?:[\w-]+\s+){0,3}$", re.I)
# "Action Plan on … runs from 2015 to 2017": the verb is not part of the title.
_TITLE_VERB = re.compile(r",?\s+(?:which\s+)?(?:runs|ran|covers|covered|covering|spans|spanned|"
                         r"lasts|lasted|(?:is|was)\s+valid|valid|running|applies|applied)"
                         r"(?:\s+(?:from|the\s+years))?\s+(?=\d)")
_UNDER = re.compile(r"^\s+(?:under|within|implementing)\s+(?:the\s+)?(?:new\s+|national\s+|"
                    r"current\s+)?$", re.I)
# A law named by its date: "Decree of 19 January 1990", "Law of March 3, 2005", "Act dated
# 5 May 2001" (the month a capitalised word, the day one or two digits).
_DATED = re.compile(r"\s+(?:of|dated|from)\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]+\.?"
                    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+")
_QUOTED = re.compile(r"[‘'\"“][^‘’'\"“”]{3,120}[’'\"”],?")
_LEFT = re.compile(rf"(?:{_LEFT_WORD}\s+){{1,6}}$")
_LEFT_NAME = re.compile(r"(?:(?:[A-Z][\w’'/-]*|national|illicit|drugs?|federal)\s+){1,6}$")


@dataclass(frozen=True)
class Attached:
    head: Hit
    time: TimeRef
    name_start: int
    name_end: int
    rule: str


@cache
def _name_words() -> frozenset[str]:
    return frozenset(load("plans")["name_words"])


def _is_name_gap(gap: str, max_words: int = 14) -> bool:
    """Only words that can sit inside a plan's name between its head and its period."""
    gap = _QUOTED.sub(" Title ", gap)
    gap = re.sub(r"\s*\([^()]{1,30}\)", " ", gap)  # "Strategy (interim) 2009-16"
    gap = re.sub(r"(?<=[A-Z]\w)(\w*),(?=\s+[A-Z])", r"\1", gap)  # "for Drug, Tobacco and …"
    if _PERIOD_GAP.fullmatch(gap):
        return True  # "two action plans, covering the periods 2013-16 and …", ", which covered"
    words = re.findall(r"[^\s(]+", gap)
    if len(words) > max_words or re.search(r"[,;.:]", gap.replace("No.", "")):
        return False
    allowed = _name_words() | {"period", "covering", "covers", "covered", "runs", "ran",
                               "spans", "spanned", "lasts", "lasted", "from"}
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in allowed for w in words)


def _right_time(sf: SentenceFinds, head: Hit, heads: list[Hit]) -> tuple[TimeRef, str] | None:
    """A period written after the head: in its name, or 'which covers the period 2016-19'."""
    base = sf.sentence.start
    later = [t for t in sf.times if t.start >= head.end and t.kind != "citation"]
    for i, t in enumerate(later):
        gap = sf.text[head.end - base : t.start - base]
        # "The first action plan under the new strategy covers the period 2019-21": a head
        # the plan is "under" belongs to its name, it does not take the period.
        between = [h for h in heads if head.end <= h.start < t.start
                   and not _UNDER.search(sf.local(head.end, h.start))]
        if i == 0 and head.code == "law" and not between and _DATED.fullmatch(gap):
            return t, "plan:dated"  # "the Royal Decree of January 19, 1990"
        if i == 0:
            coordinated = between and re.match(
                r"\s+and\s+$", sf.text[head.end - base : between[0].start - base]
            )
            if _is_name_gap(gap) and not _DATE_LEAD.search(gap) and (not between or
                                                                     coordinated):
                return t, "plan:name-after"
        if between:
            return None
        if re.search(r"\b(?:period|years)\s*$", gap) or (
                t.kind == "range" and _COVERS.fullmatch(gap)):
            return t, "plan:period"  # "covers the period 2016-19", "covers 2018 to 2025"
    return None


def _left_time(sf: SentenceFinds, head: Hit) -> tuple[TimeRef, str] | None:
    base = sf.sentence.start
    before = sf.text[: head.start - base]
    m = _LEFT.search(before)
    if not m:
        return None
    left_start = base + m.start()
    for t in reversed(sf.times):
        if left_start <= t.start and t.end <= head.start and t.kind != "citation":
            if re.search(r"\b(?:in|during|since|by|from|until|of)\s+$",
                         sf.text[max(0, t.start - base - 8) : t.start - base], re.I):
                return None  # "Main trends in 2011 The National …": a date, not a name
            return t, "plan:name-before"
    return None


def _adopted_time(sf: SentenceFinds, head: Hit) -> tuple[TimeRef, str] | None:
    """'In 1998, a law was adopted', 'the White Paper …, which was approved … in 2014': the
    plan is the subject of the adoption (named before the verb, no other plan between)."""
    base = sf.sentence.start
    clause = clause_of(sf, head.start)
    rest = sf.text[clause[1] - base :]
    if re.match(r",\s+which\b", rest):  # the relative clause that follows speaks of the plan
        clause = (clause[0], clause_of(sf, clause[1] + rest.index("which"))[1])
    verbs = [h for h in sf.of("adoption") if head.end <= h.start < clause[1]]
    if not verbs or [p for p in sf.of("plan") if head.end <= p.start < verbs[0].start]:
        # "In 2019, the government adopted a new national drug strategy": the plan is the
        # object right after the verb.
        verbs = [h for h in sf.of("adoption") if clause[0] <= h.start and h.end <= head.start
                 and _OBJECT_GAP.fullmatch(sf.local(h.end, head.start))]
        if not verbs:
            return None
    if _ABOUT_PLAN.search(sf.local(clause[0], head.start)):
        return None  # "A follow-up of the ANDT strategy was published": not the strategy
    for t in sf.times:
        if clause[0] <= t.start < clause[1] and t.kind != "citation":
            lead = sf.text[max(0, t.start - base - 12) : t.start - base]
            if re.search(r"\b(?:in|since|from)\s+(?:the\s+\w+\s+of\s+)?$", lead, re.I):
                return t, "plan:adopted"
    return None


# "… covers the years 2018 to 2025", "… runs from 2021 until 2030"
_COVERS = re.compile(r"\s+(?:covers|covered|covering|runs|ran|spans|spanned|is\s+valid|"
                     r"was\s+valid|applies|applied)\s+(?:from\s+|the\s+(?:years\s+)?)?", re.I)
# "the strategy in 2018": a year after "in" dates something said of the plan, it is not
# part of the plan's name.
_DATE_LEAD = re.compile(r"\b(?:in|during|since|until)\s+$", re.I)
# Between an active adoption verb and the plan it adopts: articles and name words only
# ("adopted a new national drug strategy", "approved its first Action Plan on Drugs").
_OBJECT_GAP = re.compile(r"\s+(?:(?:a|an|the|its|their|new|first|second|third|revised|updated|"
                         r"national|federal|comprehensive|drugs?|anti-drug|[A-Z][\w’'-]*)\s+)*")


# "… for 2009-12 and 2013-16", "the first, covering 2015-16, and the second 2017-20"
_NEXT_PERIOD = re.compile(r",?\s+and\s+(?:the\s+(?:second|third|next|latest|last|new)\s+"
                          r"(?:one\s+)?)?(?:(?:covering|for|covers|covered)\s+)?", re.I)


def _coordinated(sf: SentenceFinds, time: TimeRef) -> list[TimeRef]:
    """'action plans for 2009-12 and 2013-16' → both periods."""
    base = sf.sentence.start
    out = []
    last = time
    for t in sf.times:
        if t.start > last.end and _NEXT_PERIOD.fullmatch(sf.text[last.end - base : t.start - base]):
            out.append(t)
            last = t
    return out


_TAIL = re.compile(r"(?:\s+(?:[A-Z][\w’'-]*|on|for|of|and|the|to|against|in))*")


def _name_tail(sf: SentenceFinds, head: Hit) -> int:
    """End of a plan's name written after its head: "White Paper on Drug Policy"."""
    base = sf.sentence.start
    m = _TAIL.match(sf.text, head.end - base)
    tail = m.group(0) if m else ""
    trimmed = re.sub(r"(?:\s+(?:on|for|of|and|the|to|against|in))+$", "", tail)
    return head.end + len(trimmed)


def _names_something_else(sf: SentenceFinds, head: Hit, time: TimeRef) -> bool:
    """"National Drug Strategy Household Survey 2019": the plan's name names a survey, a
    report or a body, not the plan. Not for laws: "decree of the President of the Council
    of Ministers of 12 January 2017"."""
    if head.code == "law":
        return False
    span = sf.local(min(head.end, time.end), max(head.end, time.start))
    nouns = phrases_regex(tuple(load("plans")["named_after_plans"]), before=r"\b", after=r"\b")
    return bool(nouns.search(span))


def attach_years(sf: SentenceFinds) -> list[Attached]:
    """Every (plan head, year) pair of a sentence, with the span of the plan's name (computed
    once per sentence: facts, events and plans all ask)."""
    if "plans" not in sf.cache:
        sf.cache["plans"] = _attach_years(sf)
    return sf.cache["plans"]


def _attach_years(sf: SentenceFinds) -> list[Attached]:
    # "the Government Council for Drug Policy": a head inside an organisation's name is not a plan
    heads = [h for h in sf.of("plan")
             if not any(s < h.start and h.end <= e for s, e, _ in sf.orgs)]
    out: list[Attached] = []
    heads = [h for h in heads if not any(
        o.end <= h.start and _UNDER.search(sf.local(o.end, h.start)) for o in heads)]
    for head in heads:
        found = _left_time(sf, head) or _right_time(sf, head, heads) or _adopted_time(sf, head)
        if not found or _names_something_else(sf, head, found[0]):
            continue
        time, rule = found
        start = min(head.start, time.start) if rule == "plan:name-before" else head.start
        left = _LEFT_NAME.search(sf.text[: start - sf.sentence.start])
        if left:  # "the Czech National Drug Policy Strategy": the name starts further left
            start = sf.sentence.start + left.start()
        end = time.end if rule in ("plan:name-after", "plan:period") else _name_tail(sf, head)
        out.append(Attached(head, time, start, end, rule))
        for extra in _coordinated(sf, time):
            out.append(Attached(head, extra, start, extra.end, rule + "+coordinated"))
    return out


def plan_year_spans(sf: SentenceFinds) -> set[tuple[int, int]]:
    """Spans of years that name a plan (never the year of a figure or event)."""
    return {(a.time.start, a.time.end) for a in attach_years(sf) if a.rule != "plan:adopted"}


def _period(a: Attached, sf: SentenceFinds) -> tuple[int | None, int | None]:
    t = a.time
    if t.kind in ("range", "split"):
        return t.start_year, t.year
    end = None
    base = sf.sentence.start
    m = re.search(rf"\buntil\s+({t.year // 1000}\d{{3}})\b", sf.text[a.head.end - base :])
    if a.rule == "plan:adopted" and m:
        end = int(m.group(1))
    return t.year, end


def _kind(a: Attached, sf: SentenceFinds) -> str:
    if a.head.code == "law":
        return "law"
    base = sf.sentence.start
    clause = clause_of(sf, a.head.start)
    end = clause[1] if a.rule == "plan:adopted" else max(a.name_end, a.head.end)
    name = sf.text[a.name_start - base : end - base].lower()
    # The words between the head and its period (or, for an adopted plan, its clause).
    topics = phrases_regex(tuple(load("plans")["other_topics"]))
    if topics.search(name) or topics.search(a.head.text):
        return "other"
    return a.head.code


def _measures(sf: SentenceFinds) -> int | None:
    base = sf.sentence.start
    for f in sf.figures:
        if re.match(r"\s+(?:\w+\s+)?measures\b", sf.text[f.end - base :]):
            return int(f.value)
    return None


def _same_period(ctx: Context) -> list[Attached]:
    """'… Strategy 2014-18 and its accompanying action plan for the same period': a head
    without a year of its own takes the period of the plan named before it (in this
    sentence, else in the previous one)."""
    sf = ctx.sf
    attached = attach_years(sf)
    dated = {a.head.start for a in attached}
    out = []
    for head in sf.of("plan"):
        if head.start in dated or head.code == "law":
            continue
        if not _SAME_PERIOD.match(sf.local(head.end, sf.sentence.end)):
            continue
        before = [a for a in attached if a.head.start < head.start and a.time.kind == "range"]
        if not before and ctx.prev is not None:
            before = [a for a in attach_years(ctx.prev) if a.time.kind == "range"]
        if before:
            out.append(Attached(head, before[-1].time, head.start, head.end, "plan:same period"))
    return out


def sentence_plans(ctx: Context) -> list[Plan]:
    sf = ctx.sf
    base = sf.sentence.start
    plans = []
    for a in attach_years(sf) + _same_period(ctx):
        start_year, end_year = _period(a, sf)
        name = sf.text[a.name_start - base : a.name_end - base]
        if name.count("(") > name.count(")") and sf.text[a.name_end - base :].startswith(")"):
            name += ")"  # "The Strategy (2021-2030)": the bracket its period opened
        title = _TITLE_VERB.sub(" ", name.strip())
        clause = clause_of(sf, a.head.start)
        own = [o for o in sf.orgs if clause[0] <= o[0] < clause[1]]
        authority = own[0][2].strip() if own else None  # who presents it, same clause
        plans.append(
            Plan(
                doc_id=ctx.doc_id,
                country=statement_country(ctx),
                kind=_kind(a, sf),
                start_year=start_year,
                end_year=end_year,
                prov=provenance(ctx, a.time.start, a.time.end, a.rule),
                title=title,
                measures=_measures(sf),
                authority=authority,
            )
        )
    return plans


def merge_plans(plans: list[Plan]) -> list[Plan]:
    """One row per (country, kind, period); later mentions fill in measures and authority."""
    merged: dict[tuple, Plan] = {}
    for p in plans:
        key = (p.country, p.kind, p.start_year, p.end_year)
        if key not in merged:
            merged[key] = p
            continue
        first = merged[key]
        merged[key] = replace(
            first,
            measures=first.measures if first.measures is not None else p.measures,
            authority=first.authority or p.authority,
        )
    return list(merged.values())
