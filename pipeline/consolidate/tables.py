"""The derived tables' rows, built at commit time from the base tables just written.

`output/tables.py` declares `series` and `service_status` (columns, codes, descriptions);
their `derive` hooks call these functions with the generation folder of the run, so the
derived tables are published in the same switch as, and always agree with, the facts,
events and services they are built from. Only the columns needed are read.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.consolidate.series import facts_to_series
from pipeline.consolidate.service_status import services_to_status


def _frame(folder: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Plain object columns for codes, nullable integers for int32 (no float years)."""
    table = pq.read_table(folder / f"{name}.parquet", columns=columns)
    frame = table.to_pandas(types_mapper=lambda t: pd.Int32Dtype() if pa.types.is_int32(t)
                            else None)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    return frame


def _plain(value: Any) -> Any:
    """A cell as a plain Python value: None for every kind of missing, lists as lists."""
    if isinstance(value, list | tuple):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
        if isinstance(value, list):
            return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [{c: _plain(v) for c, v in zip(columns, values, strict=True)}
            for values in frame.itertuples(index=False, name=None)]


def _documents(folder: Path) -> pd.DataFrame:
    return _frame(folder, "documents", ["doc_id", "report_year"])


def series_rows(folder: Path) -> list[dict[str, Any]]:
    return _rows(facts_to_series(_frame(folder, "facts"), _documents(folder)))


def service_status_rows(folder: Path) -> list[dict[str, Any]]:
    status = services_to_status(_frame(folder, "services"), _frame(folder, "events"),
                                _documents(folder))
    return _rows(status)
