"""The data dictionary that travels with the tables, generated from the declarations:
`datapackage.json` (a Frictionless Data Package: one resource per table, every field with its
type and description, code columns with their allowed values) and the column lists of
`outputs/README.md` (`python -m pipeline.output.datapackage outputs/README.md` rewrites them).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline import __version__ as PIPELINE_VERSION
from pipeline.output import codes
from pipeline.output.tables import SCHEMA_VERSION, TABLES, Column, Table

DESCRIPTOR = "datapackage.json"
README_START = "<!-- columns: generated from pipeline/output/tables.py; do not edit -->"
README_END = "<!-- end of generated columns -->"


def field_type(arrow_type: pa.DataType) -> str:
    """Table Schema type of an Arrow type."""
    if pa.types.is_dictionary(arrow_type) or pa.types.is_string(arrow_type) \
            or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "number"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_list(arrow_type):
        return "array"
    raise ValueError(f"no Table Schema type for {arrow_type}")


def _field(table: Table, column: Column, scheme: str,
           unknown: dict[tuple[str, str], list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "type": field_type(column.type),
                           "description": column.description}
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.codes and not column.open_codes:
        extra = unknown.get((table.name, column.name), [])
        constraints["enum"] = [*codes.vocabulary(column.codes, scheme), *extra]
    if constraints:
        out["constraints"] = constraints
    return out


def _resource(table: Table, scheme: str,
              unknown: dict[tuple[str, str], list[str]]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(table, c, scheme, unknown) for c in table.columns],
        "missingValues": [],
    }
    if table.id_prefix:
        schema["primaryKey"] = ["id"]
        schema["foreignKeys"] = [{"fields": ["doc_id"],
                                  "reference": {"resource": "documents", "fields": ["doc_id"]}}]
    elif table.name == "documents":
        schema["primaryKey"] = ["doc_id"]
    return {
        "name": table.name,
        "path": f"{table.name}.parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "profile": "tabular-data-resource",
        "description": f"One row per {table.one_row_per}.",
        "schema": schema,
    }


def descriptor(scheme: str = "iso",
               unknown: dict[tuple[str, str], list[str]] | None = None) -> dict[str, Any]:
    """The Data Package descriptor of a set of tables written with country codes `scheme`;
    `unknown` adds codes a run produced outside the vocabularies to their column's enum."""
    return {
        "profile": "tabular-data-package",
        "name": "drugreport-tables",
        "title": "Records extracted from country drug reports",
        "description": "Facts, events, plans and services read from drug reports, each row "
                       "traceable to its document, offsets, page and sentence. "
                       f"Country codes: {scheme}.",
        "version": f"{PIPELINE_VERSION}+schema.{SCHEMA_VERSION}",
        "resources": [_resource(t, scheme, unknown or {}) for t in TABLES],
    }


# --------------------------------------------------------------------------- README


def _type_label(column: Column) -> str:
    if column.codes:
        return "code"
    return {"integer": "int32" if column.type == pa.int32() else "int64",
            "number": "float64", "boolean": "bool",
            "array": "list"}.get(field_type(column.type), "string")


def markdown_columns() -> str:
    """Per table, a column list (name, type, meaning, codes) for outputs/README.md."""
    lines = [README_START]
    for table in TABLES:
        lines += ["", f"### `{table.name}.parquet`: one row per {table.one_row_per}", "",
                  "| column | type | meaning |", "|---|---|---|"]
        for c in table.columns:
            meaning = c.description
            if c.codes and c.codes not in ("country", "mention_label", "indicator", "service"):
                known = ", ".join(f"`{v}`" for v in codes.vocabulary(c.codes))
                meaning += f" (known: {known})" if c.open_codes else f": {known}"
            elif c.codes:
                meaning += f" (codes: [{c.codes}](#code-lists))"
            null = "" if c.nullable else ", required"
            lines.append(f"| `{c.name}` | {_type_label(c)}{null} | {meaning} |")
    lines += ["", "### Code lists", ""]
    for vocab in ("indicator", "service", "mention_label"):
        lines += [f"`{vocab}`:", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{code}` | {text} |" for code, text in codes.descriptions(vocab).items()]
        lines.append("")
    lines.append("`country`: ISO 3166-1 alpha-2 codes of the countries in "
                 "`pipeline/data/countries.yaml`, and `EU`; with `--country-codes eu`, "
                 "`EL` for Greece and `UK` for the United Kingdom.")
    lines += ["", README_END]
    return "\n".join(lines)


def rewrite_readme(path: Path) -> bool:
    """Replace the generated block of `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    new = text[:start] + markdown_columns() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"{arg}: {'rewritten' if rewrite_readme(Path(arg)) else 'up to date'}")
