"""Figures and time expressions in a sentence: pure regex scanning and value normalisation.

Offsets returned here are relative to the string scanned. Order matters: year ranges and
dates are claimed first, so a 4-digit year is never merged into a neighbouring number and a
document number ("Law No 4139/2013") never yields a year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from pipeline.vocab import load

YEAR_RE = r"(?:19[5-9]\d|20[0-4]\d)"
_SEP = r"[ ,]"  # after ingest, every Unicode space (NBSP, thin space …) is a plain space
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Figure:
    """A number stated in the text, normalised."""

    start: int
    end: int
    value: float
    unit: str = "count"  # count | percent | eur
    value_high: float | None = None  # set for ranges "between 11 000 and 15 000"
    words: bool = False  # written as a word ("five")
    parenthesised: bool = False  # "(17)"
    # A hedge the number grammar read itself: a symbol before ("~ 2 000", "≥ 50") or words
    # after ("50 or more"); None when the hedge, if any, is a phrase before (cues.yaml).
    qualifier: str | None = None
    # Start of the run of bare numbers this one was split from ("100 200 300 400", a
    # flattened chart axis or table row), else None: such a number has no noun of its own.
    run: int | None = None

    def shifted(self, by: int) -> Figure:
        """The same figure `by` characters later (a sentence's scan placed in its document;
        `dataclasses.replace` costs three times as much on this hot path)."""
        return Figure(self.start + by, self.end + by, self.value, self.unit, self.value_high,
                      self.words, self.parenthesised, self.qualifier, self.run)


@dataclass(frozen=True)
class TimeRef:
    """A year, a period or a month-year. `year` is the year a figure would take."""

    start: int
    end: int
    year: int
    start_year: int | None = None  # for periods and split years
    month: int | None = None
    kind: str = "year"  # year | range | split | date | citation

    def shifted(self, by: int) -> TimeRef:
        return TimeRef(self.start + by, self.end + by, self.year, self.start_year, self.month,
                       self.kind)


@dataclass(frozen=True)
class NonFigure:
    """A number-looking span that is deliberately not a figure, with the reason (debugging)."""

    start: int
    end: int
    reason: str

    def shifted(self, by: int) -> NonFigure:
        return NonFigure(self.start + by, self.end + by, self.reason)


@dataclass(frozen=True)
class Scan:
    figures: list[Figure]
    times: list[TimeRef]
    nonfigures: list[NonFigure]


_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"\d{1,3},\d{1,2}")


def parse_number(raw: str, dot_thousands: bool = True) -> float:
    """'76 000', '76,000' → 76000; '1.7' → 1.7; '5.600', '12.500' → 5600, 12500 (dot
    thousands of translated reports: a group of exactly three digits after the dot).
    Thousands separators are spaces, commas or apostrophes ("1'234"). Never raises on long
    digit runs: a run too long to be a float is `inf`, which the caller rejects."""
    cleaned = raw.strip()
    if dot_thousands and _DOT_THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = re.sub(r"[ ,'’]", "", cleaned)
    try:
        return float(cleaned)
    except OverflowError:  # pragma: no cover - float() returns inf rather than raising
        return math.inf


def expand_short_year(start: int, tail: str) -> int:
    """'2015' + '19' → 2019; '2010' + '2018' → 2018; '1999' + '02' → 2002."""
    if len(tail) == 4:
        return int(tail)
    century = start // 100 * 100
    end = century + int(tail)
    return end if end >= start else end + 100


def _alternation(words) -> str:  # noqa: ANN001 - any iterable of phrases
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    nums = load("numbers")
    cues = load("cues")
    months = "|".join(nums["months"])
    scales = "|".join(sorted(nums["scales"], key=len, reverse=True))
    word_scales = _alternation(s for s in nums["scales"] if s not in nums["digit_only_scales"])
    # Thousands groups are exactly three digits and one separator throughout ("76 000",
    # "76,000", "5.600" in translated reports); a number ends where the grouping breaks.
    # Swiss reports group with an apostrophe ("1'234"); a decimal comma is read only before
    # a scale word ("2,5 million"), where it cannot be a thousands comma.
    digit = (
        r"(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?"
        r"|\d{1,3}(?: \d{3})+(?!\d)(?:\.\d+)?"
        r"|\d{1,3}(?:['’]\d{3})+(?!\d)(?:\.\d+)?"
        rf"|\d{{1,3}},\d{{1,2}}(?=\s(?:{scales})\b)"
        rf"|[1-9]\d{{0,2}}(?:\.\d{{3}})+(?!\d|[.,]\d)(?!\s?(?:%|per\s?cent\b|(?:{scales})\b))"
        r"|\d+(?:\.\d+)?)"
    )
    num = rf"(?:{digit})(?:\s(?:{scales})\b)?"
    month = rf"(?:{months})"
    # not inside a code or range ("No-2018", "1999-2018"), but after "mid-", "end-" …
    yr = (rf"(?:(?<![\w./:-])|(?<=[Mm]id-)|(?<=[Ee]nd-)|(?<=[Ee]arly-)|(?<=[Ll]ate-))"
          rf"{YEAR_RE}")
    word = rf"(?:{_alternation(nums['words'])}|{_alternation(nums['multipliers'])}|{word_scales})"
    ones = _alternation(nums["one_words"])
    fractions = _alternation(nums["fraction_words"])
    lead_in = (rf"(?:(?:{fractions})\s+(?:{ones})\s+|(?:{ones})\s+)"
               rf"(?=(?:{_alternation(nums['multipliers'])}|{word_scales})\b)")
    # first letters a number word can start with: the scan skips every other position
    starts = "".join(sorted({w[0] for w in (*nums["words"], *nums["one_words"],
                                            *nums["fraction_words"])}))
    count_nouns = _alternation(p for ps in load("indicators")["nouns"].values() for p in ps)
    return {
        "file_hint": re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|csv|zip|txt)(?![a-z])", re.I),
        "file": re.compile(r"\S*\.(?:pdf|docx?|xlsx?|pptx?|csv|zip|txt)(?![a-z])", re.I),
        # "12 January 2017", "31st of December 2011", "1st January 2010"
        "date": re.compile(
            rf"(?=\d)(?<![\w.])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({month})\s*,?\s+"
            rf"({YEAR_RE})(?![\w/])", re.I
        ),
        # "December 31, 2012", "July 1st 2011": month first (US style)
        "date_us": re.compile(
            rf"\b({month})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)({YEAR_RE})(?![\w/])",
            re.I),
        # "on 1 July" without a year: the day is no figure. The month capitalised, as
        # English writes it ("3 may be" is no date).
        "day_month": re.compile(
            rf"(?=\d)(?<![\w.,])\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?"
            rf"(?-i:{'|'.join(m.capitalize() for m in nums['months'])})\b", re.I),
        "month_year": re.compile(rf"\b({month})\s+(?:of\s+)?({YEAR_RE})(?![\w/])", re.I),
        "numeric_date": re.compile(r"(?=\d)\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"),
        "time": re.compile(r"(?=\d)\b\d{1,2}:\d{2}\b"),
        "docnum": re.compile(
            r"\b\d+(?:/\d+)+\b|\b\d{4}:\d+\b|\b(?:No\.?|Nr\.?|n°)\s*\d[\w/.-]*", re.I
        ),
        "word_range": re.compile(
            rf"\b(?:between|from)\s+(?:(?!and\b|to\b)[\w’']+\s+){{0,4}}?(?:({month})\s+)?"
            rf"({YEAR_RE})\s+(?:and|to|until)\s+(?:({month})\s+)?({YEAR_RE})(?![\w/])",
            re.I,
        ),
        # "Over 2011/12 to 2018/19": a period of split years
        "split_range": re.compile(
            rf"\b(?:over|from|between)\s+({YEAR_RE})/(\d{{2}})\s+(?:to|and|until)\s+"
            rf"({YEAR_RE})/(\d{{2}})(?![\w/])",
            re.I,
        ),
        "to_range": re.compile(rf"(?=[12]){yr}\s+(?:to|until|till)\s+{YEAR_RE}(?![\w/])", re.I),
        "dash_range": re.compile(rf"(?=[12])({yr})\s?([-–/])\s?(\d{{4}}|\d{{2}})(?![\w/]|\.\d)"),
        "year": re.compile(rf"(?=[12])({yr})(?![\w/]|-\d|–\d|\.\d)"),
        "decade": re.compile(rf"(?=\d)(?:{yr}s\b|(?<![\w.])\d0s\b)"),
        # A year-like number that counts: "1995 clients", "deaths totalled 1995 in 2018".
        "count_noun_after": re.compile(
            rf"\s+(?:(?:{_alternation(nums['count_noun_modifiers'])}|\w+-\w+)\s+)?"
            rf"(?:{count_nouns})\b", re.I),
        "count_verb_before": re.compile(rf"\b(?:{_alternation(nums['count_verbs'])})\s+$", re.I),
        "year_word_before": re.compile(
            rf"\b(?:{_alternation(nums['year_words_before'])})\s*[,(]?\s*$", re.I),
        "year_after": re.compile(rf"\s+(?:in|during|by|for)\s+(?:the\s+year\s+)?{YEAR_RE}\b",
                                 re.I),
        "qty_range": re.compile(
            rf"(?=[b(\d])(?:\bbetween\s+({num})\s+and\s+({num}))"
            rf"|(?:\((?:range|95\s?%\s?CI|CI)?:?\s*({num})\s*[-–—]\s*({num})\s*\))"
            rf"|(?:(?<![\w.,])(?<![Ff]rom )({num})\s+to\s+({num})(?=\s+[a-z]))"
            # "2 000–2 500 clients", "150 - 200": a dash range, one space at most each side
            rf"|(?:(?<![\w.,/:-])({num})\s?[-–—]\s?({num})(?![\w/:-]|[.,]\d|[–—]\d))",
            re.I,
        ),
        "number": re.compile(rf"(?=\d)(?!0\d)(?<![\w.,/:€$-])({num})(?![\w/:]|\.\d|,\d)", re.I),
        "word": re.compile(
            rf"(?i:(?=[{starts}]))(?<![\w-])(?:{lead_in})?{word}(?:(?:\s*-\s*|\s+and\s+|\s+){word})*"
            r"\b(?!-)",
            re.I,
        ),
        "word_token": re.compile(r"[a-z]+", re.I),
        # "1 in 10 clients", "one in five": a ratio (the first number the smaller)
        "ratio": re.compile(
            rf"(?<![\w.,])(\d{{1,3}}|{_alternation(nums['words'])}|{ones})\s+"
            rf"(?:{_alternation(nums['ratio_words'])})\s+({digit}|{_alternation(nums['words'])})"
            r"\b(?![.,]\d)",
            re.I,
        ),
        # Necessary conditions of "ratio" and "qty_range" (the ratio word between blanks before
        # a number; per branch of qty_range: "between", the bracket before its first number,
        # "to" or a dash before a number, a number starting with a digit): cheap searches
        # that let most sentences skip the full patterns.
        "ratio_hint": re.compile(rf"\s(?:{_alternation(nums['ratio_words'])})\s+"
                                 rf"(?:\d|{_alternation(nums['words'])})", re.I),
        "qty_range_hint": re.compile(
            r"between|\((?:range|95\s?%\s?CI|CI)?:?\s*\d|\sto\s+\d|[-–—]\s?\d", re.I),
        "qualifier_before": re.compile(
            rf"(?:^|(?<=[\s(]))(?:{_alternation(cues['qualifier_symbols'])})\s?$", re.I),
        "qualifier_after": re.compile(
            rf"^\s?(?:{_alternation(p for ps in cues['qualifiers_after'].values() for p in ps)})"
            r"(?![\w+])",
            re.I,
        ),
        "percent": re.compile(r"^\s?(?:%|per cent\b|percent\b)", re.I),
        "currency_before": re.compile(r"(?:€|\beur\b|\beuro\b)\s?$", re.I),
        "currency_after": re.compile(r"^\s?(?:€|eur\b|euros?\b)", re.I),
        "duration": re.compile(
            rf"^\s?(?:[-–]\s?(?:\d+\s?)?)?(?:{'|'.join(map(re.escape, nums['duration_words']))})\b",
            re.I,
        ),
        "duration_compound": re.compile(
            rf"^\s?(?:{'|'.join(map(re.escape, nums['duration_compounds']))})\b", re.I
        ),
        "reference": re.compile(
            rf"(?:^|\W)(?:{'|'.join(map(re.escape, nums['reference_words']))})\s?$", re.I
        ),
    }


def _value(raw: str) -> float:
    nums = load("numbers")
    parts = raw.strip().split()
    if len(parts) > 1 and parts[-1].lower() in nums["scales"]:
        number = " ".join(parts[:-1])  # "1.500 million" is 1.5 million
        if _DECIMAL_COMMA.fullmatch(number):
            number = number.replace(",", ".")  # "2,5 million"
        return parse_number(number, dot_thousands=False) * nums["scales"][parts[-1].lower()]
    return parse_number(raw)


def _scale_of(raw: str) -> float:
    parts = raw.strip().split()
    scales = load("numbers")["scales"]
    return scales[parts[-1].lower()] if len(parts) > 1 and parts[-1].lower() in scales else 1


@dataclass
class _WordState:
    """One number being read from a run of number words."""

    start: int
    end: int = 0
    total: float = 0
    group: float = 0
    last: str = ""  # unit | teen | tens | hundred | dozen | scale | one | fraction | and
    cap: float = math.inf  # a later scale must be smaller ("two million three thousand")
    fraction: float = 1

    def value(self) -> float:
        return self.total + self.group

    def complete(self) -> bool:
        return self.last not in ("", "one", "fraction", "and")


def _word_kind(word: str) -> tuple[str, float]:
    nums = load("numbers")
    if word in nums["words"]:
        v = nums["words"][word]
        return ("unit" if v < 10 else "teen" if v < 20 else "tens"), v
    if word in nums["multipliers"]:
        v = nums["multipliers"][word]
        return ("hundred" if v == 100 else "dozen"), v
    if word in nums["scales"]:
        return "scale", nums["scales"][word]
    if word in nums["fraction_words"]:
        return "fraction", nums["fraction_words"][word]
    if word in nums["one_words"]:
        return "one", 1
    return "and", 0


_FOLLOWS = {  # which kind of word may follow which inside one number
    "": {"unit", "teen", "tens", "one", "fraction"},
    "unit": {"hundred", "dozen", "scale"},
    "teen": {"hundred", "scale"},
    "tens": {"unit", "scale"},
    "hundred": {"unit", "teen", "tens", "scale", "and"},
    "dozen": {"scale"},
    "scale": {"unit", "teen", "tens", "and"},
    "one": {"hundred", "dozen", "scale"},
    "fraction": {"one"},
    "and": {"unit", "teen", "tens"},
}


def _extend(state: _WordState, kind: str, value: float) -> bool:
    """Add one word to the number being read; False when it cannot continue it."""
    if kind not in _FOLLOWS[state.last]:
        return False
    if kind == "unit" and state.last == "tens" and state.group % 10:
        return False
    if kind in ("unit", "teen", "tens"):
        state.group += value
    elif kind in ("hundred", "dozen"):
        if state.group >= 100:
            return False
        state.group = (state.group or 1) * value
    elif kind == "scale":
        if value >= state.cap:
            return False
        state.total += (state.group or 1) * value * state.fraction
        state.group, state.cap, state.fraction = 0, value, 1
    elif kind == "one":
        state.group = 1
    elif kind == "fraction":
        state.fraction = value
    state.last = kind
    return True


def word_numbers(text: str, start: int, end: int) -> list[tuple[int, int, float]]:
    """The numbers in a run of number words: "one hundred and sixteen" → 116, "twelve
    thousand five hundred" → 12500, "half a million" → 500000, "five ten" → 5 and 10."""
    p = _patterns()
    out: list[tuple[int, int, float]] = []
    state: _WordState | None = None
    for tok in p["word_token"].finditer(text, start, end):
        kind, value = _word_kind(tok.group().lower())
        if state is not None and _extend(state, kind, value):
            if kind != "and":
                state.end = tok.end()
            continue
        if state is not None and state.complete():
            out.append((state.start, state.end, state.value()))
        state = _WordState(tok.start())
        if not _extend(state, kind, value):
            state = None
        else:
            state.end = tok.end()
    if state is not None and state.complete():
        out.append((state.start, state.end, state.value()))
    return out


class _Claims:
    """Character spans already explained, so later patterns do not reuse them."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.spans)

    def take(self, start: int, end: int) -> None:
        self.spans.append((start, end))


def _month(name: str) -> int:
    return load("numbers")["months"].index(name.lower()) + 1


def _is_citation(text: str, start: int, end: int) -> bool:
    """'Viral Hepatitis in Europe, 2014' / '(Trimbos Instituut, 2019)' / 'Addiction (2019),'."""
    before = text[:start]
    after = text[end:]
    if re.search(r"[A-Z][\w.]*,\s$", before) and re.match(
        r"\s*(?:[);:]|$|\.\s*$|,\s*(?:pp?\.|page|table|figure|fig\.)\s*\d)", after, re.I
    ):
        return True  # "(NRS, 2022)", "(NRS, 2022, p. 11)"
    return bool(re.search(r"[A-Z][\w.]*\s\($", before) and re.match(r"\)\s*[,.]", after))


# Characters one of which a pattern family needs to match at all (a necessary condition).
_NEEDS = {"numeric_date": "/.", "time": ":", "dash_range": "-–/"}


def _has_any(text: str, chars: str) -> bool:
    return any(c in text for c in chars)


@cache
def _words_needed() -> dict[str, tuple[str, ...]]:
    """Lower-case strings one of which a case-insensitive family needs to match at all."""
    months = tuple(load("numbers")["months"])
    return {"date": months, "date_us": months, "day_month": months, "month_year": months,
            "word_range": ("between", "from"),
            "docnum": ("/", ":", "no", "nr", "n°")}


def ascii_lowered(text: str) -> str | None:
    """`text` lower-cased when it is ASCII (there IGNORECASE is plain lower-casing), else
    None: the input of `may_contain`."""
    return text.lower() if text.isascii() else None


def may_contain(lowered: str | None, needles: Iterable[str]) -> bool:
    """A cheap necessary condition of a case-insensitive pattern every match of which holds
    one of the lower-case `needles`: false only for an ASCII text (`ascii_lowered`) that
    holds none of them."""
    return lowered is None or any(n in lowered for n in needles)


def _may_match(lowered: str | None, family: str) -> bool:
    return may_contain(lowered, _words_needed()[family])


def _scan_times(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    lowered = ascii_lowered(text)
    for m in p["file"].finditer(text) if p["file_hint"].search(text) else ():
        # A line naming a file ("24 108 1500 Name_v1.0.pdf 454 KB") is a download link:
        # nothing on it is a figure.
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        claims.take(line_start, line_end)
        out.nonfigures.append(NonFigure(line_start, line_end, "file name"))
    # Each family below is skipped when a character it cannot match without is absent.
    for name in ("numeric_date", "time"):
        if not _has_any(text, _NEEDS[name]):
            continue
        for m in p[name].finditer(text):
            if claims.free(m.start(), m.end()):
                claims.take(m.start(), m.end())
                out.nonfigures.append(NonFigure(m.start(), m.end(), name.replace("_", " ")))
    for m in p["date"].finditer(text) if _may_match(lowered, "date") else ():
        claims.take(m.start(), m.end())
        year = int(m.group(3))
        out.times.append(TimeRef(m.start(), m.end(), year, month=_month(m.group(2)), kind="date"))
    for m in p["date_us"].finditer(text) if _may_match(lowered, "date_us") else ():
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.times.append(TimeRef(m.start(), m.end(), int(m.group(3)),
                                     month=_month(m.group(1)), kind="date"))
    for m in p["day_month"].finditer(text) if _may_match(lowered, "day_month") else ():
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.nonfigures.append(NonFigure(m.start(), m.end(), "day of a month"))
    for m in p["word_range"].finditer(text) if _may_match(lowered, "word_range") else ():
        if not claims.free(m.start(), m.end()):
            continue
        first, last = int(m.group(2)), int(m.group(4))
        if last <= first:
            continue
        claims.take(m.start(), m.end())
        month = _month(m.group(3)) if m.group(3) else None
        out.times.append(TimeRef(m.start(), m.end(), last, first, month, "range"))
    for m in p["split_range"].finditer(text) if "/" in text else ():
        first = expand_short_year(int(m.group(1)), m.group(2))
        last = expand_short_year(int(m.group(3)), m.group(4))
        if claims.free(m.start(), m.end()) and last > first:
            claims.take(m.start(), m.end())
            out.times.append(TimeRef(m.start(), m.end(), last, first, kind="range"))
    for m in p["to_range"].finditer(text):
        years = [int(y) for y in re.findall(YEAR_RE, m.group(0))]
        if claims.free(m.start(), m.end()) and years[1] > years[0]:
            claims.take(m.start(), m.end())
            out.times.append(TimeRef(m.start(), m.end(), years[1], years[0], kind="range"))
    for m in p["dash_range"].finditer(text) if _has_any(text, _NEEDS["dash_range"]) else ():
        if not claims.free(m.start(), m.end()):
            continue
        first = int(m.group(1))
        last = expand_short_year(first, m.group(3))
        if last <= first or last - first > 30:
            continue
        split = m.group(2) == "/"
        if split and last != first + 1:
            continue
        claims.take(m.start(), m.end())
        out.times.append(
            TimeRef(m.start(), m.end(), last, first, kind="split" if split else "range")
        )
    for m in p["docnum"].finditer(text) if _may_match(lowered, "docnum") else ():
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.nonfigures.append(NonFigure(m.start(), m.end(), "document number"))
    for m in p["month_year"].finditer(text) if _may_match(lowered, "month_year") else ():
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.times.append(
                TimeRef(m.start(), m.end(), int(m.group(2)), month=_month(m.group(1)))
            )
    for m in p["decade"].finditer(text):
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.nonfigures.append(NonFigure(m.start(), m.end(), "decade"))
    for m in p["year"].finditer(text):
        if not claims.free(m.start(), m.end()):
            continue
        if re.match(r"\s?(?:%|per cent)", text[m.end():]):
            continue  # "2015 %" is not a year; leave it to the figure scan
        if _year_counts(text, m.start(), m.end()):
            continue  # "1995 clients", "deaths totalled 1995 in 2018": a count
        claims.take(m.start(), m.end())
        kind = "citation" if _is_citation(text, m.start(), m.end()) else "year"
        out.times.append(TimeRef(m.start(), m.end(), int(m.group(1)), kind=kind))


def _year_counts(text: str, start: int, end: int) -> bool:
    """Is a year-like number a count? Before a counted noun and after no year word ("1995
    clients", not "In 2015 clients …"), or after a count verb with a year of its own after it
    ("deaths totalled 1995 in 2018")."""
    p = _patterns()
    before = text[:start]
    # The anchored match first: the end-anchored search scans all of `before`.
    if p["year_after"].match(text, end) and p["count_verb_before"].search(before):
        return True
    return bool(p["count_noun_after"].match(text, end)) and not (
        p["year_word_before"].search(before) if before.strip() else False
    ) and not re.search(r"(?:[\d–-]|\b[A-Z]\w*)\s*$", before)  # "Plan 2015", "2014-2015"


@cache
def _reach() -> dict[str, int]:
    """How far back an end-anchored pattern on the text before a figure can reach: its
    longest phrase plus the characters around it (a blank, a boundary character), so a
    search of that window finds what a search of the whole text before the figure finds."""
    nums, cues = load("numbers"), load("cues")
    return {"reference": max(map(len, nums["reference_words"])) + 4,
            "qualifier_before": max(map(len, cues["qualifier_symbols"])) + 4,
            "currency_before": len("euro") + 4}


def _search_before(name: str, text: str, end: int) -> re.Match[str] | None:
    """`_patterns()[name].search(text[:end])` for a pattern anchored at its end (`$`)
    with a bounded length, looking only at the window it can reach (a long sentence would
    otherwise be scanned from its start for every figure)."""
    return _patterns()[name].search(text, max(0, end - _reach()[name]), end)


def _blocked(text: str, start: int, end: int) -> str | None:
    p = _patterns()
    if p["duration"].match(text[end:]) and not p["duration_compound"].match(text[end:]):
        return "duration, age or size"
    if _search_before("reference", text, start):
        return "reference or page number"
    return None


def _unit(text: str, start: int, end: int) -> tuple[str, int]:
    p = _patterns()
    m = p["percent"].match(text[end:])
    if m:
        return "percent", end + m.end()
    if _search_before("currency_before", text, start):
        return "eur", end
    m = p["currency_after"].match(text[end:])
    if m:
        return "eur", end + m.end()
    return "count", end


# "3.4 Injecting equipment provision": a numbered heading (no sentence end of its own).
_SECTION_NUMBER = re.compile(r"\s*(\d{1,2}(?:\.\d{1,2}){1,3}\.?)\s+(?=[A-Z])")


def _scan_digit_figures(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    section = _SECTION_NUMBER.match(text)
    if section and len(text) < 150 and not text.rstrip().endswith((".", "!", "?")):
        claims.take(section.start(1), section.end(1))
        out.nonfigures.append(NonFigure(section.start(1), section.end(1), "section number"))
    for m in p["qty_range"].finditer(text) if p["qty_range_hint"].search(text) else ():
        groups = [(m.start(i), m.end(i)) for i in range(1, 9) if m.group(i)]
        low_raw, high_raw = (text[s:e] for s, e in groups)
        low, high = _value(low_raw), _value(high_raw)
        if _scale_of(low_raw) == 1 and _scale_of(high_raw) > 1 and low * _scale_of(high_raw) < high:
            low *= _scale_of(high_raw)  # "2-3 million": both ends are millions
        if high <= low or not claims.free(m.start(), m.end()):
            continue
        reason = _blocked(text, m.start(), m.end()) or _too_large(high_raw, high)
        claims.take(m.start(), m.end())
        if reason:
            out.nonfigures.append(NonFigure(m.start(), m.end(), reason))
            continue
        unit, _ = _unit(text, m.start(), m.end())
        out.figures.append(Figure(m.start(), m.end(), low, unit, value_high=high))
    for m in p["number"].finditer(text):
        start, end = m.start(1), m.end(1)
        if not claims.free(start, end):
            continue
        claims.take(start, end)
        parts = _groups_apart(m.group(1))
        for s, e in parts:
            _add_digit_figure(text, start + s, start + e, out, start if len(parts) > 1 else None)


def _groups_apart(raw: str) -> list[tuple[int, int]]:
    """Spans of the numbers in one digit match: itself, or, for a run of space-separated
    groups longer than a number has or stepping like a chart axis ("100 200 300 400"),
    each group on its own."""
    nums = load("numbers")
    if not re.fullmatch(r"\d{1,3}(?: \d{3})+", raw):
        return [(0, len(raw))]
    groups = raw.split(" ")
    values = [int(g) for g in groups]
    steps = {b - a for a, b in zip(values, values[1:], strict=False)}
    axis = len(groups) >= 3 and len(groups[0]) == 3 and len(steps) == 1 and steps != {0}
    if len(groups) - 1 <= nums["max_thousands_groups"] and not axis:
        return [(0, len(raw))]
    spans, pos = [], 0
    for g in groups:
        spans.append((pos, pos + len(g)))
        pos += len(g) + 1
    return spans


def _too_large(raw: str, value: float) -> str | None:
    nums = load("numbers")
    if len(re.sub(r"\D", "", raw)) > nums["max_digits"] or not value <= nums["max_value"]:
        return "too large to be a count"
    return None


def _add_digit_figure(text: str, start: int, end: int, out: Scan, run: int | None) -> None:
    raw = text[start:end]
    value = _value(raw)
    reason = _blocked(text, start, end) or _too_large(raw, value)
    if reason:
        out.nonfigures.append(NonFigure(start, end, reason))
        return
    unit, _ = _unit(text, start, end)
    if unit == "percent" and _DOT_THOUSANDS.fullmatch(raw):
        value = parse_number(raw, dot_thousands=False)  # "5.600 %" is a decimal
    paren = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
    out.figures.append(Figure(start, end, value, unit, parenthesised=paren, run=run))


def _scan_word_figures(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    for m in p["word"].finditer(text):
        for start, end, value in word_numbers(text, m.start(), m.end()):
            if not claims.free(start, end):
                continue
            if re.match(r"\s+(?:another|or two)\b", text[end:], re.I) or (
                value == 1 and re.match(r"\s+of\b", text[end:], re.I)
            ):
                continue  # "one of the pillars", "one another" (but "eight of the cases")
            claims.take(start, end)
            reason = _blocked(text, start, end)
            if reason:
                out.nonfigures.append(NonFigure(start, end, reason))
                continue
            out.figures.append(Figure(start, end, value, words=True))


def _scan_ratios(text: str, claims: _Claims, out: Scan) -> None:
    """'1 in 10 clients', 'one in five': a ratio, so neither number is a count."""
    p = _patterns()
    for m in p["ratio"].finditer(text) if p["ratio_hint"].search(text) else ():
        first, second = (_ratio_term(m.group(i)) for i in (1, 2))
        if first < second and first <= 10 and claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.nonfigures.append(NonFigure(m.start(), m.end(), "ratio"))


def _ratio_term(raw: str) -> float:
    nums = load("numbers")
    word = raw.lower()
    if word in nums["words"]:
        return nums["words"][word]
    if word in nums["one_words"]:
        return 1
    return parse_number(raw)


def _qualified(text: str, fig: Figure) -> Figure:
    """The hedge the grammar reads itself: a symbol before ("~ 2 000", "≥ 50", "ca. 300") or
    words after ("50 or more", "20 or fewer"), mapped to the spec's qualifier codes."""
    p = _patterns()
    cues = load("cues")
    before = _search_before("qualifier_before", text, fig.start)
    if before:
        symbol = text[before.start() : fig.start].strip().lower()
        return replace(fig, qualifier=cues["qualifier_symbols"][symbol])
    after = p["qualifier_after"].match(text[fig.end :])
    if after:
        words = after.group().strip().lower()
        code = next(c for c, ps in cues["qualifiers_after"].items() if words in ps)
        return replace(fig, qualifier=code)
    return fig


def _intervals_to_nonfigures(text: str, out: Scan) -> None:
    """'estimated at 8 600 (range 6 000-13 000)': the bracketed range is the interval of the
    figure before it, not a figure of its own."""
    kept: list[Figure] = []
    for f in out.figures:
        previous = kept[-1] if kept else None
        if (f.value_high is not None and text[f.start : f.start + 1] == "("
                and previous is not None and not text[previous.end : f.start].strip()):
            out.nonfigures.append(NonFigure(f.start, f.end, "interval of the preceding figure"))
            continue
        kept.append(f)
    out.figures[:] = kept
    out.nonfigures.sort(key=lambda n: n.start)


_WORD_RUN = re.compile(r"\w+")


@cache
def _first_number_words() -> frozenset[str]:
    """Words one of which every match of the "word" pattern contains as a whole word (its
    first number word: a lead-in "a"/"half a" is always followed by one of them)."""
    nums = load("numbers")
    return frozenset([*nums["words"], *nums["multipliers"],
                      *(s for s in nums["scales"] if s not in nums["digit_only_scales"])])


def _may_have_number_word(text: str) -> bool:
    """A necessary condition of the "word" pattern, several times cheaper than its search."""
    return not _first_number_words().isdisjoint(_WORD_RUN.findall(text.casefold()))


def scan(text: str) -> Scan:
    """All figures, time expressions and rejected number-like spans of one sentence."""
    out = Scan([], [], [])
    claims = _Claims()
    has_digit = bool(_DIGIT.search(text))  # most sentences have none: only number words
    if has_digit:
        _scan_times(text, claims, out)
    has_word = _may_have_number_word(text) and bool(_patterns()["word"].search(text))
    if has_digit or has_word:  # a ratio needs a number
        _scan_ratios(text, claims, out)
    if has_digit:
        _scan_digit_figures(text, claims, out)
    if has_word:  # no number word anywhere: the word scan would find nothing
        _scan_word_figures(text, claims, out)
    out.figures[:] = sorted((_qualified(text, f) for f in out.figures), key=lambda f: f.start)
    _intervals_to_nonfigures(text, out)
    out.times.sort(key=lambda t: t.start)
    out.nonfigures.sort(key=lambda n: n.start)
    return out
