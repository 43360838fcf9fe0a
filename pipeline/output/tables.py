"""One declaration per table: columns (Arrow type, nullability, meaning, code vocabulary),
the key that identifies a row, the id prefix and the sort order.

Everything else derives from here: the Arrow schemas and the writers, the row ids,
`evaluate`'s key columns, `datapackage.json`, the column lists of `outputs/README.md` and
the tests' expectations. Adding a table or a column means adding it here (and a row builder
in `rows.py` for a base table, or `derive` for a derived one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

SCHEMA_VERSION = "2"

CODE = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True)
class Column:
    """One column: `codes` names its vocabulary (see `codes.py`) when it holds codes;
    `open_codes` when values outside the vocabulary are legitimate (no `enum` is declared)."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    codes: str | None = None
    open_codes: bool = False


@dataclass(frozen=True)
class Table:
    """One table. `key`: the columns that, with `doc_id` and the offsets, identify a row (its
    `id` hashes them; `scored` tables are matched against gold on `doc_id` + `key`).
    `derive`, for a table built from the others at the end of a run, takes the folder of
    the freshly written base tables and returns its rows (plain values, codes as strings)."""

    name: str
    one_row_per: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    id_prefix: str | None = None
    sort: tuple[str, ...] = ()
    scored: bool = False
    derive: Callable[[Path], list[dict]] | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def sort_columns(self) -> list[str]:
        """The declared order, then every other column (except `id`) as a tie-breaker."""
        rest = [c for c in self.column_names if c not in self.sort and c != "id"]
        return [*self.sort, *rest]


def _code(name: str, codes: str, description: str, **kw: bool) -> Column:
    return Column(name, CODE, description, codes=codes, **kw)


def _head(*columns: Column) -> tuple[Column, ...]:
    """id, doc_id, country, the table's own columns, then provenance."""
    return (
        Column("id", pa.string(), "stable id of the row: a hash of its document, table, "
               "offsets and key columns (same input, same id)", nullable=False),
        Column("doc_id", pa.string(), "the document the row was read from "
               "(documents.doc_id)", nullable=False),
        _code("country", "country", "country the statement is about (ISO 3166-1 alpha-2, "
              "EU for a Europe-wide statement; null where unknown)"),
        *columns,
        *_PROVENANCE,
    )


_PROVENANCE = (
    Column("start_char", pa.int64(), "offset in documents.text where the evidence starts "
           "(e.g. the figure)", nullable=False),
    Column("end_char", pa.int64(), "offset in documents.text just after the evidence",
           nullable=False),
    Column("page", pa.int32(), "1-based page of the evidence for PDFs, else null"),
    Column("sentence", pa.string(), "the sentence the row was read from"),
    Column("rule", pa.string(), "which rule produced the row"),
)

_ROW_SORT = ("doc_id", "start_char", "end_char")

TABLES: tuple[Table, ...] = (
    Table(
        "documents",
        "input file",
        (
            Column("doc_id", pa.string(), "the input file's name without extension",
                   nullable=False),
            Column("path", pa.string(), "the path the file was read from"),
            Column("sha256", pa.string(), "SHA-256 of the file's bytes (empty if unreadable)"),
            _code("format", "format", "file type: txt, pdf, or the suffix of an unsupported "
                  "file", open_codes=True),
            Column("title", pa.string(), "the report's title (its first heading line)"),
            _code("country", "country", "the country the report is about (ISO 3166-1 "
                  "alpha-2), from the text or the file name"),
            Column("report_year", pa.int32(), "the year the report was published, where "
                   "the title or headings say it"),
            _code("doc_type", "doc_type", "kind of document, from keywords in the title "
                  "(data/doc_types.yaml)"),
            Column("n_chars", pa.int64(), "length of `text` in characters"),
            Column("n_pages", pa.int32(), "pages of a PDF, else null"),
            Column("text", pa.large_string(), "the normalised text every offset points into"),
            _code("status", "document_status", "ok, or error when the file could not be used"),
            Column("error", pa.string(), "why the file could not be used (empty, binary, "
                   "encrypted or scanned PDF, ...)"),
            Column("encoding", pa.string(), "the text encoding the file was decoded with"),
            Column("warning", pa.string(), "something left out of a usable document, e.g. "
                   "its PDF tables could not be read"),
            Column("url", pa.string(), "where the report was published, given with "
                   "`extract --sources` (ingest never guesses it)"),
        ),
        sort=("doc_id",),
    ),
    Table(
        "facts",
        "quantitative statement",
        _head(
            _code("indicator", "indicator", "what is counted"),
            Column("year", pa.int32(), "the year the figure refers to, as the text states "
                   "it (the end of a period); null when none is stated"),
            Column("value", pa.float64(), "the figure as a plain number (a range's lower "
                   "bound)"),
            _code("qualifier", "qualifier", "the hedge the text puts on the figure"),
            Column("value_high", pa.float64(), "upper bound of a range, else null"),
            _code("unit", "unit", "unit of the value"),
            Column("period_start", pa.int32(), "first year of a period the figure covers "
                   "(e.g. a cumulative total), else null"),
            Column("region", pa.string(), "the part of the country the figure is about "
                   "(a city, a region), else null"),
        ),
        key=("country", "indicator", "year", "value"),
        id_prefix="f_",
        sort=_ROW_SORT + ("country", "indicator", "year", "value"),
        scored=True,
    ),
    Table(
        "events",
        "dated change of a service or law",
        _head(
            _code("event", "event", "what changed"),
            _code("service", "service", "the service that changed; null for a law on harm "
                  "reduction in general"),
            Column("year", pa.int32(), "the year of the change"),
            Column("month", pa.int32(), "the month (1-12) where the text gives it"),
            Column("region", pa.string(), "the part of the country, where the text names one"),
        ),
        key=("country", "event", "service", "year"),
        id_prefix="e_",
        sort=_ROW_SORT + ("country", "event", "service", "year"),
        scored=True,
    ),
    Table(
        "plans",
        "strategy, action plan, programme or law",
        _head(
            _code("kind", "plan_kind", "kind of plan"),
            Column("start_year", pa.int32(), "first year of the plan's period (for a law: "
                   "the year adopted)"),
            Column("end_year", pa.int32(), "last year of the plan's period"),
            Column("title", pa.string(), "the plan's name as written"),
            Column("measures", pa.int32(), "number of measures the plan has, where stated"),
            Column("authority", pa.string(), "who adopted or runs the plan, where stated"),
        ),
        key=("country", "kind", "start_year", "end_year"),
        id_prefix="p_",
        sort=_ROW_SORT + ("country", "kind", "start_year", "end_year"),
        scored=True,
    ),
    Table(
        "services",
        "service and status in a document",
        _head(
            _code("service", "service", "the harm-reduction or treatment service"),
            _code("status", "service_status", "what the document says of it (provenance: "
                  "its first mention)"),
        ),
        key=("country", "service", "status"),
        id_prefix="s_",
        sort=_ROW_SORT + ("country", "service", "status"),
        scored=True,
    ),
    Table(
        "mentions",
        "entity mention found (the raw layer)",
        _head(
            _code("label", "mention_label", "what was found (see the list of labels)"),
            Column("text", pa.string(), "the mention as written"),
            Column("normalised", pa.string(), "its normalised form, or the reason for "
                   "SKIPPED_FIGURE and NOT_A_FIGURE"),
        ),
        key=("label", "normalised"),
        id_prefix="m_",
        sort=_ROW_SORT + ("label", "normalised"),
    ),
    Table(
        "tables",
        "cell of a table found in a PDF (an extension of the contract)",
        _head(
            Column("table", pa.int32(), "0-based index of the table in its document",
                   nullable=False),
            Column("row", pa.int32(), "0-based row (row 0 is usually the header)",
                   nullable=False),
            Column("column", pa.int32(), "0-based column", nullable=False),
            Column("text", pa.string(), "the cell, spaces normalised; empty for an empty cell"),
        ),
        key=("page", "table", "row", "column"),
        id_prefix="t_",
        sort=_ROW_SORT + ("page", "table", "row", "column"),
    ),
)



def _series(folder: Path) -> list[dict]:
    from pipeline.consolidate.tables import series_rows  # pandas only at commit time

    return series_rows(folder)


def _service_status(folder: Path) -> list[dict]:
    from pipeline.consolidate.tables import service_status_rows

    return service_status_rows(folder)


_CHOSEN = (
    Column("doc_id", pa.string(), "the document of the chosen row"),
    Column("report_year", pa.int32(), "publication year of that document (documents."
           "report_year), where known"),
)

# Built at commit from the run's base tables (`pipeline/consolidate/`): one answer per
# country across reports, each pointing at the row that gave it.
TABLES = TABLES + (
    Table(
        "series",
        "country × indicator × unit × region × period_start × year, across reports (derived)",
        (
            Column("id", pa.string(), "stable id of the series (hash of its key)",
                   nullable=False),
            _code("country", "country", "country of the series"),
            _code("indicator", "indicator", "what is counted"),
            _code("unit", "unit", "unit of the values"),
            Column("region", pa.string(), "part of the country, else null (its own series)"),
            Column("period_start", pa.int32(), "first year of a cumulative period, else null: "
                   "cumulative figures are their own series, never mixed with annual ones"),
            Column("year", pa.int32(), "the year the figures refer to"),
            Column("value", pa.float64(), "the chosen figure"),
            _code("qualifier", "qualifier", "the chosen figure's hedge (a hedged value never "
                  "passes as exact)"),
            Column("value_high", pa.float64(), "upper bound of a chosen range, else null"),
            Column("n_sources", pa.int32(), "documents stating a figure for the series"),
            Column("n_rows", pa.int32(), "facts rows in the series"),
            Column("values", pa.list_(pa.float64()), "the distinct values seen, ascending"),
            Column("conflict", pa.bool_(), "true when two documents disagree beyond rounding "
                   "(README: Series and service status)"),
            Column("doc_id", pa.string(), "the document of the chosen row"),
            Column("fact_id", pa.string(), "id of the chosen facts row"),
            _CHOSEN[1],
            _code("rule", "series_rule", "the first criterion that chose the row"),
            Column("sentence", pa.string(), "the chosen row's sentence"),
        ),
        sort=("country", "indicator", "unit", "region", "period_start", "year"),
        derive=_series,
    ),
    Table(
        "service_status",
        "country × service, across reports (derived)",
        (
            Column("id", pa.string(), "stable id of the row (hash of country and service)",
                   nullable=False),
            _code("country", "country", "the country the status is resolved for"),
            _code("service", "service", "the harm-reduction or treatment service"),
            _code("status", "service_status", "the resolved status"),
            Column("statuses", pa.list_(pa.string()), "every status the documents state"),
            Column("n_sources", pa.int32(), "documents saying something of the service"),
            Column("start_year", pa.int32(), "earliest year a `started` event gives, any "
                   "document"),
            Column("start_event_id", pa.string(), "id of that events row"),
            Column("evidence_id", pa.string(), "id of the services row behind the status"),
            *_CHOSEN,
            _code("rule", "status_rule", "what decided the status"),
            Column("sentence", pa.string(), "the evidence row's sentence"),
        ),
        sort=("country", "service"),
        derive=_service_status,
    ),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
BASE_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.derive is None)
DERIVED_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.derive is not None)

# Derived views kept for the callers that predate the declarations.
ROW_KEYS: dict[str, list[str]] = {t.name: list(t.key) for t in TABLES if t.id_prefix}
ID_PREFIX: dict[str, str] = {t.name: t.id_prefix for t in TABLES if t.id_prefix}
# evaluate: a row matches a gold row when these are equal.
KEY_COLUMNS: dict[str, list[str]] = {t.name: ["doc_id", *t.key] for t in TABLES if t.scored}


def arrow_schema(table: Table) -> pa.Schema:
    """The table's Arrow schema; every field carries its description as metadata."""
    return pa.schema([
        pa.field(c.name, c.type, nullable=c.nullable,
                 metadata={b"description": c.description.encode("utf-8")})
        for c in table.columns
    ])


SCHEMAS: dict[str, pa.Schema] = {t.name: arrow_schema(t) for t in TABLES}
