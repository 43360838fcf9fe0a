"""PDF reports laid out like published ones (pipeline/bench/render_pdf.py): the same records as
from their text, rows on the page they are printed on, no page furniture, columns read in
order, table facts, and bad PDFs recorded while the rest of the batch is written."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.bench.render_pdf import (
    Rendered,
    bad_pdfs,
    many_pages_pdf,
    paragraphs,
    render_report,
    render_seed,
)
from pipeline.check.evaluate import KEY_COLUMNS
from pipeline.cli import main
from pipeline.ingest.pdf import PdfSettings, read_pdf
from pipeline.ingest.pdf_layout import dehyphenate
from pipeline.ingest.read import normalise_text, read_document
from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
RECORD_TABLES = ("facts", "events", "plans", "services")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    return {seed.stem: render_seed(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, rendered: dict[str, Rendered]):
    """The seeds extracted from their text and from their PDFs, table by table."""
    pdf_dir = tmp_path_factory.mktemp("pdfs")
    for stem, r in rendered.items():
        (pdf_dir / f"{stem}.pdf").write_bytes(r.data)
    out = {}
    for kind, source in (("txt", ROOT / "corpus"), ("pdf", pdf_dir)):
        target = tmp_path_factory.mktemp(f"out-{kind}")
        result = run([source], target, progress=None)
        assert not result.failed
        out[kind] = {t: pd.read_parquet(target / f"{t}.parquet")
                     for t in (*RECORD_TABLES, "documents", "tables", "mentions")}
    return out


def _keys(frame: pd.DataFrame, table: str, doc_id: str) -> list[tuple]:
    rows = frame[frame["doc_id"] == doc_id]
    if table == "facts":
        rows = rows[~rows["rule"].str.startswith("table:")]
    return sorted(tuple(str(v) for v in r) for r in rows[KEY_COLUMNS[table]].values.tolist())


@pytest.mark.parametrize("stem", [s.stem for s in SEEDS])
@pytest.mark.parametrize("table", RECORD_TABLES)
def test_pdf_gives_the_records_of_the_text(outputs, stem: str, table: str) -> None:
    txt, pdf = outputs["txt"][table], outputs["pdf"][table]
    assert _keys(pdf, table, stem) == _keys(txt, table, stem)


def test_the_comparison_is_not_vacuous(outputs) -> None:
    for table in RECORD_TABLES:
        assert len(outputs["txt"][table]) >= 5, table


def test_fixtures_have_the_layout_features(rendered: dict[str, Rendered]) -> None:
    """Guards the test data itself: every feature the PDF tests rely on is present."""
    assert all(r.two_column_pages for r in rendered.values())
    assert sum(len(r.hyphenated) for r in rendered.values()) >= 5
    assert sum(r.table_page is not None for r in rendered.values()) >= 3
    assert all(r.n_pages >= 2 for r in rendered.values())


def _flat(text: str) -> str:
    return " ".join(normalise_text(text)[0].split())


def _paragraph_pages(r: Rendered, sentence: str) -> list[int] | None:
    probe = _flat(sentence)[:60]
    for text, pages in r.paragraph_pages:
        if probe in _flat(text):
            return pages
    return None


def test_rows_carry_the_page_they_are_printed_on(outputs, rendered) -> None:
    checked_single = 0
    for table in RECORD_TABLES:
        for row in outputs["pdf"][table].itertuples():
            r = rendered[row.doc_id]
            if row.rule.startswith("table:"):
                assert row.page == r.table_page
                continue
            pages = _paragraph_pages(r, row.sentence)
            if pages is None:  # the title, printed on the title page only
                assert row.page == 1, row
                continue
            assert row.page in pages, (table, row.sentence, row.page, pages)
            checked_single += len(pages) == 1
    assert checked_single >= 40


def test_page_furniture_never_reaches_text_or_rows(outputs, rendered) -> None:
    docs = outputs["pdf"]["documents"].set_index("doc_id")
    txt_docs = outputs["txt"]["documents"].set_index("doc_id")
    for stem, r in rendered.items():
        text = docs.loc[stem, "text"]
        assert not re.search(r"Page \d+ of \d+", text)
        # The running header repeats the title: it is kept only where the report has it.
        header = r.header.removesuffix("...")
        assert text.count(header) == txt_docs.loc[stem, "text"].count(header), stem
        assert docs.loc[stem, "n_pages"] == r.n_pages
    for table in (*RECORD_TABLES, "mentions"):
        sentences = outputs["pdf"][table]["sentence"].dropna()
        assert not sentences.str.contains(r"Page \d+ of").any(), table


def test_offsets_point_at_the_evidence(outputs) -> None:
    text = outputs["pdf"]["documents"].set_index("doc_id")["text"]
    facts = outputs["pdf"]["facts"]
    for row in facts.itertuples():
        span = text[row.doc_id][row.start_char:row.end_char]
        assert re.sub(r"\D", "", span) == str(int(row.value)) or not span[:1].isdigit(), row
    cells = outputs["pdf"]["tables"]
    for row in cells.itertuples():
        assert text[row.doc_id][row.start_char:row.end_char] == row.text


def test_table_cells_and_table_facts(outputs, rendered) -> None:
    cells = outputs["pdf"]["tables"]
    facts = outputs["pdf"]["facts"]
    for stem, r in rendered.items():
        mine = cells[cells["doc_id"] == stem]
        if r.table_page is None:
            assert mine.empty
            continue
        grid = [[c.text for c in row.itertuples()]
                for _, row in mine.sort_values(["row", "column"]).groupby("row")]
        assert grid == [[" ".join(c.split()) for c in row] for row in r.table_rows]
        assert set(mine["page"]) == {r.table_page}
        table_facts = facts[(facts["doc_id"] == stem) & facts["rule"].str.startswith("table:")]
        filled = sum(1 for row in r.table_rows[1:] for c in row[1:] if c)
        assert len(table_facts) == filled
        # Every table figure restates a sentence figure of the same report.
        sentence_keys = set(_keys(facts, "facts", stem))
        for key in table_facts[KEY_COLUMNS["facts"]].values.tolist():
            assert tuple(str(v) for v in key) in sentence_keys


def test_table_facts_of_one_report(outputs) -> None:
    facts = outputs["pdf"]["facts"]
    mine = facts["doc_id"] == "000_289c31b38d7f41f3"
    rows = facts[mine & facts["rule"].str.startswith("table:")]
    assert rows[["indicator", "year", "value", "page", "rule"]].values.tolist() == [
        ["dcr.clients", 2015, 1605.0, 3,
         "table:noun:people+service:drug_consumption_room;year:column"],
        ["dcr.supervised_consumptions", 2015, 56000.0, 3,
         "table:noun:consumptions+service:drug_consumption_room;year:column"],
        ["nsp.syringes_distributed", 1993, 76000.0, 3, "table:noun:syringes;year:column"],
        ["nsp.syringes_distributed", 2004, 435000.0, 3, "table:noun:syringes;year:column"],
        ["nsp.syringes_distributed", 2015, 361400.0, 3, "table:noun:syringes;year:column"],
    ]


# --------------------------------------------------------------------------- columns

_WORDS = ("harm reduction services availability substitution treatment programmes "
          "interventions outreach naloxone consumption facilities monitoring").split()


def _long_report(n_paragraphs: int) -> str:
    """Numbered paragraphs of varied length, long words among them (to be hyphenated)."""
    blocks = ["Column Order Report 2030"]
    for i in range(1, n_paragraphs + 1):
        words = [_WORDS[(i * 7 + k * 3) % len(_WORDS)] for k in range(25 + (i * 13) % 40)]
        blocks.append(f"Paragraph {i} says " + " ".join(words) + f" end {i}.")
    return "\n\n".join(blocks) + "\n"


def test_two_columns_read_in_column_order(tmp_path: Path) -> None:
    text = _long_report(30)
    r = render_report(text)
    assert len(r.two_column_pages) >= 2 and r.hyphenated
    path = tmp_path / "columns.pdf"
    path.write_bytes(r.data)
    doc = read_document(path)
    assert doc.status == "ok"
    got = doc.text.split("\n\n")
    title, expected = paragraphs(text)
    # Every paragraph whole and in order: columns one after the other, paragraphs carried
    # over column and page breaks, hyphenated words joined, no header or footer.
    assert got == [title, *expected]
    assert len(doc.page_starts) == r.n_pages - 1
    assert any(len(pages) > 1 for _, pages in r.paragraph_pages)  # one runs over a page
    # Each paragraph starts on the page the renderer printed its first line on.
    for (para, pages), start in zip(r.paragraph_pages, _starts(doc.text), strict=True):
        assert doc.page_of(start) == pages[0], para[:30]


def test_a_footnote_does_not_split_a_paragraph_running_over_the_page(tmp_path: Path) -> None:
    text = _long_report(30)
    r = render_report(text, footnotes=True)
    assert len(r.footnotes) >= 3
    path = tmp_path / "footnotes.pdf"
    path.write_bytes(r.data)
    doc = read_document(path)
    got = doc.text.split("\n\n")
    title, expected = paragraphs(text)
    # The body reads whole and in order; each footnote is a paragraph of its own after the
    # paragraph it interrupted.
    assert [p for p in got if p not in r.footnotes] == [title, *expected]
    assert sorted(p for p in got if p in r.footnotes) == sorted(r.footnotes)
    assert any(len(pages) > 1 for _, pages in r.paragraph_pages)


def test_a_pull_quote_does_not_split_the_paragraph_it_cuts_into(tmp_path: Path) -> None:
    text = _long_report(12)
    quote = "Harm reduction services reach more people every year"
    r = render_report(text, quote=quote)
    assert r.pull_quotes == [quote]
    path = tmp_path / "quote.pdf"
    path.write_bytes(r.data)
    got = read_document(path).text.split("\n\n")
    title, expected = paragraphs(text)
    assert [p for p in got if p != quote] == [title, *expected]
    assert got.count(quote) == 1


def _starts(text: str) -> list[int]:
    """Offsets of the paragraphs after the title."""
    return [m.end() for m in re.finditer("\n\n", text)]


# --------------------------------------------------------------------------- hyphens


@pytest.mark.parametrize(
    ("left", "right", "seen", "joined"),
    [
        ("avail", "able", (), "available"),
        ("substi", "tution", (), "substitution"),
        ("drug", "related", (), "drug-related"),  # compound first word
        ("harm", "reduction", (), "harm-reduction"),
        ("socio", "professional", ("socio-professional",), "socio-professional"),  # seen
        ("2015", "19", (), "2015-19"),  # a period, not a word
        ("anti", "HIV", (), "anti-HIV"),  # capital after the break
        ("inter", "national", (), "international"),
    ],
)
def test_dehyphenate(left: str, right: str, seen: tuple[str, ...], joined: str) -> None:
    assert dehyphenate(left, right, frozenset(seen)) == joined


# --------------------------------------------------------------------------- bad PDFs

BAD_REASONS = {
    "truncated.pdf": "corrupt or unreadable PDF",
    "garbage.pdf": "corrupt or unreadable PDF",
    "encrypted.pdf": "encrypted PDF (password-protected): cannot read its text",
    "zero-pages.pdf": "PDF has no pages",
    "scanned.pdf": "no text layer — scanned PDF? OCR is not supported",
    "annex.pdf": "PDF has 12 pages, more than the limit of 10 (--max-pages)",
}


def test_bad_pdfs_are_recorded_and_the_batch_is_written(tmp_path: Path, rendered) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    good = rendered["000_289c31b38d7f41f3"].data
    (folder / "good.pdf").write_bytes(good)
    for name, data in bad_pdfs(good).items():
        (folder / name).write_bytes(data)
    (folder / "annex.pdf").write_bytes(many_pages_pdf(12))
    out = tmp_path / "out"
    code = main(["extract", str(folder), "--out", str(out), "--quiet", "--max-pages", "10"])
    assert code == 1
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.loc["good", "status"] == "ok"
    for name, reason in BAD_REASONS.items():
        row = docs.loc[name.removesuffix(".pdf")]
        assert row["status"] == "error" and row["error"].startswith(reason), (name, row["error"])
    facts = pd.read_parquet(out / "facts.parquet")
    assert set(facts["doc_id"]) == {"good"} and len(facts) >= 7


def test_time_limit_stops_a_slow_pdf(tmp_path: Path, rendered) -> None:
    path = tmp_path / "slow.pdf"
    path.write_bytes(rendered["000_289c31b38d7f41f3"].data)
    doc = read_document(path, PdfSettings(time_limit_s=1e-9))
    assert doc.status == "error"
    assert doc.error.startswith("reading took longer than 1e-09 s (stopped after page 1 of 3")


def test_tables_can_be_switched_off(tmp_path: Path, rendered) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered["000_289c31b38d7f41f3"].data)
    with_tables = read_pdf(path)
    without = read_pdf(path, PdfSettings(tables=False))
    assert with_tables.cells and not without.cells and not without.table_spans


def test_a_failing_table_finder_loses_only_the_tables(tmp_path: Path, rendered, monkeypatch):
    import pdfplumber.page

    def broken(self, *args, **kwargs):
        raise ValueError("odd drawing")

    monkeypatch.setattr(pdfplumber.page.Page, "find_tables", broken)
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered["000_289c31b38d7f41f3"].data)
    doc = read_document(path)
    assert doc.status == "ok" and not doc.table_cells
    assert doc.warning == "tables not read (pdfplumber: ValueError: odd drawing)"
    assert "approximately 361 400 syringes" in doc.text


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs a Unicode TrueType font (DejaVu Sans)")
def test_thin_and_narrow_spaces_keep_figures_whole(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    pdf.text(56, 80, "Finland Country Drug Report 2030")
    pdf.text(56, 110, "In 2029, approximately 361\u2009400 syringes were distributed and")
    pdf.text(56, 124, "1\u202f605 clients were in opioid substitution treatment.")
    (tmp_path / "in").mkdir()
    pdf.output(str(tmp_path / "in" / "fi-thin.pdf"))
    run([tmp_path / "in"], tmp_path / "out", progress=None)
    facts = pd.read_parquet(tmp_path / "out" / "facts.parquet")
    assert sorted(facts[["indicator", "value"]].values.tolist()) == [
        ["nsp.syringes_distributed", 361400.0], ["ost.clients", 1605.0]]
