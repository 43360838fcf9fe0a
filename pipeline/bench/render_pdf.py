"""Render text reports as PDFs laid out like published country reports, and bad PDFs.

Real report PDFs cannot be downloaded here, so the tests and `make bench` make faithful
ones with fpdf2 (a dev dependency): A4, a title page, a running header (the report title)
and a footer ("Page n of N") on every body page, body text set in one column at the top of the first
body page and in two columns after that, words hyphenated at line ends by a simple
hyphenator, figures set with no-break spaces between digit groups ("361 400"), paragraphs
that run over column and page breaks, and one ruled table whose rows are indicators and
whose columns are years. The table's values are the report's own figures, taken from its
gold rows, so a table fact can be checked against the sentence that states it.

Run as a script to write the fixtures of the seeds into a folder:
    python -m pipeline.bench.render_pdf OUT_DIR
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parents[2]
SEED_GOLD = ROOT / "corpus" / "gold" / "seeds.csv"

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 56.0, 72.0, 72.0
GUTTER = 18.0
BODY_SIZE, BODY_LEAD = 11.0, 14.5
HEAD_SIZE, HEAD_LEAD = 13.0, 18.0
QUOTE_SIZE, QUOTE_LEAD = 15.0, 19.0
PARA_GAP = 9.0
SINGLE_COLUMN_SHARE = 0.35  # of the first body page, before the text switches to two columns

# Table row labels for indicator codes (test data: the words a report's table would use).
TABLE_LABELS = {
    "nsp.syringes_distributed": "Syringes distributed",
    "nsp.sites": "Needle and syringe programme sites",
    "nsp.clients": "Clients of needle and syringe programmes",
    "dcr.facilities": "Drug consumption rooms",
    "dcr.clients": "Clients of drug consumption rooms",
    "dcr.supervised_consumptions": "Supervised injections in drug consumption rooms",
    "ost.clients": "Clients in opioid substitution treatment",
    "treatment.clients": "People in drug treatment",
    "naloxone.kits": "Naloxone kits distributed",
}


@dataclass
class Rendered:
    """A rendered PDF and what the tests need to know about how it was laid out."""

    data: bytes
    n_pages: int
    title: str
    header: str
    hyphenated: list[str] = field(default_factory=list)  # words broken at a line end
    two_column_pages: list[int] = field(default_factory=list)  # 1-based
    table_page: int | None = None
    table_rows: list[list[str]] = field(default_factory=list)
    # For each body paragraph, the 1-based pages its lines were printed on.
    paragraph_pages: list[tuple[str, list[int]]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    pull_quotes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- text


def paragraphs(text: str) -> tuple[str, list[str]]:
    """Title and paragraphs (blank-line separated; wrapped lines joined) of a text report."""
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.strip())]
    blocks = [b for b in blocks if b]
    return blocks[0], blocks[1:]


def is_heading(block: str) -> bool:
    return len(block) < 90 and not re.search(r"[.!?:;\"')]$", block)


def with_nbsp(text: str) -> str:
    """Digit groups joined by no-break spaces, as typesetting software sets "361 400"."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)


def table_from_gold(doc_id: str, gold: Path = SEED_GOLD) -> list[list[str]]:
    """Rows of indicators × columns of years, from the report's required gold facts."""
    values: dict[str, dict[int, float]] = {}
    with gold.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row["table"] != "facts" or row["doc_id"] != doc_id or row["optional"] == "1"
                    or not row["year"] or row["indicator"] not in TABLE_LABELS):
                continue
            values.setdefault(row["indicator"], {})[int(row["year"])] = float(row["value"])
    if not values:
        return []
    years = sorted({y for by_year in values.values() for y in by_year})
    rows = [["Indicator", *map(str, years)]]
    for code in sorted(values):
        cells = [_fmt(values[code][y]) if y in values[code] else "" for y in years]
        rows.append([TABLE_LABELS[code], *cells])
    return rows


def _fmt(value: float) -> str:
    return f"{int(value):,}".replace(",", "\u00a0") if value.is_integer() else f"{value:g}"


# --------------------------------------------------------------------------- layout


class _Doc(FPDF):
    def __init__(self) -> None:
        super().__init__(unit="pt", format="A4")
        self.total_pages = 0  # known in the second rendering pass
        self.set_auto_page_break(False)
        self.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        self.core_fonts_encoding = "windows-1252"  # curly quotes, en dashes


FOOTNOTES = (
    "Figures for the capital region only.",
    "Data reported by the national focal point.",
    "Provisional data, subject to revision.",
    "Includes programmes run in prisons.",
    "Estimates based on the last national survey.",
)


class _Flow:
    """Places lines of text into one or two columns, page after page."""

    def __init__(self, pdf: _Doc, header: str, out: Rendered, footnotes: bool = False,
                 quote: str = "") -> None:
        self.pdf, self.header, self.out = pdf, header, out
        self.footnotes = footnotes
        self.quote = quote  # printed once, inside the first long paragraph
        self.columns = 1
        self.col = 0
        self.y = MARGIN_TOP
        self.top = MARGIN_TOP
        self.page = 0

    # geometry
    @property
    def width(self) -> float:
        full = PAGE_W - 2 * MARGIN_X
        return full if self.columns == 1 else (full - GUTTER) / 2

    @property
    def x(self) -> float:
        return MARGIN_X + self.col * (self.width + GUTTER)

    def new_page(self) -> None:
        self.footnote()
        self.pdf.add_page()
        self.page = self.pdf.page_no()
        if self.page > 1:
            _furniture(self.pdf, self.header)
        self.col, self.y, self.top = 0, MARGIN_TOP, MARGIN_TOP
        if self.columns == 2:
            self.out.two_column_pages.append(self.page)

    def switch_to_two_columns(self) -> None:
        self.columns, self.col, self.top = 2, 0, self.y
        self.out.two_column_pages.append(self.page)

    def need(self, height: float) -> None:
        if self.y + height <= PAGE_H - MARGIN_BOTTOM:
            return
        if self.columns == 2 and self.col == 0:
            self.col, self.y = 1, self.top
        else:
            self.new_page()

    def pull_quote(self) -> None:
        """A pull-quote in larger print cutting into a paragraph (it repeats the quote)."""
        quote, self.quote = self.quote, ""
        lines = self.wrap(quote, QUOTE_SIZE)
        self.need(QUOTE_LEAD * len(lines) + 2 * PARA_GAP)
        self.y += PARA_GAP
        for line in lines:
            self.pdf.set_font("Helvetica", style="B", size=QUOTE_SIZE)
            self.pdf.text(self.x, self.y + QUOTE_SIZE, line)
            self.y += QUOTE_LEAD
        self.y += PARA_GAP
        self.out.pull_quotes.append(quote)

    def footnote(self) -> None:
        """A small footnote at the foot of a body page, after its text in the stream."""
        if not self.footnotes or self.page < 2:
            return
        self.pdf.set_font("Helvetica", size=8)
        note = f"{self.page} {FOOTNOTES[self.page % len(FOOTNOTES)]}"
        self.pdf.text(MARGIN_X, PAGE_H - MARGIN_BOTTOM + 20, note)
        self.out.footnotes.append(note)

    # text
    def wrap(self, text: str, size: float) -> list[str]:
        """Greedy line breaking with a simple hyphenator for long words."""
        self.pdf.set_font("Helvetica", size=size)
        width = self.width
        lines: list[str] = []
        line = ""
        for word in text.split(" "):
            trial = f"{line} {word}" if line else word
            if self.pdf.get_string_width(trial) <= width:
                line = trial
                continue
            head, tail = self._hyphenate(line, word, width)
            if head:
                lines.append(f"{line} {head}" if line else head)
                self.out.hyphenated.append(word)
                line = tail
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        return lines

    def _hyphenate(self, line: str, word: str, width: float) -> tuple[str, str]:
        """Split a long alphabetic word so its first part plus "-" fits on the line."""
        if len(word) < 9 or not word.isalpha():
            return "", ""
        for cut in range(len(word) - 4, 3, -1):
            head = word[:cut] + "-"
            trial = f"{line} {head}" if line else head
            if self.pdf.get_string_width(trial) <= width:
                return head, word[cut:]
        return "", ""

    def paragraph(self, text: str, heading: bool) -> None:
        size, lead = (HEAD_SIZE, HEAD_LEAD) if heading else (BODY_SIZE, BODY_LEAD)
        lines = self.wrap(text, size)
        pages = []
        if heading:
            self.need(lead * 3)  # keep a heading with the start of its paragraph
        for i, line in enumerate(lines):
            if i == 3 and self.quote and not heading and len(lines) > 6:
                self.pull_quote()
            self.need(lead)
            self.pdf.set_font("Helvetica", style="B" if heading else "", size=size)
            self.pdf.text(self.x, self.y + size, with_nbsp(line))
            self.y += lead
            pages.append(self.page)
        self.y += PARA_GAP
        self.out.paragraph_pages.append((text, sorted(set(pages))))


def _furniture(pdf: _Doc, header: str) -> None:
    """Running header (the report title over a rule) and footer ("Page n of N", the total
    filled in by fpdf2's page-count alias when the file is written)."""
    pdf.set_font("Helvetica", size=8)
    pdf.text(MARGIN_X, 40, header)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN_X, 46, PAGE_W - MARGIN_X, 46)
    footer = f"Page {pdf.page_no()} of {pdf.total_pages or '?'}"
    pdf.text(PAGE_W - MARGIN_X - 60, PAGE_H - 36, footer)


def _table(flow: _Flow, rows: list[list[str]]) -> None:
    pdf = flow.pdf
    flow.columns = 1
    flow.new_page()
    flow.out.table_page = flow.page
    pdf.set_font("Helvetica", style="B", size=HEAD_SIZE)
    pdf.text(MARGIN_X, flow.y + HEAD_SIZE, "Table 1. Key figures of the report")
    flow.y += HEAD_LEAD + PARA_GAP
    pdf.set_font("Helvetica", size=9)
    label_w = 230.0
    col_w = (PAGE_W - 2 * MARGIN_X - label_w) / max(1, len(rows[0]) - 1)
    row_h = 18.0
    for r, row in enumerate(rows):
        x = MARGIN_X
        pdf.set_font("Helvetica", style="B" if r == 0 else "", size=9)
        for c, cell in enumerate(row):
            w = label_w if c == 0 else col_w
            pdf.rect(x, flow.y, w, row_h)
            text = cell
            tx = x + 4 if c == 0 else x + w - 4 - pdf.get_string_width(text)
            pdf.text(tx, flow.y + 12.5, text)
            x += w
        flow.y += row_h
    flow.y += PARA_GAP * 2
    pdf.set_font("Helvetica", size=BODY_SIZE)
    note = "Source: national reporting to the monitoring centre."
    pdf.text(MARGIN_X, flow.y + BODY_SIZE, note)
    flow.y += BODY_LEAD


def render_report(text: str, table_rows: list[list[str]] | None = None,
                  footnotes: bool = False, quote: str = "") -> Rendered:
    """A report-like PDF of a text report (title page, body, optional table page, optional
    footnotes and pull-quote); laid out twice, so that the footer can say "Page n of N"."""
    first = _render(text, table_rows, 0, footnotes, quote)
    return _render(text, table_rows, first.n_pages, footnotes, quote)


def _render(text: str, table_rows: list[list[str]] | None, total_pages: int,
            footnotes: bool, quote: str) -> Rendered:
    title, blocks = paragraphs(text)
    header = title if len(title) < 90 else title[:87] + "..."
    out = Rendered(data=b"", n_pages=0, title=title, header=header)
    pdf = _Doc()
    pdf.total_pages = total_pages
    flow = _Flow(pdf, header, out, footnotes, quote)
    flow.new_page()
    pdf.set_font("Helvetica", style="B", size=22)
    for i, line in enumerate(flow.wrap(title, 22)):
        pdf.set_font("Helvetica", style="B", size=22)
        pdf.text(MARGIN_X, 260 + i * 28, line)
    flow.new_page()
    for block in blocks:
        if flow.columns == 1 and flow.y > PAGE_H * SINGLE_COLUMN_SHARE:
            flow.switch_to_two_columns()
        flow.paragraph(block, is_heading(block))
    if table_rows:
        out.table_rows = table_rows
        _table(flow, table_rows)
    flow.footnote()
    out.n_pages = pdf.page_no()
    out.data = bytes(pdf.output())
    return out


def render_seed(path: Path) -> Rendered:
    return render_report(path.read_text(encoding="utf-8"), table_from_gold(path.stem))


# --------------------------------------------------------------------------- bad PDFs


def _simple_pdf(lines: list[str], pages: int = 1) -> bytes:
    pdf = _Doc()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for i, line in enumerate(lines):
            pdf.text(MARGIN_X, MARGIN_TOP + i * 15, line)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = _Doc()
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(MARGIN_X, MARGIN_TOP, "In 2015, 1 000 clients were in substitution treatment.")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A "scanned" page: a picture of text, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).text((20, 80), "In 2015, 1 000 clients were treated.", fill=0)
    pdf = _Doc()
    pdf.add_page()
    pdf.image(image, x=MARGIN_X, y=MARGIN_TOP, w=400)
    return bytes(pdf.output())


def zero_page_pdf() -> bytes:
    body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    pages_at = len(body)
    body += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(body)
    body += (b"xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n"
             % (9, pages_at))
    body += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return body


def bad_pdfs(good: bytes) -> dict[str, bytes]:
    """File name → bytes of each kind of unusable PDF."""
    return {
        "truncated.pdf": good[: len(good) // 3],
        "garbage.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
        "encrypted.pdf": encrypted_pdf(),
        "zero-pages.pdf": zero_page_pdf(),
        "scanned.pdf": image_only_pdf(),
    }


def many_pages_pdf(pages: int) -> bytes:
    return _simple_pdf(["A page of a very long annex."], pages)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m pipeline.bench.render_pdf OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for seed in sorted((ROOT / "corpus").glob("*.txt")):
        rendered = render_seed(seed)
        (out / f"{seed.stem}.pdf").write_bytes(rendered.data)
        print(f"{seed.stem}.pdf: {rendered.n_pages} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
