"""The `series` table: one chosen figure per country × indicator × year, across reports.

Several reports (or a report's text and its table) often state the same figure; analysts want
one value per series with the others kept in view. A series is keyed by country, indicator,
unit, region, `period_start` and `year`, so a cumulative total (`period_start` set) is never
mixed with an annual figure and a regional figure never with the national one. Facts with no
country or no year belong to no series.

Which row is chosen (the first criterion that separates it from the runner-up names the
`rule`): `newest_report` (the larger `documents.report_year`; unknown years count as oldest),
then `exact_over_hedged` (qualifier `exact` before `approx`, then bounds and ranges), then
`text_over_table` (a sentence before a table cell), then `first_in_documents` (smallest
`doc_id`, then offset). A series with one row has rule `single_row`.

`conflict` is true when the figures cannot all be the same quantity written with rounding:
each row stands for an interval (below) and the series conflicts when the intervals have no
common point. An exact figure covers half a unit of its last significant digit either side,
but at most `EXACT_TOLERANCE` of its value (5 600 covers 5 550–5 650; 1 000 covers 975–1 025);
a hedged `approx` figure covers `APPROX_TOLERANCE` of its value either side; `more_than` and
`at_least` cover [value, ∞), `less_than` and `up_to` cover [0, value], `range` covers
[value, value_high].
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

EXACT_TOLERANCE = 0.025
APPROX_TOLERANCE = 0.10

KEY = ["country", "indicator", "unit", "region", "period_start", "year"]

# Qualifier preference when choosing a row: stated exactly first, then hedges, then bounds.
QUALIFIER_RANK = {"exact": 0, "approx": 1, "range": 2, "at_least": 3, "more_than": 4,
                  "up_to": 5, "less_than": 6}

# The criteria of the choice, in order; each is a column of the candidates frame.
CRITERIA = ("newest_report", "exact_over_hedged", "text_over_table", "largest_value",
            "first_in_documents")

COLUMNS = ["id", *KEY, "value", "qualifier", "value_high", "n_sources", "n_rows", "values",
           "conflict", "doc_id", "fact_id", "report_year", "rule", "sentence"]


# Nullable integers stay integers (a year with gaps must not become a float).
DTYPES = {"period_start": "Int32", "year": "Int32", "value": "float64", "value_high": "float64",
          "n_sources": "int32", "n_rows": "int32", "conflict": "bool", "report_year": "Int32"}


def rounding_unit(value: float) -> float:
    """The place of the last significant digit as written: 5600 → 100, 5.1 → 0.1, 0 → 1."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    exponent = Decimal(repr(abs(value))).normalize().as_tuple().exponent
    return float(Decimal(1).scaleb(int(exponent)))


def interval(value: float, qualifier: str, value_high: float | None) -> tuple[float, float]:
    """The quantities a stated figure is consistent with (see the module docstring)."""
    if qualifier in ("more_than", "at_least"):
        return value, math.inf
    if qualifier in ("less_than", "up_to"):
        return 0.0, value
    if qualifier == "range" and value_high is not None and not pd.isna(value_high):
        return value, float(value_high)
    if qualifier == "approx":
        spread = abs(value) * APPROX_TOLERANCE
    else:
        spread = min(rounding_unit(value) / 2, abs(value) * EXACT_TOLERANCE)
    return value - spread, value + spread


def is_conflict(rows: pd.DataFrame) -> bool:
    """True when no single quantity is consistent with every given row."""
    return _conflicting(zip(rows["value"], rows["qualifier"], rows["value_high"], strict=True))


def _conflicting(figures: Iterable[tuple[float, str, float | None]]) -> bool:
    bounds = [interval(v, q, h) for v, q, h in figures]
    low = max(b[0] for b in bounds)
    high = min(b[1] for b in bounds)
    return low > high * (1 + 1e-9) + 1e-9


def series_id(key: dict) -> str:
    """Stable id from the series key (same key → same id across runs and machines)."""
    parts = [None if pd.isna(key[c]) else (int(key[c]) if c in ("year", "period_start")
                                           else key[c]) for c in KEY]
    digest = hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
    return "sr_" + digest[:16]


def _candidates(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Facts that belong to a series, with the sort columns of the choice."""
    years = documents.set_index("doc_id")["report_year"] if len(documents) else pd.Series()
    df = facts[facts["country"].notna() & facts["year"].notna()].copy()
    for column in ("country", "indicator", "unit", "qualifier"):
        df[column] = df[column].astype(object)
    df["report_year"] = df["doc_id"].map(years).astype("Int64")
    df["newest_report"] = -df["report_year"].fillna(-1).astype("int64")
    df["exact_over_hedged"] = df["qualifier"].map(QUALIFIER_RANK).fillna(len(QUALIFIER_RANK))
    df["text_over_table"] = df["rule"].fillna("").str.startswith("table:").astype(int)
    df["largest_value"] = -df["value"]
    df["first_in_documents"] = list(zip(df["doc_id"], df["start_char"], df["end_char"],
                                        df["id"], strict=True))
    return df


def _deciding_rule(ordered: list[dict]) -> str:
    if len(ordered) == 1:
        return "single_row"
    best, second = ordered[0], ordered[1]
    return next(c for c in CRITERIA if best[c] != second[c])


def _series_row(key: dict, rows: list[dict]) -> dict:
    """The series row of one group of candidate rows (plain records: a pandas sort per
    group would cost milliseconds a series, minutes for an archive's thousands)."""
    ordered = sorted(rows, key=lambda r: tuple(r[c] for c in CRITERIA))  # stable
    best = ordered[0]
    high = best["value_high"]
    first_per_document = list({r["doc_id"]: r for r in reversed(ordered)}.values())
    return {
        "id": series_id(key),
        **key,
        "value": float(best["value"]),
        "qualifier": best["qualifier"],
        "value_high": None if pd.isna(high) else float(high),
        "n_sources": len({r["doc_id"] for r in rows}),
        "n_rows": len(rows),
        "values": sorted({float(r["value"]) for r in rows}),
        "conflict": _conflicting((r["value"], r["qualifier"], r["value_high"])
                                 for r in first_per_document),
        "doc_id": best["doc_id"],
        "fact_id": best["id"],
        "report_year": None if pd.isna(best["report_year"]) else int(best["report_year"]),
        "rule": _deciding_rule(ordered),
        "sentence": best["sentence"],
    }


def _series_key(record: dict) -> tuple:
    key = tuple(None if pd.isna(record[c]) else record[c] for c in KEY)
    return tuple(v if v is None or c not in ("year", "period_start") else int(v)
                 for c, v in zip(KEY, key, strict=True))


def facts_to_series(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """One row per series (see the module docstring), sorted by its key; a pure function."""
    groups: dict[tuple, list[dict]] = {}
    for record in _candidates(facts, documents).to_dict("records"):
        groups.setdefault(_series_key(record), []).append(record)
    rows = [_series_row(dict(zip(KEY, key, strict=True)), group)
            for key, group in groups.items()]
    rows.sort(key=lambda r: tuple((r[c] is None, r[c] or 0 if c in ("year", "period_start")
                                   else r[c] or "") for c in KEY))
    return pd.DataFrame(rows, columns=COLUMNS).astype(DTYPES)
