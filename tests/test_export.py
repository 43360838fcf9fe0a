"""`export`: CSV with a BOM, or one workbook with a sheet per table; analyst columns first,
no text column past Excel's cell limit, the same bytes from run to run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.export.tables import NAMES, _fit, column_order
from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "out"
    run([ROOT / "corpus"], folder, progress=None)
    return folder


def test_csv_has_a_bom_every_table_and_analyst_columns_first(out: Path) -> None:
    assert main(["export", "--out", str(out), "--format", "csv"]) == 0
    for name in NAMES:
        raw = (out / "export" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
    facts = pd.read_csv(out / "export" / "facts.csv", encoding="utf-8-sig")
    assert list(facts.columns[:4]) == ["country", "indicator", "year", "value"]
    assert list(facts.columns[-7:]) == ["doc_id", "page", "sentence", "start_char", "end_char",
                                        "rule", "id"]
    docs = pd.read_csv(out / "export" / "documents.csv", encoding="utf-8-sig")
    assert "text" not in docs.columns and docs.columns[0] == "doc_id"
    series = pd.read_csv(out / "export" / "series.csv", encoding="utf-8-sig")
    assert series.columns[0] == "country" and "values" in series.columns


def test_xlsx_has_a_sheet_per_table_and_is_deterministic(out: Path) -> None:
    assert main(["export", "--out", str(out), "--format", "xlsx"]) == 0
    book = out / "export" / "tables.xlsx"
    first = book.read_bytes()
    with zipfile.ZipFile(book) as z:
        workbook = z.read("xl/workbook.xml").decode()
        facts_sheet = z.read(f"xl/worksheets/sheet{NAMES.index('facts') + 1}.xml").decode()
    assert [n for n in NAMES if f'name="{n}"' in workbook] == list(NAMES)
    assert '<pane ySplit="1"' in facts_sheet and "<autoFilter" in facts_sheet
    assert main(["export", "--out", str(out), "--format", "xlsx"]) == 0
    assert book.read_bytes() == first


def test_long_cells_are_cut_with_a_note() -> None:
    cut = _fit("x" * 40_000)
    assert len(cut) == 32_767 and cut.endswith(" … [cut: 40000 characters in all]")
    assert _fit("short") == "short"


@pytest.mark.parametrize(("name", "columns", "expected"), [
    ("facts", ["id", "doc_id", "country", "value", "sentence", "rule"],
     ["country", "value", "doc_id", "sentence", "rule", "id"]),
    ("series", ["id", "country", "value", "doc_id", "fact_id", "rule"],
     ["country", "value", "fact_id", "doc_id", "rule", "id"]),
    ("documents", ["doc_id", "title", "text", "url"], ["doc_id", "title", "url"]),
])
def test_column_order(name: str, columns: list[str], expected: list[str]) -> None:
    assert column_order(name, columns) == expected


def test_export_without_tables_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["export", "--out", str(tmp_path)]) == 2
    assert "run extract first" in capsys.readouterr().err
