"""PDF page layout: lines with geometry → running headers dropped → paragraphs.

Pure functions over `Line`s (no PDF library here): which lines are page furniture, where a
column ends, whether a line continues the paragraph before it, and how a word broken at a
line end is re-joined. `pdf.py` reads the lines from pdfium and assembles the text.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import cache

from pipeline.vocab import load


@dataclass(frozen=True)
class Line:
    """One text line as pdfium reports it, in PDF user space (y grows upwards)."""

    text: str
    x0: float
    x1: float
    y: float  # baseline of the first character
    y_end: float  # baseline of the last character (lower when pdfium merged a hyphenated break)
    size: float



# --------------------------------------------------------------------------- vocabulary


@cache
def _layout() -> dict:
    return load("pdf")


@cache
def _page_number_res() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in _layout()["page_number_patterns"])


@cache
def _compound_words() -> frozenset[str]:
    return frozenset(_layout()["compound_first_words"])


# pdfium marks a hyphen it took for a line-end hyphenation with U+FFFE (sometimes U+0002).
SOFT_BREAK = "\ufffe\x02"
_SOFT_RE = re.compile(r"(\w*)[\ufffe\x02]\s*(\w*)")
_HYPHENATED_WORD = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")
# A physical line: up to a line break, or up to and including a soft hyphenation mark.
PHYSICAL_LINE_RE = re.compile(r"[^\r\n\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")
_DIGITS = re.compile(r"\d+")


# --------------------------------------------------------------------------- furniture


def _furniture_key(line: Line) -> str:
    """Same words (digits aside), same size, same height on the page: a running header or
    footer; a body line that happens to repeat is hardly ever at the same height."""
    return f"{_DIGITS.sub('#', line.text.casefold())}@{round(line.size)}@{round(line.y)}"


def _is_page_number(text: str) -> bool:
    return any(p.match(text) for p in _page_number_res())


def drop_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Remove running headers/footers and page numbers: lines in the top or bottom band of
    a page that repeat on many pages (digits ignored), or that are a bare page number."""
    cfg = _layout()

    def in_band(line: Line, height: float) -> bool:
        return line.y > height * (1 - cfg["header_band"]) or line.y < height * cfg["footer_band"]

    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        seen.update({_furniture_key(ln) for ln in lines if in_band(ln, height)})
    threshold = max(2, math.ceil(cfg["repeat_share"] * len(pages)))
    repeated = {k for k, c in seen.items() if c >= threshold}
    title = _title_text(pages)

    def furniture(line: Line, height: float, body_size: float) -> bool:
        if not in_band(line, height):
            return False
        return (_furniture_key(line) in repeated or _is_page_number(line.text)
                or (line.size < body_size and _repeats_title(line.text, title)))

    out = []
    for lines, height in zip(pages, heights, strict=True):
        body = statistics.median([ln.size for ln in lines]) if lines else 0.0
        out.append([ln for ln in lines if not furniture(ln, height, body)])
    return out


def _title_text(pages: list[list[Line]]) -> str:
    """The largest text of the first page with text: a running header often repeats it."""
    for lines in pages:
        if lines:
            size = max(ln.size for ln in lines)
            return " ".join(ln.text for ln in lines if ln.size == size).casefold()
    return ""


def _repeats_title(text: str, title: str) -> bool:
    """A small line in the band that is the title, or its start cut short ("…")."""
    text = text.casefold().rstrip(".… ")
    return len(text) >= 12 and title.startswith(text)


# --------------------------------------------------------------------------- paragraphs


@dataclass
class Columns:
    """Where the document's columns start and end. A line belongs to the column start
    nearest its left end, and is "narrow" when it ends before the next column to its
    right begins (the left column of a two-column page), else "wide" (one column across)."""

    starts: list[float]
    edges: dict[tuple[int, bool], float]

    def key(self, line: Line) -> tuple[int, bool]:
        start = min(range(len(self.starts)), key=lambda i: abs(self.starts[i] - line.x0),
                    default=0)
        right = [x for x in self.starts if x > line.x0 + 50]
        return start, bool(right) and line.x1 < right[0]

    def right_edge(self, line: Line) -> float:
        return self.edges.get(self.key(line), line.x1)


def _clusters(values: list[float], gap: float) -> list[list[float]]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= gap:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def column_edges(pages: list[list[Line]]) -> Columns:
    """Column starts (left ends shared by many lines) and, per column kind, the right edge:
    the 90th percentile of its lines' ends, so one stray long line does not move it."""
    lines = [ln for page in pages for ln in page]
    dense = max(3, len(lines) // 20)
    starts = [c[0] for c in _clusters([ln.x0 for ln in lines], 15.0) if len(c) >= dense]
    columns = Columns(starts or [0.0], {})
    ends: dict[tuple[int, bool], list[float]] = {}
    for ln in lines:
        ends.setdefault(columns.key(ln), []).append(ln.x1)
    for key, xs in ends.items():
        xs.sort()
        columns.edges[key] = xs[min(len(xs) - 1, int(0.9 * len(xs)))]
    return columns


@dataclass
class PageLayout:
    """Measures the paragraph rules compare lines against: the page's line pitch, and each
    line's column edge. Lines set one under the other at the line pitch and the same left
    end form a run; the right-most end of a run of two lines or more is its column's edge,
    measured where the line is, so pages mixing one and two columns are read right. A line
    alone falls back to the document's columns."""

    pitch: float
    columns: Columns
    run_edges: dict[int, float]  # id(line) -> edge of its run
    left: float = 0.0  # left-most start of a line on the page

    def right_edge(self, line: Line) -> float:
        return self.run_edges.get(id(line)) or self.columns.right_edge(line)


def page_layout(lines: list[Line], columns: Columns) -> PageLayout:
    gaps = [a.y_end - b.y for a, b in zip(lines, lines[1:], strict=False)
            if 0 < a.y_end - b.y < 3 * max(a.size, 1.0)]
    size = statistics.median([ln.size for ln in lines]) if lines else 10.0
    pitch = statistics.median(gaps) if gaps else 1.2 * size
    runs: list[list[Line]] = []
    for ln in lines:
        prev = runs[-1][-1] if runs else None
        # A run also ends where lines get much shorter: one column across, then two.
        if prev is not None and abs(prev.size - ln.size) <= 0.6 \
                and abs(prev.x0 - ln.x0) <= max(15.0, 3 * ln.size) \
                and 0.3 * pitch < prev.y_end - ln.y <= 1.6 * pitch \
                and prev.x1 - ln.x1 <= 0.25 * (prev.x1 - prev.x0):
            runs[-1].append(ln)
        else:
            runs.append([ln])
    edges = {}
    for run in runs:
        if len(run) >= 2:
            edge = max(ln.x1 for ln in run)
            edges.update((id(ln), edge) for ln in run)
    return PageLayout(pitch, columns, edges, min((ln.x0 for ln in lines), default=0.0))


def wrapped(a: Line, b: Line, layout: PageLayout) -> bool:
    """Was line `a` broken because the next word (`b`'s first) did not fit after it? Only
    then can `b` continue a's paragraph; a line ending in a hyphen was broken inside a word."""
    if a.text[-1] in "-\ufffe\x02":
        return True
    word = b.text.split(" ", 1)[0]
    # pdfium merges a line broken by hyphenation with the next one: measure the last.
    last = re.split(r"[\ufffe\x02]", a.text)[-1]
    char_width = (a.x1 - a.x0) / max(len(last), 1)
    # One character of slack: the edge is an estimate, and splitting a paragraph (and so
    # a sentence) costs more than joining a heading-less paragraph to the one before.
    return a.x1 + char_width * (len(word) + 2) > layout.right_edge(a)


def continues(a: Line, b: Line, layout: PageLayout) -> bool:
    """Is line `b` the next line of the paragraph that line `a` is in?"""
    if abs(a.size - b.size) > 0.6:
        return False  # a heading and body text differ in size
    dy = a.y_end - b.y
    if dy > 1.6 * layout.pitch:
        return False  # paragraph spacing
    if 0.3 * layout.pitch < dy and b.x0 > a.x0 + max(a.size, 4.0) and (
            b.x0 - a.x0 < 0.5 * (layout.right_edge(a) - a.x0)):
        return False  # first-line indent
    # Same column, next line; or b is level with / above a: the next column or page.
    if wrapped(a, b, layout):
        return True
    # A centred title or heading over two lines.
    return 0.3 * layout.pitch < dy and _centred(a, b, layout)


def _centred(a: Line, b: Line, layout: PageLayout) -> bool:
    """Two lines centred on the same axis, neither at the left margin (a title)."""
    indent = layout.left + 2 * a.size
    return (a.x0 > indent and b.x0 > indent
            and abs((a.x0 + a.x1) / 2 - (b.x0 + b.x1) / 2) < max(a.size, 6.0))


def _join_key(left: str, right: str) -> str:
    return f"{left}-{right}".casefold()


def dehyphenate(left: str, right: str, hyphenated: frozenset[str]) -> str:
    """Join a word broken at a line end: keep the hyphen where the document writes the word
    with one, after digits, before capitals, and after words that start compounds."""
    if not left or not right:
        return left + right
    if (left[-1].isdigit() or right[0].isdigit() or right[0].isupper()
            or _join_key(left, right) in hyphenated
            or left.casefold() in _compound_words()):
        return f"{left}-{right}"
    return left + right


def _resolve_soft_breaks(text: str, hyphenated: frozenset[str]) -> str:
    """Soft breaks pdfium left inside a line (it merges a hyphenated break into one line)."""
    if not any(c in text[:-1] for c in SOFT_BREAK):
        return text
    body, tail = (text[:-1], text[-1]) if text[-1] in SOFT_BREAK else (text, "")
    return _SOFT_RE.sub(lambda m: dehyphenate(m.group(1), m.group(2), hyphenated), body) + tail


_BROKEN_END = re.compile(r"\b(\w+)[-\ufffe\x02]$")
_WORD_START = re.compile(r"\w+")


def join_lines(parts: list[str], hyphenated: frozenset[str]) -> tuple[str, list[int]]:
    """One paragraph from its lines (spaces between lines, hyphenated breaks re-joined), and
    where each line starts in it.

    Linear in the paragraph's length: the text is kept as pieces, and a broken word at the
    end is looked for in the last piece only (it always starts at a word start), so a
    paragraph of a million characters joins as fast as a short one."""
    pieces: list[str] = []
    starts: list[int] = []
    pos = 0  # length of the text so far
    for part in parts:
        part = _resolve_soft_breaks(part, hyphenated)
        end = _BROKEN_END.search(pieces[-1]) if pieces else None
        start = _WORD_START.match(part)
        if end and start:
            last = pieces.pop()
            pos -= len(last) - end.start()
            pieces.append(last[: end.start()])
            joined = dehyphenate(end.group(1), start.group(), hyphenated)
            starts.append(pos + len(joined) - len(start.group()))
            piece = joined + part[start.end():]
        else:
            if pos:
                pieces.append(" ")
                pos += 1
            starts.append(pos)
            piece = part
        pieces.append(piece)
        pos += len(piece)
    return "".join(pieces).replace("\ufffe", "").replace("\x02", ""), starts


def hyphenated_forms(text: str) -> frozenset[str]:
    """Hyphenated words a text writes inside a line ("drug-related"), case-folded."""
    return frozenset(_join_key(a, b) for a, b in _HYPHENATED_WORD.findall(text))


def hyphenated_words(pages: list[list[Line]]) -> frozenset[str]:
    """Hyphenated words the document writes inside a line, over all its pages."""
    return frozenset().union(*(hyphenated_forms(ln.text) for lines in pages for ln in lines))

