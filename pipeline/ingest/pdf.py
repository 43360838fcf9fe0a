"""PDF reading for the ingest stage: text layer → lines → paragraphs, tables → cells.

Why two libraries (measured, see README "Performance"): pypdfium2 reads a page's text layer
in content order, columns one after the other, at over 1 000 pages/s, while pdfplumber
needs ~65 ms a page and interleaves two columns line by line. So the text comes from
pdfium (plus a few geometry probes per line), and pdfplumber is asked only for what it is
best at, the table finder, and only on pages whose drawing has ruling lines.

The layout rules themselves (page furniture, columns, paragraphs, hyphenation) are pure
functions in `pdf_layout.py`; this module reads the pages, finds the tables and assembles
the text. Table text is kept in the document text (so table facts have offsets) but
marked, so the sentence extractor never reads it a second time.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest.pdf_layout import (
    PHYSICAL_LINE_RE,
    SENTENCE_END,
    SOFT_BREAK,
    Line,
    PageLayout,
    column_edges,
    continues,
    drop_furniture,
    hyphenated_words,
    join_lines,
    page_layout,
    wrapped,
)


class PdfError(Exception):
    """A PDF that cannot be used; the message is the reason written to `documents.error`."""


@dataclass(frozen=True)
class PdfSettings:
    """Limits for one PDF; the defaults suit published reports (tens to hundreds of pages)."""

    max_pages: int = 2000  # a larger PDF is refused before any page is read
    time_limit_s: float = 300.0  # reading stops (error row) when a document takes longer
    tables: bool = True  # look for ruled tables with pdfplumber


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
    for m in PHYSICAL_LINE_RE.finditer(text):
        raw = m.group()
        if not raw.strip():
            continue
        first = m.start() + len(raw) - len(raw.lstrip())
        last = m.start() + len(raw.rstrip()) - 1
        ink = last - 1 if text[last] in SOFT_BREAK and last > first else last
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
    layout: PageLayout

    def add(self, line: Line, layout: PageLayout) -> None:
        self.lines.append(line.text)
        self.last, self.layout = line, layout

    def takes(self, line: Line, layout: PageLayout) -> bool:
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
        if SENTENCE_END.search(last.text):
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

    def add_line(self, line: Line, layout: PageLayout) -> None:
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

    def _start(self, line: Line, layout: PageLayout) -> None:
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
    builder = _Builder(hyphenated_words(pages))
    body = [[ln for ln in lines if not any(_in_bbox(ln, t, h) for t in tables.get(i, []))]
            for i, (lines, h) in enumerate(zip(pages, heights, strict=True))]
    edges = column_edges(body)
    n_tables = 0
    for i, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        if i:
            builder.new_page()
        page_tables = tables.get(i, [])
        placed: set[int] = set()
        layout = page_layout(body[i], edges)
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
