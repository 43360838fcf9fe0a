"""Figures and time expressions in a sentence: pure regex scanning and value normalisation.

Offsets returned here are relative to the string scanned. Order matters: year ranges and
dates are claimed first, so a 4-digit year is never merged into a neighbouring number and a
document number ("Law No 4139/2013") never yields a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TimeRef:
    """A year, a period or a month-year. `year` is the year a figure would take."""

    start: int
    end: int
    year: int
    start_year: int | None = None  # for periods and split years
    month: int | None = None
    kind: str = "year"  # year | range | split | date | citation


@dataclass(frozen=True)
class NonFigure:
    """A number-looking span that is deliberately not a figure, with the reason (debugging)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Scan:
    figures: list[Figure]
    times: list[TimeRef]
    nonfigures: list[NonFigure]


def parse_number(raw: str) -> float:
    """'76 000', '76,000' → 76000; '1.7' → 1.7. Thousands separators are spaces or commas."""
    cleaned = re.sub(r"[ ,]", "", raw.strip())
    return float(cleaned)


def expand_short_year(start: int, tail: str) -> int:
    """'2015' + '19' → 2019; '2010' + '2018' → 2018; '1999' + '02' → 2002."""
    if len(tail) == 4:
        return int(tail)
    century = start // 100 * 100
    end = century + int(tail)
    return end if end >= start else end + 100


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    nums = load("numbers")
    months = "|".join(nums["months"])
    words = "|".join(sorted(nums["words"], key=len, reverse=True))
    scales = "|".join(sorted(nums["scales"], key=len, reverse=True))
    digit = rf"(?:\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)|\d+)(?:\.\d+)?"
    num = rf"(?:{digit})(?:\s(?:{scales})\b)?"
    month = rf"(?:{months})"
    yr = rf"(?<![\w./:-]){YEAR_RE}"
    return {
        "file_hint": re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|csv|zip|txt)(?![a-z])", re.I),
        "file": re.compile(r"\S*\.(?:pdf|docx?|xlsx?|pptx?|csv|zip|txt)(?![a-z])", re.I),
        "date": re.compile(
            rf"(?=\d)(?<![\w.])(\d{{1,2}})\s+({month})\s*,?\s+({YEAR_RE})(?![\w/])", re.I
        ),
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
        "qty_range": re.compile(
            rf"(?=[b(\d])(?:\bbetween\s+({num})\s+and\s+({num}))"
            rf"|(?:\((?:range|95\s?%\s?CI|CI)?:?\s*({num})\s*[-–]\s*({num})\s*\))"
            rf"|(?:(?<![\w.,])(?<![Ff]rom )({num})\s+to\s+({num})(?=\s+[a-z]))",
            re.I,
        ),
        "number": re.compile(rf"(?=\d)(?!0\d)(?<![\w.,/:€$-])({num})(?![\w/:]|\.\d|,\d)", re.I),
        "word": re.compile(
            rf"(?=[otfsenh])(?<![\w-])({words})(?:[- ]({words}))?(?:\s({scales}))?\b(?![-])", re.I
        ),
        "percent": re.compile(r"^\s?(?:%|per cent\b|percent\b)", re.I),
        "currency_before": re.compile(r"(?:€|\beur\b|\beuro\b)\s?$", re.I),
        "currency_after": re.compile(r"^\s?(?:€|eur\b|euros?\b)", re.I),
        "duration": re.compile(
            rf"^\s?(?:[-–]\s?(?:\d+\s?)?)?(?:{'|'.join(map(re.escape, nums['duration_words']))})\b",
            re.I,
        ),
        "reference": re.compile(
            rf"(?:^|\W)(?:{'|'.join(map(re.escape, nums['reference_words']))})\s?$", re.I
        ),
    }


def _value(raw: str) -> float:
    nums = load("numbers")
    parts = raw.strip().split()
    if len(parts) > 1 and parts[-1].lower() in nums["scales"]:
        return parse_number(" ".join(parts[:-1])) * nums["scales"][parts[-1].lower()]
    return parse_number(raw)


def _word_value(match: re.Match[str]) -> float:
    nums = load("numbers")
    words = nums["words"]
    first = words[match.group(1).lower()]
    second = words[match.group(2).lower()] if match.group(2) else 0
    value = first * second if second == 100 else first + second
    if match.group(3):
        value *= nums["scales"][match.group(3).lower()]
    return float(value)


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


def _scan_times(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    for m in p["file"].finditer(text) if p["file_hint"].search(text) else ():
        # A line naming a file ("24 108 1500 Name_v1.0.pdf 454 KB") is a download link:
        # nothing on it is a figure.
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        claims.take(line_start, line_end)
        out.nonfigures.append(NonFigure(line_start, line_end, "file name"))
    for name in ("numeric_date", "time"):
        for m in p[name].finditer(text):
            if claims.free(m.start(), m.end()):
                claims.take(m.start(), m.end())
                out.nonfigures.append(NonFigure(m.start(), m.end(), name.replace("_", " ")))
    for m in p["date"].finditer(text):
        claims.take(m.start(), m.end())
        year = int(m.group(3))
        out.times.append(TimeRef(m.start(), m.end(), year, month=_month(m.group(2)), kind="date"))
    for m in p["word_range"].finditer(text):
        if not claims.free(m.start(), m.end()):
            continue
        first, last = int(m.group(2)), int(m.group(4))
        if last <= first:
            continue
        claims.take(m.start(), m.end())
        month = _month(m.group(3)) if m.group(3) else None
        out.times.append(TimeRef(m.start(), m.end(), last, first, month, "range"))
    for m in p["split_range"].finditer(text):
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
    for m in p["dash_range"].finditer(text):
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
    for m in p["docnum"].finditer(text):
        if claims.free(m.start(), m.end()):
            claims.take(m.start(), m.end())
            out.nonfigures.append(NonFigure(m.start(), m.end(), "document number"))
    for m in p["month_year"].finditer(text):
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
        claims.take(m.start(), m.end())
        kind = "citation" if _is_citation(text, m.start(), m.end()) else "year"
        out.times.append(TimeRef(m.start(), m.end(), int(m.group(1)), kind=kind))


def _blocked(text: str, start: int, end: int) -> str | None:
    p = _patterns()
    if p["duration"].match(text[end:]):
        return "duration, age or size"
    if p["reference"].search(text[:start]):
        return "reference or page number"
    return None


def _unit(text: str, start: int, end: int) -> tuple[str, int]:
    p = _patterns()
    m = p["percent"].match(text[end:])
    if m:
        return "percent", end + m.end()
    if p["currency_before"].search(text[:start]):
        return "eur", end
    m = p["currency_after"].match(text[end:])
    if m:
        return "eur", end + m.end()
    return "count", end


def _scan_figures(text: str, claims: _Claims, out: Scan, has_digit: bool = True) -> None:
    if has_digit:
        _scan_digit_figures(text, claims, out)
    _scan_word_figures(text, claims, out)


# "3.4 Injecting equipment provision": a numbered heading (no sentence end of its own).
_SECTION_NUMBER = re.compile(r"\s*(\d{1,2}(?:\.\d{1,2}){1,3}\.?)\s+(?=[A-Z])")


def _scan_digit_figures(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    section = _SECTION_NUMBER.match(text)
    if section and len(text) < 150 and not text.rstrip().endswith((".", "!", "?")):
        claims.take(section.start(1), section.end(1))
        out.nonfigures.append(NonFigure(section.start(1), section.end(1), "section number"))
    for m in p["qty_range"].finditer(text):
        groups = [g for g in m.groups() if g]
        low, high = _value(groups[0]), _value(groups[1])
        if high <= low or not claims.free(m.start(), m.end()):
            continue
        reason = _blocked(text, m.start(), m.end())
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
        reason = _blocked(text, start, end)
        if reason:
            out.nonfigures.append(NonFigure(start, end, reason))
            continue
        unit, _ = _unit(text, start, end)
        paren = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
        out.figures.append(Figure(start, end, _value(m.group(1)), unit, parenthesised=paren))


def _scan_word_figures(text: str, claims: _Claims, out: Scan) -> None:
    p = _patterns()
    for m in p["word"].finditer(text):
        if not claims.free(m.start(), m.end()):
            continue
        if re.match(r"\s+(?:of|another|or two)\b", text[m.end():], re.I):
            continue  # "one of the pillars", "one another"
        claims.take(m.start(), m.end())
        reason = _blocked(text, m.start(), m.end())
        if reason:
            out.nonfigures.append(NonFigure(m.start(), m.end(), reason))
            continue
        out.figures.append(Figure(m.start(), m.end(), _word_value(m), words=True))


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


def scan(text: str) -> Scan:
    """All figures, time expressions and rejected number-like spans of one sentence."""
    out = Scan([], [], [])
    claims = _Claims()
    has_digit = bool(_DIGIT.search(text))  # most sentences have none: only number words
    if has_digit:
        _scan_times(text, claims, out)
    _scan_figures(text, claims, out, has_digit)
    out.figures.sort(key=lambda f: f.start)
    _intervals_to_nonfigures(text, out)
    out.times.sort(key=lambda t: t.start)
    out.nonfigures.sort(key=lambda n: n.start)
    return out
