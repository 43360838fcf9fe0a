"""Indicator lookup: noun classes, their service mapping and plausibility, from
`data/indicators.yaml`.

Shared by sentence facts (`facts.py`) and table facts (`tables.py`). Code names noun classes
only through `noun_class()`, which refuses a class the vocabulary does not define, so the
vocabulary stays the one source of the classes (a test cross-checks codes and classes).
"""

from __future__ import annotations

import math
from functools import cache

from pipeline.vocab import load, phrases_regex


def noun_class(name: str) -> str:
    """A noun class of `indicators.yaml` by name (raises if the vocabulary lacks it)."""
    if name not in load("indicators")["nouns"]:
        raise KeyError(f"noun class {name!r} is not in indicators.yaml nouns")
    return name


PEOPLE = noun_class("people")
CASES = noun_class("cases")
ENTRANTS = noun_class("entrants")
SYRINGES = noun_class("syringes")
DEATHS = noun_class("deaths")
# Every noun class the code names (the cross-check test reads this).
CLASSES_USED = (PEOPLE, CASES, ENTRANTS, SYRINGES, DEATHS)


def indicator_codes() -> set[str]:
    """Every indicator code the vocabulary can produce."""
    ind = load("indicators")
    codes = set(ind["standalone"].values()) | set(ind["estimates"])
    for mapping in ind["by_service"].values():
        codes |= set(mapping.values())
    return codes | set(ind["plausible_max"]) - {"default"}


@cache
def phrase_codes(name: str, section: str | None = None) -> dict[str, str]:
    """phrase (lower case) → code of a vocabulary whose entries are code: [phrases]."""
    data = load(name)
    data = data[section] if section else data
    return {p.lower(): code for code, phrases in data.items() for p in phrases}


def _find(label: str, phrases: dict[str, str]) -> list[tuple[int, int, str]]:
    rx = phrases_regex(tuple(phrases), after=r"\b")
    return [(m.start(), m.end(), phrases[m.group().lower()]) for m in rx.finditer(label)]


def standalone_indicator(cls: str, text: str) -> tuple[str | None, str]:
    """(indicator, how) for a noun class that is an indicator by itself ("deaths"), when
    the lower-cased `text` has the qualifying words it needs ("drug-induced")."""
    ind = load("indicators")
    needed = ind["standalone_requires"].get(cls)
    if needed and not any(w in text for w in needed):
        return None, f"noun:{cls} without {needed[0]}"
    also = ind.get("standalone_requires_also", {}).get(cls, [])
    if not all(w in text for w in also):
        return None, f"noun:{cls} without {' '.join(also)}"
    return ind["standalone"][cls], f"noun:{cls}"


def label_indicator(label: str) -> tuple[str | None, str]:
    """(indicator, how) for a row or key-figure label; the counted noun is the first noun
    class in the label outside a service name ("Clients of drug consumption rooms"), else
    the one inside it ("Drug consumption rooms")."""
    ind = load("indicators")
    services = _find(label, phrase_codes("services"))
    nouns = _find(label, phrase_codes("indicators", "nouns"))
    outside = [n for n in nouns if not any(s <= n[0] < e for s, e, _ in services)]
    noun = (outside or nouns or [None])[0]
    if noun is None:
        return None, "row label names no counted noun"
    cls = noun[2]
    low = label.lower()
    if cls in ind["standalone"]:
        return standalone_indicator(cls, low)
    if not services and "estimat" in low:
        # "Estimated number of people who use opioids (alternatively, … who inject drugs)":
        # the population the label names first.
        named = [(low.find(p), code) for code, phrases in ind["estimates"].items()
                 for p in phrases if p in low]
        if named:
            return min(named)[1], "noun:estimate"
    if not services and len(nouns) == 1:
        # A key-figure label that is only a population ("People who inject drugs: 12 000",
        # "High-risk opioid users: 18 000 (2017)"): its size, the population estimate.
        written = label[noun[0] : noun[1]].lower()
        for code, phrases in ind["estimates"].items():
            if written in phrases:
                return code, "noun:estimate label"
    mapping = ind["by_service"].get(cls, {})
    for _s, _e, service in services:
        if service in mapping:
            return mapping[service], f"noun:{cls}+service:{service}"
    return None, f"row label: {cls} without a service it counts"


def label_services(label: str) -> list[str]:
    """The services a row label names, in order, each once ("Number of OAT clients")."""
    codes = [code for _s, _e, code in _find(label, phrase_codes("services"))]
    return list(dict.fromkeys(codes))


def implausible(indicator: str, value: float) -> str | None:
    """Why a value cannot be this indicator's count (bounds are data), or None."""
    bounds = load("indicators")["plausible_max"]
    top = bounds.get(indicator, bounds["default"])
    if not math.isfinite(value) or value < 0:
        return "not a finite count"
    if value != int(value):
        return f"a fraction is no count of {indicator}"
    if value > top:
        return f"implausible for {indicator} (above {top:g})"
    return None
