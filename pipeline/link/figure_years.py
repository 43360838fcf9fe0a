"""The year a figure refers to: "in 2015", "By 2015", "during that year", a period's end.

Candidates are the times of the figure's sentence, in this order: "(2012: 4 625 121)", a
year phrase right after the figure in its clause, "that year" resolved to the year named
before, the ends of a period for "from X to Y", a year before the figure that dates its
chunk, and the year that frames the whole sentence ("In 2015, …").
"""

from __future__ import annotations

import re

from pipeline.extract.match import SentenceFinds
from pipeline.extract.numbers import Figure, TimeRef
from pipeline.link.context import (
    FRAMING_YEAR,
    Context,
    chunk_of,
    clause_of,
    previous_year,
    usable_times,
)
from pipeline.vocab import load, phrases_regex

_LABEL_LINE = re.compile(r"\s*[-•*–]?\s*[A-Z][^:.;]{2,80}:\s+\S[^;]{0,60}(?<![.!?])$")
_PRONOUN_CLAUSE = re.compile(r"[\s,;]*(?:and\s+|but\s+)?(?:they|it|these|this|which|both)\b",
                             re.I)
_ASIDE = re.compile(r",\s[^,]{1,40},\s")
_RELATIVE_CHUNK = re.compile(r"[,;]?\s*(?:during|over|in|throughout|by|to|for|of|from)\s+"
                             r"(?:which|whom)\b", re.I)
PRESENT = re.compile(r"\b(?:now|currently|at present|today|nowadays)\b", re.I)

_YEAR_LEAD = re.compile(
    r"(?:\b(?:in|during|by|as of|up to|until|at the end of|end of|for|throughout)"
    r"(?:\s+the)?(?:\s+(?:state\s+)?(?:calendar|fiscal|financial|reporting))?"
    r"(?:\s+(?:year|period))?\s*$)|\($",
    re.I,
)


def fact_year(
    ctx: Context, fig: Figure, figures: list[Figure], plan_years: set[tuple[int, int]]
) -> tuple[TimeRef | None, str]:
    """The year a figure refers to, and the rule that decided it."""
    sf = ctx.sf
    base = sf.sentence.start
    times = usable_times(sf, plan_years)
    # "(2012: 4 625 121)"
    for t in times:
        if 0 <= fig.start - t.end <= 2 and sf.text[t.end - base : fig.start - base].strip() == ":":
            return t, "year:colon"
    clause = clause_of(sf, fig.start)
    later_figs = [f.start for f in figures if f.start > fig.start]
    next_fig = min(later_figs) if later_figs else clause[1]
    # Year phrase after the figure in the same clause, no comma or other figure between.
    for t in times:
        if fig.end <= t.start < min(clause[1], next_fig):
            # "two syringe exchange points, in Belgrade and Novi Sad, remained open in 2016":
            # an aside between commas does not separate the figure from its year.
            gap = _ASIDE.sub(" ", sf.text[fig.end - base : t.start - base])
            colon_year = sf.text[t.end - base : t.end - base + 1] == ":"
            if "," not in gap and not colon_year and (
                _YEAR_LEAD.search(gap) or t.kind == "range"
            ):
                return t, "year:after"
    # "…, during which some 1 200 kits were handed out", "…, to whom 160 000 syringes were
    # handed out": a relative chunk takes the time of what it relates to.
    chunk = chunk_of(sf, fig.start)
    if _RELATIVE_CHUNK.match(sf.text[chunk[0] - base : fig.start - base]):
        prior = [t for t in times if t.end <= chunk[0]]
        if prior:
            return prior[-1], "year:relative"
    anaphor = [h for h in sf.of("year_anaphor") if clause[0] <= h.start < clause[1]
               or _opens_sentence(sf, h)]
    if anaphor:  # "during that year", "That year, …": the year named just before
        prior = previous_year(ctx, anaphor[0].start)
        if prior:
            return prior, "year:anaphor"
    # "Between 2003 and 2015, … from 1.7 million to 6 million": ends of the period.
    period = [t for t in times if t.end <= fig.start and t.kind == "range"]
    lead = sf.text[max(0, fig.start - base - 30) : fig.start - base].lower()
    if period and not [t for t in times if period[-1].end <= t.start < fig.start]:
        if re.search(r"\bfrom\s+(?:\w+\s+){0,2}$", lead):
            return TimeRef(period[-1].start, period[-1].end, period[-1].start_year), "year:from"
        if re.search(r"\bto\s+(?:\w+\s+){0,2}$", lead) and re.search(
            r"\bfrom\b", sf.text[period[-1].end - base : fig.start - base]
        ):
            return TimeRef(period[-1].start, period[-1].end, period[-1].year), "year:to"
    before = [t for t in times if clause[0] <= t.start and t.end <= fig.start
              and _dates_chunk(sf, t, fig)]
    if before:
        if PRESENT.search(sf.text[before[-1].end - base : fig.start - base]):
            return None, "year:present"  # "opened in 2005 and now serves 400 clients"
        return before[-1], "year:before"
    framing = FRAMING_YEAR.match(sf.text)
    if framing and not PRESENT.search(sf.text[: fig.start - base]):
        for t in times:
            if t.start - base == framing.start(1):
                return t, "year:sentence-frame"
    if _LABEL_LINE.match(sf.text):
        # A key-figure line, "Estimated number of PWID (2015): 8 600", or one under a
        # heading that dates its block, "Key figures 2017".
        label = [t for t in times if t.end <= fig.start]
        if len(label) == 1:
            return label[0], "year:label"
        if ctx.heading is not None:
            dated = [t for t in ctx.heading.times if t.kind != "citation"]
            if len(dated) == 1:
                return dated[0], "year:block heading"
    trailing = _trailing_year(sf, times, figures)
    if trailing is not None and fig.start < trailing.start < clause[1]:
        # "more than 281 000 syringes were distributed and the service reached about 2 590
        # clients in 2015": a year closing the sentence dates every clause before it.
        return trailing, "year:trailing"
    note = _data_year_note(sf, times)
    if note is not None:
        return note, "year:data note"  # "(data from 2011) … 1 500 patients per year"
    if _continues_data(sf, fig):
        prior = previous_year(ctx, sf.sentence.start)
        if prior is not None:
            return prior, "year:continues"  # "Between 1998 and 2005, … Of these, 1 210 were …"
    # "…, in 2017 only 10 programmes remained active; they distributed 150 000 syringes":
    # a clause whose subject is a pronoun goes on about the time named just before.
    if _PRONOUN_CLAUSE.match(sf.text[clause[0] - base : fig.start - base]):
        prior = [t for t in times if t.end <= clause[0]]
        if prior:
            return prior[-1], "year:pronoun clause"
    return None, "year:none"


def _data_year_note(sf: SentenceFinds, times: list[TimeRef]) -> TimeRef | None:
    """The year of a note dating the sentence's data: "(data from 2011)", "figures for 2010"."""
    note = phrases_regex(tuple(load("cues")["data_year_notes"]), after=r"\s+$")
    base = sf.sentence.start
    for t in times:
        if t.kind in ("year", "date") and note.search(sf.text[max(0, t.start - base - 20):
                                                               t.start - base]):
            return t
    return None


def _continues_data(sf: SentenceFinds, fig: Figure) -> bool:
    """Does the sentence go on with the data of the sentence before: "Of these, …", "They
    were …", or a breakdown of a total ("… are divided into the following categories")?"""
    cues = load("cues")
    openers = phrases_regex(tuple(cues["continuing_openers"]), before=r"^\W*", after=r"\b")
    breakdown = phrases_regex(tuple(cues["breakdown_phrases"]), after=r"\b")
    lead = sf.text[: fig.start - sf.sentence.start]
    # "Eight of the cases were …": a part of what the sentence before counted
    part = not re.search(r"\w", lead) and re.match(r"\s+of\s+(?:the|these|those|them)\b",
                                                    sf.text[fig.end - sf.sentence.start :], re.I)
    return bool(openers.match(sf.text) or breakdown.search(lead) or part)


_TRAILING_END = re.compile(r"\s*(?:\([^)]*\))?\s*[.;!]?\s*$")


def _trailing_year(
    sf: SentenceFinds, times: list[TimeRef], figures: list[Figure]
) -> TimeRef | None:
    """The sentence's only year, when it closes the sentence after all its figures ("… in
    2015.") and the figures are coordinated statements before it (joined by "and" without
    a comma: the same clause), none in the present tense."""
    if len(times) != 1 or times[0].kind not in ("year", "range", "date"):
        return None
    t = times[0]
    base = sf.sentence.start
    if any(f.start > t.start for f in figures) or not _TRAILING_END.match(sf.text[t.end - base:]):
        return None
    lead = sf.text[: t.start - base]
    if not _YEAR_LEAD.search(lead) or PRESENT.search(lead):
        return None
    return t


def _opens_sentence(sf: SentenceFinds, hit) -> bool:  # noqa: ANN001 - a Hit
    """"In the same year, 14 300 persons …, and 4 800 of them …": it frames every clause."""
    return not re.sub(r"^\W*(?:in|during|over|at|by)?\s*", "", sf.local(sf.sentence.start,
                                                                       hit.start), flags=re.I)


# Words that may stand beside a year in a chunk of its own ("and, by the end of 2017, …").
_YEAR_PHRASE_WORDS = frozenset(
    "and in by during over from between up to as of since at the end year period alone its "
    "their peak height start beginning close middle early late calendar fiscal financial "
    "state inclusive".split()
)
# "In the ten-year period from 2019 to 2028 inclusive, …": a length in years names the period.
_YEARS_LONG = re.compile(r"[\w]+-years?", re.I)


def _dates_chunk(sf: SentenceFinds, t: TimeRef, fig: Figure) -> bool:
    """Can a year before the figure date it? Yes in the figure's own comma chunk, when the
    figure's chunk goes on from it ("in 1993, when 76 000 syringes …", "in 2017, with
    448 000 syringes handed out"), or when the year
    stands alone in its chunk ("and, in 2017, services reached …"); not from an aside
    ("OST, made regular in 1999, is offered in 22 centres")."""
    fig_chunk = chunk_of(sf, fig.start)
    if fig_chunk[0] <= t.start:
        return True
    base = sf.sentence.start
    if re.match(r"\s*(?:when|where|while|with|compared|at)\b", sf.text[fig_chunk[0] - base :],
                re.I):
        return True
    t_chunk = chunk_of(sf, t.start)
    rest = (sf.text[t_chunk[0] - base : t.start - base] + " "
            + sf.text[t.end - base : t_chunk[1] - base])
    return all(w.lower() in _YEAR_PHRASE_WORDS or _YEARS_LONG.fullmatch(w)
               for w in rest.split())
