"""Write stage: turn per-document extractions into the Parquet tables of the data contract.

The column names and meanings come from `spec/RECORDS.md`; schemas are explicit so that a
table keeps its types even when it is empty, and analysts' queries do not depend on what a
particular run happened to find. Writing is atomic across tables: either every table of a
run replaces its predecessor or none does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__ as PIPELINE_VERSION
from pipeline.output.tables import (  # noqa: E402,F401 - re-exported for callers
    ID_PREFIX,
    ROW_KEYS,
    SCHEMA_VERSION,
    SCHEMAS,
    TABLE_NAMES,
)
from pipeline.types import Document, Event, Extraction, Fact, Mention, Plan, ServiceStatus

# --------------------------------------------------------------------------- rows


def _document_row(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "path": doc.path,
        "sha256": doc.sha256,
        "format": doc.format,
        "title": doc.title,
        "country": doc.country,
        "report_year": doc.report_year,
        "doc_type": doc.doc_type,
        "n_chars": doc.n_chars,
        "n_pages": doc.n_pages,
        "text": doc.text,
        "status": doc.status,
        "error": doc.error,
        "encoding": doc.encoding,
        "warning": doc.warning,
    }


def _prov_row(record: Fact | Event | Plan | ServiceStatus, doc: Document) -> dict[str, Any]:
    """Flatten `prov`; a page the extractor left empty is looked up from the document."""
    prov = record.prov
    page = prov.page if prov.page is not None else doc.page_of(prov.start_char)
    return {
        "start_char": prov.start_char,
        "end_char": prov.end_char,
        "page": page,
        "sentence": prov.sentence,
        "rule": prov.rule,
    }


def _fact_row(fact: Fact, doc: Document) -> dict[str, Any]:
    return {
        "doc_id": fact.doc_id,
        "country": fact.country,
        "indicator": fact.indicator,
        "year": fact.year,
        "value": fact.value,
        "qualifier": fact.qualifier,
        "value_high": fact.value_high,
        "unit": fact.unit,
        "period_start": fact.period_start,
        "region": fact.region,
        **_prov_row(fact, doc),
    }


def _event_row(event: Event, doc: Document) -> dict[str, Any]:
    return {
        "doc_id": event.doc_id,
        "country": event.country,
        "event": event.event,
        "service": event.service,
        "year": event.year,
        "month": event.month,
        "region": event.region,
        **_prov_row(event, doc),
    }


def _plan_row(plan: Plan, doc: Document) -> dict[str, Any]:
    return {
        "doc_id": plan.doc_id,
        "country": plan.country,
        "kind": plan.kind,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "title": plan.title,
        "measures": plan.measures,
        "authority": plan.authority,
        **_prov_row(plan, doc),
    }


def _service_row(service: ServiceStatus, doc: Document) -> dict[str, Any]:
    return {
        "doc_id": service.doc_id,
        "country": service.country,
        "service": service.service,
        "status": service.status,
        **_prov_row(service, doc),
    }


def _mention_rows(ext: Extraction) -> list[dict[str, Any]]:
    """Mentions carry a sentence index; the table stores the sentence text instead."""
    doc = ext.document
    sentence_text = {s.index: s.text for s in ext.sentences}
    return [_mention_row(m, doc, sentence_text.get(m.sentence)) for m in ext.mentions]


def _mention_row(mention: Mention, doc: Document, sentence: str | None) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "country": doc.country,
        "label": mention.label,
        "text": mention.text,
        "normalised": mention.normalised,
        "start_char": mention.start,
        "end_char": mention.end,
        "page": doc.page_of(mention.start),
        "sentence": sentence,
        "rule": mention.rule,
    }


def _cell_rows(ext: Extraction) -> list[dict[str, Any]]:
    """Table cells; `sentence` is the cell's whole row as it stands in the document text."""
    doc = ext.document
    rows: dict[tuple[int, int], tuple[int, int]] = {}
    for c in doc.table_cells:
        a, b = rows.get((c.table, c.row), (c.start, c.end))
        rows[(c.table, c.row)] = (min(a, c.start), max(b, c.end))
    return [
        {"doc_id": doc.doc_id, "country": doc.country, "table": c.table, "row": c.row,
         "column": c.column, "text": c.text, "start_char": c.start, "end_char": c.end,
         "page": c.page, "sentence": doc.text[slice(*rows[(c.table, c.row)])],
         "rule": "pdfplumber:find_tables"}
        for c in doc.table_cells
    ]


_ROW_BUILDERS: dict[str, Callable[[Extraction], list[dict[str, Any]]]] = {
    "facts": lambda ext: [_fact_row(f, ext.document) for f in ext.facts],
    "events": lambda ext: [_event_row(e, ext.document) for e in ext.events],
    "plans": lambda ext: [_plan_row(p, ext.document) for p in ext.plans],
    "services": lambda ext: [_service_row(s, ext.document) for s in ext.services],
    "mentions": _mention_rows,
    "tables": _cell_rows,
}


# --------------------------------------------------------------------------- order and ids


def _nulls_last(value: Any) -> tuple[bool, Any]:
    """Sort key part that lets None sit after every real value of a column."""
    return (value is None, 0 if value is None else value)


def _sort_columns(name: str) -> list[str]:
    """doc_id, offsets, key columns, then every other column as a tie-breaker."""
    first = ["doc_id", "start_char", "end_char", *ROW_KEYS[name]]
    rest = [f.name for f in SCHEMAS[name] if f.name not in first and f.name != "id"]
    return first + rest


def _sorted_rows(name: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = _sort_columns(name)
    return sorted(rows, key=lambda row: tuple(_nulls_last(row[c]) for c in columns))


def row_id(name: str, row: dict[str, Any], occurrence: int = 0) -> str:
    """Stable id from what identifies a row; `occurrence` separates exact duplicates."""
    parts = [row["doc_id"], name, row["start_char"], row["end_char"]]
    parts += [row[c] for c in ROW_KEYS[name]]
    if occurrence:
        parts.append(occurrence)
    digest = hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
    return ID_PREFIX[name] + digest[:16]


def _with_ids(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        base = row_id(name, row)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append({"id": row_id(name, row, n), **row})
    return out


# --------------------------------------------------------------------------- public API


def extractions_to_tables(extractions: list[Extraction]) -> dict[str, pa.Table]:
    """Build every table (with its explicit schema) from the extractions; no I/O."""
    documents = sorted((_document_row(e.document) for e in extractions), key=lambda r: r["doc_id"])
    tables = {"documents": pa.Table.from_pylist(documents, schema=SCHEMAS["documents"])}
    for name, build in _ROW_BUILDERS.items():
        rows = [row for ext in extractions for row in build(ext)]
        rows = _with_ids(name, _sorted_rows(name, rows))
        tables[name] = pa.Table.from_pylist(rows, schema=SCHEMAS[name])
    return {name: tables[name] for name in TABLE_NAMES}


def _file_metadata(table: pa.Table) -> pa.Table:
    metadata = dict(table.schema.metadata or {})
    metadata[b"pipeline_version"] = PIPELINE_VERSION.encode()
    metadata[b"schema_version"] = SCHEMA_VERSION.encode()
    return table.replace_schema_metadata(metadata)


def _write_durable(table: pa.Table, path: Path) -> None:
    with open(path, "wb") as handle:
        pq.write_table(_file_metadata(table), handle)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the renames durable; not every platform lets a directory be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_tables(tables: dict[str, pa.Table], out_dir: Path) -> list[Path]:
    """Write `<name>.parquet` for every table, replacing previous files only if all succeed.

    Each table goes to a hidden temporary file in `out_dir` first (same file system, so the
    final `os.replace` is atomic per file); on any error the temporaries are removed and
    the previous tables stay as they were.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[Path, Path]] = []
    try:
        for name, table in tables.items():
            tmp = out_dir / f".{name}.parquet.tmp-{os.getpid()}"
            pending.append((tmp, out_dir / f"{name}.parquet"))
            _write_durable(table, tmp)
        for tmp, final in pending:
            os.replace(tmp, final)
    finally:
        for tmp, _ in pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    _fsync_dir(out_dir)
    return [final for _, final in pending]


def _pandas_type(arrow_type: pa.DataType) -> Any:
    """Nullable integers stay integers (years with gaps must not become floats)."""
    if pa.types.is_int32(arrow_type):
        return pd.Int32Dtype()
    return None


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """Read one table: codes as categoricals, nullable int32 columns as `Int32`."""
    table = pq.read_table(Path(out_dir) / f"{name}.parquet")
    return table.to_pandas(types_mapper=_pandas_type)
