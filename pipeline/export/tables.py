"""Export the tables of an output folder for colleagues who work in Excel.

CSV: one `<table>.csv` per table, UTF-8 with a BOM (so Excel reads accents right), comma
separated, a header row, empty cells for nulls. XLSX: one `tables.xlsx` with a sheet per
table (header frozen, filters on). In both, analyst columns come first and the provenance
(`doc_id`, `page`, `sentence`, offsets, `rule`, ids) last; list columns are joined with
"; ". `documents.text` is left out (it is in `documents.parquet`; every row keeps its
`sentence`), and in the workbook any other cell longer than Excel's 32 767 characters is cut
with a note saying how long it was.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import xlsxwriter

from pipeline.output.write import TABLE_NAMES
from pipeline.review.site import MissingTables

NAMES = TABLE_NAMES
LEFT_OUT = {"documents": ("text",)}
TRAILING = ("doc_id", "page", "sentence", "start_char", "end_char", "rule", "id")
EXCEL_CELL_LIMIT = 32_767
EXCEL_MAX_ROWS = 1_048_576
# A fixed creation date keeps the workbook byte-identical from run to run.
CREATED = dt.datetime(2000, 1, 1)


def column_order(name: str, columns: list[str]) -> list[str]:
    """Analyst columns first, provenance last; `documents` keeps `doc_id` first."""
    kept = [c for c in columns if c not in LEFT_OUT.get(name, ())]
    if name == "documents":
        return kept
    tail = [c for c in TRAILING if c in kept]
    ids = [c for c in kept if c.endswith("_id") and c not in tail]
    return [c for c in kept if c not in tail and c not in ids] + ids + tail


def _cell(value: object) -> object:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "; ".join("" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
                         for v in value)
    return value


def export_frame(out_dir: Path, name: str) -> pd.DataFrame:
    """One table, columns ordered and list cells joined, as exported."""
    frame = pq.read_table(Path(out_dir) / f"{name}.parquet").to_pandas(
        types_mapper=lambda t: pd.Int32Dtype() if str(t) == "int32" else None)
    frame = frame[column_order(name, list(frame.columns))]
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_cell)
    return frame


def _present(out_dir: Path) -> list[str]:
    if not (out_dir / "documents.parquet").is_file():
        raise MissingTables(f"no tables in {out_dir}/ (run extract first)")
    return [n for n in NAMES if (out_dir / f"{n}.parquet").is_file()]


def _fit(value: object) -> object:
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        note = f" … [cut: {len(value)} characters in all]"
        return value[: EXCEL_CELL_LIMIT - len(note)] + note
    return value


def _write_sheet(book: xlsxwriter.Workbook, name: str, frame: pd.DataFrame) -> None:
    if len(frame) >= EXCEL_MAX_ROWS:
        raise ValueError(f"{name} has {len(frame)} rows, more than an Excel sheet holds: "
                         "use --format csv")
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, list(frame.columns), bold)
    for i, row in enumerate(frame.itertuples(index=False), 1):
        for j, value in enumerate(row):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            sheet.write(i, j, _fit(value.item() if hasattr(value, "item") else value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def export_tables(out_dir: Path, fmt: str) -> list[Path]:
    """Write `out_dir/export/` (CSV files or `tables.xlsx`); returns the files written.

    Each file is written under a temporary name and renamed into place."""
    out_dir = Path(out_dir)
    names = _present(out_dir)
    target = out_dir / "export"
    target.mkdir(exist_ok=True)
    tmp_suffix = f".tmp-{os.getpid()}"
    written = []
    if fmt == "csv":
        for name in names:
            path = target / f"{name}.csv"
            tmp = path.with_name(path.name + tmp_suffix)
            export_frame(out_dir, name).to_csv(tmp, index=False, encoding="utf-8-sig")
            os.replace(tmp, path)
            written.append(path)
        return written
    path = target / "tables.xlsx"
    tmp = path.with_name(path.name + tmp_suffix)
    try:
        with xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False,
                                            "strings_to_formulas": False,
                                            "strings_to_urls": False}) as book:
            book.set_properties({"created": CREATED, "title": "drugreport-pipeline tables"})
            for name in names:
                _write_sheet(book, name, export_frame(out_dir, name))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return [path]
