"""Score the written tables against hand-curated gold CSV files (rules in spec/RECORDS.md).

A row matches when all key columns of its table are equal (numbers as numbers, null equal
to null, strings exactly). Rows matching only optional gold rows are neither rewarded nor
punished, and only documents that were actually processed are scored, so a partial run
is not charged for documents it never saw.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.output.tables import KEY_COLUMNS
from pipeline.output.write import read_table

GOLD_COLUMNS: list[str] = [
    "table",
    "doc_id",
    "country",
    "indicator",
    "year",
    "value",
    "event",
    "service",
    "status",
    "kind",
    "start_year",
    "end_year",
    "optional",
    "note",
]

NUMERIC_COLUMNS = frozenset({"year", "value", "start_year", "end_year"})
_INT_COLUMNS = ("year", "start_year", "end_year")
# Figures are stated with a few decimals; rounding absorbs float noise such as 0.1 * 3.
_DECIMALS = 6
SENTENCE_WIDTH = 160


@dataclass
class TableScore:
    """Counts behind P/R/F1 of one table; `tp` counts matched extracted rows."""

    tp: int
    n_extracted: int
    n_required: int
    matched_required: int
    precision: float
    recall: float
    f1: float
    misses: list[dict[str, Any]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)
    # rule id -> RuleCounts of the rows it made (a noisy rule shows up with many extras).
    by_rule: dict[str, RuleCounts] = field(default_factory=dict)


@dataclass
class RuleCounts:
    """What one rule contributed to a table, the way labelling functions are analysed."""

    rows: int = 0
    matched: int = 0  # rows equal to a required gold row
    optional: int = 0  # rows equal only to an optional gold row (neither good nor bad)
    extra: int = 0  # rows matching no gold row

    @property
    def precision(self) -> float:
        return _ratio(self.matched, self.matched + self.extra)


@dataclass
class Report:
    tables: dict[str, TableScore]
    micro: TableScore
    scored_docs: list[str]
    skipped_docs: list[str]


# --------------------------------------------------------------------------- gold


def load_gold(paths: list[Path]) -> pd.DataFrame:
    """Read gold CSVs: empty cell = null, years as nullable Int64, value as float, optional bool."""
    frames = [_read_gold_csv(Path(p)) for p in paths]
    if not frames:
        return _empty_gold()
    return pd.concat(frames, ignore_index=True)


def _empty_gold() -> pd.DataFrame:
    return _typed_gold(pd.DataFrame({c: pd.Series([], dtype=object) for c in GOLD_COLUMNS}))


def _read_gold_csv(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable gold CSV ({exc})") from exc
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in GOLD_COLUMNS if c not in raw.columns and c not in ("optional", "note")]
    if missing:
        raise ValueError(f"{path}: gold file lacks columns {missing}")
    raw = raw.astype(object).map(lambda v: v.strip() or None if isinstance(v, str) else v)
    for column in ("optional", "note"):
        if column not in raw.columns:
            raw[column] = None
    unknown = sorted(set(raw["table"].dropna()) - set(KEY_COLUMNS))
    if unknown or raw["table"].isna().any():
        raise ValueError(f"{path}: unknown or empty `table` values {unknown}")
    gold = _typed_gold(raw[GOLD_COLUMNS + [c for c in raw.columns if c not in GOLD_COLUMNS]])
    gold["source"] = str(path)
    return gold


def _typed_gold(raw: pd.DataFrame) -> pd.DataFrame:
    gold = raw.copy()
    try:
        for column in _INT_COLUMNS:
            gold[column] = pd.to_numeric(gold[column]).astype("Int64")
        gold["value"] = pd.to_numeric(gold["value"]).astype("float64")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"gold file has a non-numeric year or value: {exc}") from exc
    gold["optional"] = gold["optional"].map(lambda v: v not in (None, "", "0")).astype(bool)
    return gold


# --------------------------------------------------------------------------- matching


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def normalise_cell(column: str, value: Any) -> Any:
    """Comparable form of a key cell: None for nulls, rounded float for numbers, else str."""
    if _is_null(value):
        return None
    if column in NUMERIC_COLUMNS:
        return round(float(value), _DECIMALS) + 0.0
    return str(value)


def row_key(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    return tuple(normalise_cell(c, row.get(c)) for c in columns)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if _is_null(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _ratio(num: int, den: int) -> float:
    return 1.0 if den == 0 else num / den


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def score_rows(table: str, extracted: list[dict], gold: list[dict]) -> TableScore:
    """Score one table's extracted rows against its gold rows (already limited to scored docs)."""
    keys = KEY_COLUMNS[table]
    required = Counter(row_key(g, keys) for g in gold if not g["optional"])
    optional = {row_key(g, keys) for g in gold if g["optional"]}
    found = {row_key(r, keys) for r in extracted}
    tp = n_extracted = 0
    extras = []
    by_rule: dict[str, RuleCounts] = {}
    for row in extracted:
        key = row_key(row, keys)
        counts = by_rule.setdefault(str(row.get("rule") or "?"), RuleCounts())
        counts.rows += 1
        if key in required:
            tp += 1
            counts.matched += 1
        elif key in optional:
            counts.optional += 1
            continue
        else:
            extras.append(row)
            counts.extra += 1
        n_extracted += 1
    misses = [g for g in gold if not g["optional"] and row_key(g, keys) not in found]
    n_required = sum(required.values())
    result = _table_score(tp, n_extracted, n_required, n_required - len(misses), (misses, extras))
    result.by_rule = dict(sorted(by_rule.items()))
    return result


def _table_score(
    tp: int, n_extracted: int, n_required: int, matched: int, details: tuple[list, list]
) -> TableScore:
    precision, recall = _ratio(tp, n_extracted), _ratio(matched, n_required)
    return TableScore(
        tp=tp,
        n_extracted=n_extracted,
        n_required=n_required,
        matched_required=matched,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        misses=details[0],
        extras=details[1],
    )


def _extracted_rows(out_dir: Path, table: str, docs: set[str]) -> list[dict[str, Any]]:
    if not (out_dir / f"{table}.parquet").exists():
        return []
    frame = read_table(out_dir, table)
    return [r for r in _records(frame) if r["doc_id"] in docs]


def score(out_dir: Path, gold: pd.DataFrame) -> Report:
    """Score every gold table against `out_dir`, limited to the documents written there."""
    out_dir = Path(out_dir)
    docs = set(read_table(out_dir, "documents")["doc_id"].astype(str))
    gold_rows = _records(gold)
    skipped = sorted({g["doc_id"] for g in gold_rows if g["doc_id"] not in docs})
    scores = {}
    for table in KEY_COLUMNS:
        table_gold = [g for g in gold_rows if g["table"] == table and g["doc_id"] in docs]
        scores[table] = score_rows(table, _extracted_rows(out_dir, table, docs), table_gold)
    return Report(
        tables=scores, micro=micro_average(scores), scored_docs=sorted(docs), skipped_docs=skipped
    )


def micro_average(scores: dict[str, TableScore]) -> TableScore:
    """Pool the counts of all tables (no misses/extras lists)."""
    totals = [sum(getattr(s, a) for s in scores.values()) for a in _COUNTS]
    return _table_score(*totals, ([], []))


_COUNTS = ("tp", "n_extracted", "n_required", "matched_required")


# --------------------------------------------------------------------------- report


def _fmt_cell(value: Any) -> str:
    if _is_null(value):
        return "∅"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt_key(row: dict[str, Any], columns: list[str]) -> str:
    return " ".join(f"{c}={_fmt_cell(row.get(c))}" for c in columns if c != "doc_id")


def _truncate(text: str | None, width: int = SENTENCE_WIDTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _score_line(name: str, s: TableScore) -> str:
    return (
        f"{name:<10} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        f" {s.tp:>5} {s.n_extracted:>5} {s.matched_required:>5} {s.n_required:>5}"
    )


def _details(table: str, s: TableScore) -> list[str]:
    keys = KEY_COLUMNS[table]
    lines = []
    for kind, rows in (("misses", s.misses), ("extras", s.extras)):
        if not rows:
            continue
        lines.append(f"== {table} {kind} ({len(rows)})")
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_doc.setdefault(str(row["doc_id"]), []).append(row)
        for doc_id in sorted(by_doc):
            lines.append(f"  {doc_id}")
            for row in by_doc[doc_id]:
                lines.append(f"    {_fmt_key(row, keys)}")
                extra = row.get("note") if kind == "misses" else row.get("sentence")
                if extra:
                    lines.append(f"      | {_truncate(extra)}")
    return lines


def _rule_lines(report: Report) -> list[str]:
    header = f"{'table':<10} {'rule':<34} {'rows':>5} {'hit':>5} {'opt':>5} {'extra':>5} {'P':>6}"
    lines = ["", "per rule (hit = equals a required gold row, opt = an optional one)", header]
    lines.append("-" * len(header))
    for table, s in report.tables.items():
        for rule, c in s.by_rule.items():
            lines.append(
                f"{table:<10} {rule:<34} {c.rows:>5} {c.matched:>5} {c.optional:>5}"
                f" {c.extra:>5} {c.precision:>6.3f}"
            )
    return lines


def format_report(report: Report, show: bool = False, by_rule: bool = False) -> str:
    """P/R/F1 and counts per table plus a micro average; `show` lists misses and extras,
    `by_rule` what every rule id contributed."""
    header = (
        f"{'table':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'extr':>5} {'hit':>5} {'gold':>5}"
    )
    lines = [header, "-" * len(header)]
    lines += [_score_line(name, s) for name, s in report.tables.items()]
    lines += ["-" * len(header), _score_line("micro", report.micro)]
    lines.append(
        f"scored docs: {len(report.scored_docs)}; gold docs skipped (not in output): "
        f"{len(report.skipped_docs)}"
    )
    if by_rule:
        lines += _rule_lines(report)
    if show:
        for table, s in report.tables.items():
            lines += _details(table, s)
    return "\n".join(lines)
