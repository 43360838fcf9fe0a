"""Write stage, whole-set form: every table of a list of extractions, in memory, then written
at once. Kept for callers that hold all extractions anyway (tests, benches); a run streams
through `TableSetWriter` instead (`writer.py`), with the same rows, ids and files.

The column names and meanings come from `spec/RECORDS.md`, declared in `tables.py`; schemas
are explicit so that a table keeps its types even when it is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__ as PIPELINE_VERSION  # noqa: F401 - part of the API
from pipeline.output.rows import Encoder, document_rows, row_id  # noqa: F401
from pipeline.output.tables import (  # noqa: F401 - re-exported for callers
    BASE_TABLES,
    ID_PREFIX,
    ROW_KEYS,
    SCHEMA_VERSION,
    SCHEMAS,
    TABLE_NAMES,
)
from pipeline.output.writer import TableSetWriter, file_schema
from pipeline.types import Extraction


def extractions_to_tables(extractions: list[Extraction],
                          country_codes: str = "iso") -> dict[str, pa.Table]:
    """Build every base table (with its explicit schema) from the extractions; no I/O."""
    ordered = sorted(extractions, key=lambda e: e.document.doc_id)
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in BASE_TABLES}
    for ext in ordered:
        for name, doc_rows in document_rows(ext).items():
            rows[name].extend(doc_rows)
    encoder = Encoder(file_schema, country_codes)
    return {t.name: encoder.encode(t, rows[t.name]) for t in BASE_TABLES}


def write_tables(tables: dict[str, pa.Table], out_dir: Path) -> list[Path]:
    """Publish these tables as the new set in `out_dir`, all at once (see `publish.py`):
    on any error the previous tables stay as they were."""
    with TableSetWriter(out_dir) as writer:
        for name, table in tables.items():
            writer.write_arrow(name, table)
        return writer.commit()


def _pandas_type(arrow_type: pa.DataType) -> Any:
    """Nullable integers stay integers (years with gaps must not become floats)."""
    if pa.types.is_int32(arrow_type):
        return pd.Int32Dtype()
    return None


def read_table(out_dir: Path, name: str) -> pd.DataFrame:
    """Read one table: codes as categoricals, nullable int32 columns as `Int32`."""
    table = pq.read_table(Path(out_dir) / f"{name}.parquet")
    return table.to_pandas(types_mapper=_pandas_type)
