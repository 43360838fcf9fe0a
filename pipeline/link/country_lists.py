"""Elliptic lists of countries: "31 rooms in 25 cities in Country A; 24 in 15 cities in
Country B", "Country A 4 000 in treatment (ratio 40); Country B 3 000 (55)".

Only the first item of such a list says what is counted; the items after it give a figure
and the country it belongs to. The sentence reader leaves those bare figures without a
counted noun; here, the n-th figure of a later item counts what the n-th figure of the first
item counts, for the country its own item names (RECORDS.md, "Multi-country text"). The
first item may say who is counted by where they are ("4 000 in treatment", "in OST").
Vocabulary in `data/country_lists.yaml`.
"""

from __future__ import annotations

import re
from functools import cache

from pipeline.countries import EU_CODE
from pipeline.extract.numbers import Figure
from pipeline.link.context import Context, provenance, spans, statement_country
from pipeline.link.facts import counted_noun, qualifier
from pipeline.link.figure_years import fact_year
from pipeline.link.indicators import PEOPLE, implausible
from pipeline.types import Fact
from pipeline.vocab import load

NO_NOUN = "no counted noun"
# Why the sentence reader left a later item's figure: no noun, or a noun without the
# service the first item names ("24 in 15 cities in Country B").
BARE = (NO_NOUN, "no indicator")
INHERITS = "inherits previous figure"


# What a figure of the first item counts: (indicator, how it was decided, year).
_Slot = tuple[str, str, int | None]


@cache
def _item_separator() -> re.Pattern[str]:
    """The separators of list items, compiled once."""
    return re.compile("|".join(re.escape(s) for s in load("country_lists")["item_separators"]))


def _items(ctx: Context) -> list[tuple[int, int]]:
    return spans(ctx.sf, _item_separator())


def _country_of(ctx: Context, item: tuple[int, int]) -> str | None:
    """The one country an item names (not the EU), else None."""
    codes = {c for s, _e, c in ctx.sf.countries if item[0] <= s < item[1] and c != EU_CODE}
    return codes.pop() if len(codes) == 1 else None


def _in_care(ctx: Context, fig: Figure, item: tuple[int, int]) -> tuple[str | None, str]:
    """'4 000 in treatment', '3 500 in opioid use disorder care', '900 in OST': the people
    counted by where they are."""
    vocab = load("country_lists")
    rest = ctx.sf.local(fig.end, item[1])
    m = re.match(rf"\s+in\s+((?:[\w-]+\s+){{0,{vocab['max_words_between']}}}?)"
                 rf"({'|'.join(map(re.escape, vocab['in_care_words']))})\b", rest, re.I)
    near = [s for s in ctx.sf.of("service")
            if fig.end < s.start <= fig.end + (m.end() if m else 12) and s.start < item[1]]
    if near and re.match(r"\s+in\s+", rest):
        code = load("indicators")["by_service"][PEOPLE].get(near[0].code)
        return code, f"list:in service:{near[0].code}"
    if m:
        return vocab["in_care_indicator"], "list:in care"
    return None, ""


def elliptic_facts(ctx: Context, facts: list[Fact], skipped: list[tuple[Figure, str]],
                   plan_years: set[tuple[int, int]]) -> tuple[list[Fact], list[tuple[Figure, str]]]:
    """The sentence's facts and skipped figures, with the bare figures of an elliptic country
    list turned into facts of their item's country."""
    items = [it for it in _items(ctx) if _country_of(ctx, it)]
    if len(items) < 2:
        return facts, skipped
    reason = {id(f): r for f, r in skipped}
    by_start = {f.prov.start_char: f for f in facts}
    first = items[0]
    model: list[_Slot | None] = []  # per figure of the first item
    made: list[Fact] = []
    replaced: dict[int, Fact] = {}
    for fig in [f for f in ctx.sf.figures if first[0] <= f.start < first[1]]:
        if fig.start in by_start:
            fact = by_start[fig.start]
            model.append((fact.indicator, fact.prov.rule.split(";")[0], fact.year))
            continue
        indicator, how = _in_care(ctx, fig, first) if reason.get(id(fig)) == NO_NOUN else (
            None, "")
        if indicator is None or implausible(indicator, fig.value):
            model.append(None)
            continue
        time, year_rule = fact_year(ctx, fig, ctx.sf.figures, plan_years)
        made.append(_fact(ctx, fig, indicator, time.year if time else None,
                          f"{how};{year_rule}"))
        model.append((indicator, how, made[-1].year))
    if not any(model):
        return facts, skipped
    for item in items[1:]:
        figs = [f for f in ctx.sf.figures if item[0] <= f.start < item[1]]
        if not _parallel(ctx, figs, model):
            continue
        own_year = any(item[0] <= t.start < item[1] for t in ctx.sf.times)
        for fig, slot in zip(figs, model, strict=False):
            if slot is None or implausible(slot[0], fig.value):
                continue
            inherited = by_start.get(fig.start)
            if inherited is not None and inherited.prov.rule.startswith(INHERITS):
                # "…; and 3 in Country C": what the figure in its place in the first item
                # counts, not what the figure just before it counts
                replaced[fig.start] = _fact(ctx, fig, slot[0], inherited.year,
                                            f"{slot[1]}+elliptic list;year:of the list")
                continue
            if not reason.get(id(fig), "").startswith(BARE):
                continue
            year, year_rule = slot[2], "year:of the list"
            if own_year:  # "…; 24 in 2019 in Country B": the item's own year
                time, year_rule = fact_year(ctx, fig, ctx.sf.figures, plan_years)
                year = time.year if time else None
            made.append(_fact(ctx, fig, slot[0], year, f"{slot[1]}+elliptic list;{year_rule}"))
    done = {f.prov.start_char for f in made}
    kept = [replaced.get(f.prov.start_char, f) for f in facts]
    return kept + made, [(f, r) for f, r in skipped if f.start not in done]


def _parallel(ctx: Context, figs: list[Figure], model: list[_Slot | None]) -> bool:
    """Is a later item built like the first: no more figures, and each figure that has a
    counted noun counts what the figure in its place did ("24 in 15 cities" after "31 rooms
    in 25 cities"; not "15 cities had one")?"""
    if len(figs) > len(model):
        return False
    for fig, slot in zip(figs, model, strict=False):
        counted = counted_noun(ctx.sf, fig)
        if counted is None:
            continue
        m = re.match(r"(?:label:)?noun:(\w+)", slot[1]) if slot else None
        if m is None or counted.noun_class != m.group(1):
            return False
    return True


def _fact(ctx: Context, fig: Figure, indicator: str, year: int | None, rule: str) -> Fact:
    return Fact(doc_id=ctx.doc_id, country=statement_country(ctx, fig.start),
                indicator=indicator, year=year, value=fig.value,
                qualifier=qualifier(ctx.sf, fig), unit=fig.unit,
                prov=provenance(ctx, fig.start, fig.end, rule), value_high=fig.value_high)

