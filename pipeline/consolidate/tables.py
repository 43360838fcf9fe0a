"""The derived tables as Arrow tables with explicit schemas, built from the base tables.

`extract` writes them beside the base tables (same atomic write), so `series.parquet` and
`service_status.parquet` always agree with the facts, events and services of the same run.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from pipeline.consolidate.series import facts_to_series
from pipeline.consolidate.service_status import services_to_status

DERIVED_NAMES = ("series", "service_status")

_CODE = pa.dictionary(pa.int32(), pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "series": pa.schema([
        pa.field("id", pa.string(), nullable=False),
        pa.field("country", _CODE),
        pa.field("indicator", _CODE),
        pa.field("unit", _CODE),
        pa.field("region", pa.string()),
        pa.field("period_start", pa.int32()),
        pa.field("year", pa.int32()),
        pa.field("value", pa.float64()),
        pa.field("qualifier", _CODE),
        pa.field("value_high", pa.float64()),
        pa.field("n_sources", pa.int32()),
        pa.field("n_rows", pa.int32()),
        pa.field("values", pa.list_(pa.float64())),
        pa.field("conflict", pa.bool_()),
        pa.field("doc_id", pa.string()),
        pa.field("fact_id", pa.string()),
        pa.field("report_year", pa.int32()),
        pa.field("rule", _CODE),
        pa.field("sentence", pa.string()),
    ]),
    "service_status": pa.schema([
        pa.field("id", pa.string(), nullable=False),
        pa.field("country", _CODE),
        pa.field("service", _CODE),
        pa.field("status", _CODE),
        pa.field("statuses", pa.list_(pa.string())),
        pa.field("n_sources", pa.int32()),
        pa.field("start_year", pa.int32()),
        pa.field("start_event_id", pa.string()),
        pa.field("evidence_id", pa.string()),
        pa.field("doc_id", pa.string()),
        pa.field("report_year", pa.int32()),
        pa.field("rule", _CODE),
        pa.field("sentence", pa.string()),
    ]),
}


def _frame(table: pa.Table) -> pd.DataFrame:
    """Plain object columns for codes, nullable integers for int32 (no float years)."""
    frame = table.to_pandas(types_mapper=lambda t: pd.Int32Dtype() if pa.types.is_int32(t)
                            else None)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    return frame


def _arrow(frame: pd.DataFrame, name: str) -> pa.Table:
    schema = SCHEMAS[name]
    columns = [pa.array(frame[f.name].astype(object).where(frame[f.name].notna(), None)
                        .tolist(), type=f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def derived_tables(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """`series` and `service_status` from the base tables of one run; no I/O."""
    documents = _frame(tables["documents"].select(["doc_id", "report_year"]))
    series = facts_to_series(_frame(tables["facts"]), documents)
    status = services_to_status(_frame(tables["services"]), _frame(tables["events"]),
                                documents)
    return {"series": _arrow(series, "series"), "service_status": _arrow(status, "service_status")}
