"""PDF reading for the ingest stage: text layer → lines → paragraphs, tables → cells.

Why two libraries (measured, see README "Performance"): pypdfium2 reads a page's text layer
in content order, columns one after the other, at over 1 000 pages/s, while pdfplumber
needs ~65 ms a page and interleaves two columns line by line. So the text comes from
pdfium (plus a few geometry probes per line), and pdfplumber is asked only for what it is
best at, the table finder, and only on pages whose drawing has ruling lines.

Layout repairs: running headers/footers and page numbers (lines in the top/bottom band
that repeat across pages) are dropped; lines are joined into paragraphs from the vertical
gaps, font sizes and line lengths; words hyphenated at a line end are re-joined; a
paragraph that runs over a column or page break stays one paragraph. Table text is kept in
the document text (so table facts have offsets) but marked, so the sentence extractor never
reads it a second time.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.vocab import load


class PdfError(Exception):
    """A PDF that cannot be used; the message is the reason written to `documents.error`."""


@dataclass(frozen=True)
class PdfSettings:
    """Limits for one PDF; the defaults suit published reports (tens to hundreds of pages)."""

    max_pages: int = 2000  # a larger PDF is refused before any page is read
    time_limit_s: float = 300.0  # reading stops (error row) when a document takes longer
    tables: bool = True  # look for ruled tables with pdfplumber


@dataclass(frozen=True)
class Line:
    """One text line as pdfium reports it, in PDF user space (y grows upwards)."""

    text: str
    x0: float
    x1: float
    y: float  # baseline of the first character
    y_end: float  # baseline of the last character (lower when pdfium merged a hyphenated break)
    size: float


@dataclass(frozen=True)
class RawTable:
    """A table found by pdfplumber on one page: rows of cell texts (None = empty)."""

    page: int  # 1-based
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom (top-down, as pdfplumber)
    rows: list[list[str | None]]


@dataclass(frozen=True)
class CellSpan:
    """One table cell placed in the assembled text (raw offsets; start == end when empty)."""

    page: int
    table: int  # index of the table in the document
    row: int
    column: int
    text: str
    start: int
    end: int


@dataclass
class PdfText:
    """What `read_pdf` hands to the ingest stage (offsets into `text`, before normalising)."""

    text: str
    n_pages: int
    page_starts: list[int] = field(default_factory=list)  # where pages 2..n start
    cells: list[CellSpan] = field(default_factory=list)
    table_spans: list[tuple[int, int]] = field(default_factory=list)
    warning: str | None = None  # e.g. the table finder failed: text kept, tables left out


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
_SOFT_BREAK = "\ufffe\x02"
_SOFT_RE = re.compile(r"(\w*)[\ufffe\x02]\s*(\w*)")
_HYPHENATED_WORD = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")
# A physical line: up to a line break, or up to and including a soft hyphenation mark.
_PHYSICAL_LINE_RE = re.compile(r"[^\r\n\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")
_DIGITS = re.compile(r"\d+")
MIN_TABLE_PATHS = 4  # drawn path objects on a page before pdfplumber looks for a table
MIN_VISIBLE_CHARS = 10  # per page, on average: fewer means no usable text layer


# --------------------------------------------------------------------------- pdfium pages


def _page_lines(textpage: object) -> list[Line]:
    """Physical lines of one page with the geometry the paragraph rules need (a few calls
    per line). pdfium joins a line that ends in a hyphenation with the next one (marking the
    hyphen U+FFFE), even across a column break: such lines are split back at the mark, which
    stays at the end of the first part."""
    import pypdfium2.raw as pdfium_c

    n = pdfium_c.FPDFText_CountChars(textpage)
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)  # type: ignore[attr-defined]
    if len(text) != n:  # index i of the text must be character i of the page
        text = text[:n].ljust(n)
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    lines = []
    for m in _PHYSICAL_LINE_RE.finditer(text):
        raw = m.group()
        if not raw.strip():
            continue
        first = m.start() + len(raw) - len(raw.lstrip())
        last = m.start() + len(raw.rstrip()) - 1
        ink = last - 1 if text[last] in _SOFT_BREAK and last > first else last
        pdfium_c.FPDFText_GetCharOrigin(textpage, first, x, y)
        x0, y0 = x.value, y.value
        pdfium_c.FPDFText_GetCharOrigin(textpage, ink, x, y)
        y_end = y.value
        pdfium_c.FPDFText_GetCharBox(textpage, ink, left, right, bottom, top)
        size = pdfium_c.FPDFText_GetFontSize(textpage, first)
        lines.append(Line(raw.strip(), x0, max(right.value, x0), y0, y_end, round(size, 1)))
    return lines


def _count_paths(page: object) -> int:
    import pypdfium2.raw as pdfium_c

    raw_page = page.raw  # type: ignore[attr-defined]
    count = 0
    for i in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        obj = pdfium_c.FPDFPage_GetObject(raw_page, i)
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_PATH:
            count += 1
            if count >= MIN_TABLE_PATHS:
                break
    return count


def _open(path: Path) -> object:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PdfError("encrypted PDF (password-protected): cannot read its text") from exc
        if _has_no_pages(path):
            raise PdfError("PDF has no pages") from exc
        raise PdfError(f"corrupt or unreadable PDF: {message}") from exc


def _has_no_pages(path: Path) -> bool:
    """pdfium refuses a well-formed PDF without pages; pdfminer tells that case apart."""
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            return len(pdf.pages) == 0
    except Exception:  # pdfminer raises many unrelated types on bad input
        return False


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
class _PageLayout:
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


def _page_layout(lines: list[Line], columns: Columns) -> _PageLayout:
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
    return _PageLayout(pitch, columns, edges, min((ln.x0 for ln in lines), default=0.0))


def wrapped(a: Line, b: Line, layout: _PageLayout) -> bool:
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


def continues(a: Line, b: Line, layout: _PageLayout) -> bool:
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


def _centred(a: Line, b: Line, layout: _PageLayout) -> bool:
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
    if not any(c in text[:-1] for c in _SOFT_BREAK):
        return text
    body, tail = (text[:-1], text[-1]) if text[-1] in _SOFT_BREAK else (text, "")
    return _SOFT_RE.sub(lambda m: dehyphenate(m.group(1), m.group(2), hyphenated), body) + tail


_BROKEN_END = re.compile(r"\b(\w+)[-\ufffe\x02]$")
_WORD_START = re.compile(r"\w+")


def join_lines(parts: list[str], hyphenated: frozenset[str]) -> tuple[str, list[int]]:
    """One paragraph from its lines (spaces between lines, hyphenated breaks re-joined), and
    where each line starts in it."""
    out = ""
    starts = []
    for part in parts:
        part = _resolve_soft_breaks(part, hyphenated)
        end = _BROKEN_END.search(out) if out else None
        start = _WORD_START.match(part)
        if end and start:
            joined = dehyphenate(end.group(1), start.group(), hyphenated)
            out = out[: end.start()] + joined
            starts.append(len(out) - len(start.group()))
            out += part[start.end():]
        else:
            out = f"{out} " if out else out
            starts.append(len(out))
            out += part
    return out.replace("\ufffe", "").replace("\x02", ""), starts


# --------------------------------------------------------------------------- tables


def _in_bbox(line: Line, table: RawTable, height: float) -> bool:
    x0, top, x1, bottom = table.bbox
    y_down = height - line.y
    return x0 - 2 <= line.x0 <= x1 and top - 2 <= y_down <= bottom + 2


def _cell_text(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _find_tables(path: Path, pages: list[int]) -> dict[int, list[RawTable]]:
    """Ruled tables on the given 0-based pages, read with pdfplumber's table finder."""
    import pdfplumber

    found: dict[int, list[RawTable]] = {}
    with pdfplumber.open(path, pages=[p + 1 for p in pages]) as pdf:
        for index, page in zip(pages, pdf.pages, strict=True):
            for table in page.find_tables():
                rows = table.extract()
                if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                    found.setdefault(index, []).append(RawTable(index + 1, table.bbox, rows))
            page.close()
    return found


# --------------------------------------------------------------------------- assembly


@dataclass
class _Para:
    """A paragraph being assembled: its lines, which of them start a page, its last line."""

    lines: list[str]
    page_at: list[int]
    last: Line
    layout: _PageLayout

    def add(self, line: Line, layout: _PageLayout) -> None:
        self.lines.append(line.text)
        self.last, self.layout = line, layout

    def takes(self, line: Line, layout: _PageLayout) -> bool:
        """Does `line` continue this paragraph (on the same page, or the next)?"""
        if layout is self.layout:
            return continues(self.last, line, layout)
        return abs(self.last.size - line.size) <= 0.6 and wrapped(self.last, line, self.layout)

    def resumed_by(self, line: Line) -> bool:
        """After a float: the same print, and the line before was wrapped (the float's
        height between them does not count as paragraph spacing)."""
        return abs(self.last.size - line.size) <= 0.6 and wrapped(self.last, line, self.layout)

    def unfinished(self) -> bool:
        """Wrapped at its last line so far: the text must go on somewhere."""
        last = self.last
        if last.text[-1] in "-\ufffe\x02":
            return True  # broken inside a word
        if _SENTENCE_END.search(last.text):
            return False
        char_width = (last.x1 - last.x0) / max(len(last.text), 1)
        return last.x1 >= self.layout.right_edge(last) - 3 * char_width


_MID_SENTENCE_END = re.compile(r"(?:[a-z]|[-,\ufffe\x02])$")


def _interrupted(para: _Para, line: Line) -> bool:
    """Is `line` print of another size cutting into an unfinished paragraph? Smaller print
    (a footnote, a caption) may cut in anywhere; larger print (a pull-quote, a box title)
    only where the paragraph has stopped mid-sentence, since a heading follows a finished
    paragraph."""
    if not para.unfinished() or abs(para.last.size - line.size) <= 0.6:
        return False
    if line.size < para.last.size:
        return True
    return len(para.lines) >= 2 and bool(_MID_SENTENCE_END.search(para.last.text))


class _Builder:
    """Accumulates the document text with page starts, table cells and table spans.

    A body paragraph that is interrupted, unfinished, by print of another size (a footnote
    at the foot of a page, a caption, a pull-quote) is held back; if a later line continues it,
    it is resumed, and the interrupting paragraphs follow it in the text. So a sentence
    running over a page break past a footnote stays one sentence.
    """

    def __init__(self, hyphenated: frozenset[str]) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.hyphenated = hyphenated
        self.out = PdfText(text="", n_pages=0)
        self.open: _Para | None = None  # the paragraph receiving lines
        self.held: _Para | None = None  # an unfinished paragraph interrupted by a float
        self.floats: list[_Para] = []  # finished paragraphs that came while one was held
        self.page_start_pending = False

    def _emit(self, para: _Para) -> None:
        text, starts = join_lines(para.lines, self.hyphenated)
        if self.parts:
            self.parts.append("\n\n")
            self.pos += 2
        self.out.page_starts.extend(self.pos + starts[k] for k in para.page_at)
        self.parts.append(text)
        self.pos += len(text)

    def flush(self) -> None:
        """Emit everything pending, in reading order: held paragraph, floats, open one."""
        for para in [self.held, *self.floats, self.open]:
            if para is not None:
                self._emit(para)
        self.open, self.held, self.floats = None, None, []

    def new_page(self) -> None:
        self.page_start_pending = True

    def add_line(self, line: Line, layout: _PageLayout) -> None:
        marker = self.page_start_pending
        self.page_start_pending = False
        if self.open is not None and self.open.takes(line, layout):
            self.open.add(line, layout)
        elif self.held is not None and self.held.resumed_by(line):
            if self.open is not None:  # the float ends; its page start moves to the resumed line
                marker = marker or bool(self.open.page_at and self.open.page_at[0] == 0)
                self.open.page_at = [k for k in self.open.page_at if k]
                self.floats.append(self.open)
            self.open, self.held = self.held, None
            self.open.add(line, layout)
        else:
            self._start(line, layout)
        if marker:
            self.open.page_at.append(len(self.open.lines) - 1)  # type: ignore[union-attr]

    def _start(self, line: Line, layout: _PageLayout) -> None:
        """`line` starts a new paragraph: decide what happens to the one before."""
        current = self.open
        if current is not None and self.held is None and _interrupted(current, line):
            self.held = current  # a float cut into it: wait for its continuation
        elif self.held is not None and current is not None \
                and abs(self.held.last.size - line.size) > 0.6:
            self.floats.append(current)  # one more float while the paragraph waits
        else:
            if current is not None and self.held is not None:
                self.floats.append(current)
                self.open = None
            self.flush()
        self.open = _Para([line.text], [], line, layout)

    def add_table(self, table: RawTable, index: int) -> None:
        self.flush()
        if self.parts:
            self.parts.append("\n\n")
            self.pos += 2
        if self.page_start_pending:
            self.out.page_starts.append(self.pos)
            self.page_start_pending = False
        start = self.pos
        for r, row in enumerate(table.rows):
            if r:
                self.parts.append("\n")
                self.pos += 1
            for c, cell in enumerate(row):
                if c:
                    self.parts.append(" | ")
                    self.pos += 3
                text = _cell_text(cell)
                self.out.cells.append(
                    CellSpan(table.page, index, r, c, text, self.pos, self.pos + len(text)))
                self.parts.append(text)
                self.pos += len(text)
        self.out.table_spans.append((start, self.pos))

    def finish(self, n_pages: int) -> PdfText:
        self.flush()
        # Pages without any text (a full-page picture) start where the next page starts.
        while len(self.out.page_starts) < n_pages - 1:
            self.out.page_starts.append(self.pos)
        self.out.page_starts.sort()
        self.out.text = "".join(self.parts)
        self.out.n_pages = n_pages
        return self.out


def _hyphenated_words(pages: list[list[Line]]) -> frozenset[str]:
    """Hyphenated words the document writes inside a line ("drug-related")."""
    words = set()
    for lines in pages:
        for ln in lines:
            words.update(_join_key(a, b) for a, b in _HYPHENATED_WORD.findall(ln.text))
    return frozenset(words)


def read_pdf(path: Path, settings: PdfSettings | None = None) -> PdfText:
    """The text of a PDF with page starts and table cells, or PdfError with the reason."""
    settings = settings or PdfSettings()
    started = time.monotonic()
    doc = _open(path)
    try:
        n_pages = len(doc)  # type: ignore[arg-type]
        if n_pages == 0:
            raise PdfError("PDF has no pages")
        if n_pages > settings.max_pages:
            raise PdfError(f"PDF has {n_pages} pages, more than the limit of "
                           f"{settings.max_pages} (--max-pages)")
        pages, heights, table_pages = [], [], []
        for i in range(n_pages):
            page = doc[i]  # type: ignore[index]
            textpage = page.get_textpage()
            pages.append(_page_lines(textpage))
            heights.append(page.get_height())
            if settings.tables and pages[-1] and _count_paths(page) >= MIN_TABLE_PATHS:
                table_pages.append(i)
            textpage.close()
            page.close()
            _check_time(started, settings, i + 1, n_pages)
    finally:
        doc.close()  # type: ignore[attr-defined]
    visible = sum(len(ln.text) for lines in pages for ln in lines)
    if visible < MIN_VISIBLE_CHARS * n_pages:
        raise PdfError("no text layer — scanned PDF? OCR is not supported")
    tables, warning = _tables(path, table_pages)
    _check_time(started, settings, n_pages, n_pages)
    out = _assemble(drop_furniture(pages, heights), heights, tables, n_pages)
    out.warning = warning
    return out


def _tables(path: Path, table_pages: list[int]) -> tuple[dict[int, list[RawTable]], str | None]:
    """Tables of the candidate pages; a failure of the table finder loses only the tables."""
    if not table_pages:
        return {}, None
    try:
        return _find_tables(path, table_pages), None
    except Exception as exc:  # pdfminer raises many unrelated types on odd drawings
        return {}, f"tables not read (pdfplumber: {type(exc).__name__}: {exc})"


def _check_time(started: float, settings: PdfSettings, done: int, total: int) -> None:
    if time.monotonic() - started > settings.time_limit_s:
        raise PdfError(f"reading took longer than {settings.time_limit_s:g} s (stopped after "
                       f"page {done} of {total}; raise --pdf-time-limit)")


def _assemble(pages: list[list[Line]], heights: list[float],
              tables: dict[int, list[RawTable]], n_pages: int) -> PdfText:
    builder = _Builder(_hyphenated_words(pages))
    body = [[ln for ln in lines if not any(_in_bbox(ln, t, h) for t in tables.get(i, []))]
            for i, (lines, h) in enumerate(zip(pages, heights, strict=True))]
    edges = column_edges(body)
    n_tables = 0
    for i, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        if i:
            builder.new_page()
        page_tables = tables.get(i, [])
        placed: set[int] = set()
        layout = _page_layout(body[i], edges)
        for line in lines:
            inside = next((k for k, t in enumerate(page_tables) if _in_bbox(line, t, height)),
                          None)
            if inside is None:
                builder.add_line(line, layout)
            elif inside not in placed:
                placed.add(inside)
                builder.add_table(page_tables[inside], n_tables + inside)
        for k, table in enumerate(page_tables):
            if k not in placed:
                builder.add_table(table, n_tables + k)
        n_tables += len(page_tables)
    return builder.finish(n_pages)
