"""The streaming writer: the same rows, order and ids as the whole-set writer computed the
old way (`json.dumps` ids, one global sort), full vocabularies as dictionaries, the data
dictionary, country code schemes, and the writable check before any document is read."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.ingest.read import read_document
from pipeline.output import codes
from pipeline.output.datapackage import README_END, README_START, descriptor, markdown_columns
from pipeline.output.rows import ROW_BUILDERS, _json_atom
from pipeline.output.tables import (
    BASE_TABLES,
    BY_NAME,
    ID_PREFIX,
    ROW_KEYS,
    SCHEMAS,
    TABLE_NAMES,
    TABLES,
)
from pipeline.output.write import extractions_to_tables, read_table, write_tables
from pipeline.output.writer import TableSetWriter
from pipeline.run import batch
from pipeline.run.batch import document_to_extraction, load_rules
from pipeline.types import Extraction
from tests.conftest import extract_text

ROOT = Path(__file__).resolve().parents[1]
BASE_NAMES = [t.name for t in BASE_TABLES]

# Made-up reports (no figure from a real report) whose ids need JSON escaping: quotes,
# backslashes, non-ASCII, a figure range, a region, a Greek and a British statement.
MADE_UP = {
    "gr-made-up": 'Greece\n\nIn 2019 about 1 200 clients were in "OST" in Thessaloníki. '
                  "The first drug consumption room opened in Athens in 2020. Between 300 and "
                  "400 needles\\syringes were handed out in 2021.",
    "uk-made-up": "United Kingdom\n\nIn 2018 the UK had 41 NSP sites. Naloxone kits: 5 000 "
                  "in 2019 — and “more than 60” pharmacies. Wales started OST in 1995.",
    "aa-made-up": "Austria\n\nSome 17 000 people were in opioid substitution treatment in "
                  "2017 (±5 %). The national strategy 2016-2020 was adopted in 2015.",
}


def _old_row_id(name: str, row: dict[str, Any], occurrence: int = 0) -> str:
    """The id as the previous writer computed it (kept here as the reference)."""
    parts = [row["doc_id"], name, row["start_char"], row["end_char"]]
    parts += [row[c] for c in ROW_KEYS[name]]
    if occurrence:
        parts.append(occurrence)
    digest = hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
    return ID_PREFIX[name] + digest[:16]


def _old_table(name: str, extractions: list[Extraction]) -> list[dict[str, Any]]:
    """The previous writer's rows of one table: one global sort, then ids."""
    if name == "documents":
        return sorted((ROW_BUILDERS[name](e)[0] for e in extractions),
                      key=lambda r: r["doc_id"])
    rows = [row for ext in extractions for row in ROW_BUILDERS[name](ext)]
    first = ["doc_id", "start_char", "end_char", *ROW_KEYS[name]]
    columns = first + [c for c in SCHEMAS[name].names if c not in first and c != "id"]
    rows.sort(key=lambda r: tuple((r[c] is None, 0 if r[c] is None else r[c])
                                  for c in columns))
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        base = _old_row_id(name, row)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append({"id": _old_row_id(name, row, n), **row})
    return out


@pytest.fixture(scope="module")
def extractions() -> list[Extraction]:
    load_rules()
    seeds = [document_to_extraction(read_document(p)) for p in sorted(
        (ROOT / "corpus").glob("*.txt"))]
    made_up = [extract_text(text, doc_id) for doc_id, text in MADE_UP.items()]
    return seeds + made_up


@pytest.fixture(scope="module")
def streamed(extractions: list[Extraction], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("streamed")
    with TableSetWriter(out, row_group_rows=16) as writer:
        for ext in sorted(extractions, key=lambda e: e.document.doc_id):
            writer.add(ext)
        writer.commit()
    return out


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 10**20, 0.1, 1234.0, -0.0, 1e16, 1.5e-7, 123456789.125,
     float("nan"), float("inf"), float("-inf"), "", "plain", 'quo"te', "back\\slash",
     "é ü ß ΕΛ", "tab\tnew\nline\x00\x1f", "\u2028\u2029", "emoji 😀", "–—‑"],
)
def test_id_text_is_what_json_dumps_writes(value: object) -> None:
    assert _json_atom(value) == json.dumps(value, ensure_ascii=False)


def test_streamed_tables_equal_the_old_writer(
    streamed: Path, extractions: list[Extraction]
) -> None:
    for name in BASE_NAMES:
        written = pq.read_table(streamed / f"{name}.parquet").to_pylist()
        expected = _old_table(name, extractions)
        assert len(written) == len(expected), name
        for got, want in zip(written, expected, strict=True):
            assert list(got) == SCHEMAS[name].names
            for column, value in want.items():
                assert got[column] == value or (
                    isinstance(value, float) and math.isnan(value) and math.isnan(got[column])
                ), (name, column)
    assert pq.ParquetFile(streamed / "mentions.parquet").metadata.num_row_groups > 5
    assert {r["doc_id"] for r in pq.read_table(streamed / "facts.parquet").to_pylist()} \
        >= set(MADE_UP)


def test_streamed_equals_whole_set_writer(
    streamed: Path, extractions: list[Extraction], tmp_path: Path
) -> None:
    write_tables(extractions_to_tables(list(reversed(extractions))), tmp_path)
    for name in TABLE_NAMES:
        a = pq.read_table(streamed / f"{name}.parquet")
        b = pq.read_table(tmp_path / f"{name}.parquet")
        assert a.to_pylist() == b.to_pylist(), name
        assert a.schema.equals(b.schema, check_metadata=True), name
    assert (streamed / "datapackage.json").read_text() == (tmp_path / "datapackage.json") \
        .read_text()


def test_code_columns_have_the_full_vocabulary_and_concatenate(streamed: Path) -> None:
    facts = read_table(streamed, "facts")
    assert list(facts["indicator"].cat.categories) == list(codes.vocabulary("indicator"))
    assert list(facts["country"].cat.categories) == list(codes.vocabulary("country"))
    services = read_table(streamed, "services")
    assert list(services["status"].cat.categories) == list(codes.vocabulary("service_status"))
    first, second = facts[facts.doc_id == "gr-made-up"], facts[facts.doc_id != "gr-made-up"]
    both = pd.concat([first, second])
    assert isinstance(both["indicator"].dtype, pd.CategoricalDtype)
    assert isinstance(both["qualifier"].dtype, pd.CategoricalDtype)


def test_every_code_the_pipeline_wrote_is_declared(streamed: Path) -> None:
    for table in TABLES:
        frame = pq.read_table(streamed / f"{table.name}.parquet").to_pandas()
        for column in table.columns:
            if column.codes and not column.open_codes:
                used = set(frame[column.name].dropna().astype(str))
                assert used <= set(codes.vocabulary(column.codes)), (table.name, column.name)


def test_parquet_fields_carry_descriptions(streamed: Path) -> None:
    for table in TABLES:
        schema = pq.read_schema(streamed / f"{table.name}.parquet")
        for column in table.columns:
            description = schema.field(column.name).metadata[b"description"].decode()
            assert description == column.description


def test_datapackage_describes_every_column(streamed: Path) -> None:
    package = json.loads((streamed / "datapackage.json").read_text(encoding="utf-8"))
    assert package == descriptor()
    assert [r["name"] for r in package["resources"]] == list(TABLE_NAMES)
    for resource in package["resources"]:
        table = BY_NAME[resource["name"]]
        assert (streamed / resource["path"]).is_file()
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == table.column_names
        for field, column in zip(fields, table.columns, strict=True):
            assert field["description"] == column.description
            assert field["type"] in ("string", "integer", "number", "boolean", "array")
            enum = field.get("constraints", {}).get("enum")
            if column.codes and not column.open_codes:
                assert enum == list(codes.vocabulary(column.codes)), field["name"]
            else:
                assert enum is None
    facts = package["resources"][1]["schema"]
    assert facts["primaryKey"] == ["id"]
    assert facts["fields"][2]["constraints"]["enum"][-1] == "EU"
    labels = package["resources"][5]["schema"]["fields"][3]["constraints"]["enum"]
    assert len(labels) == len(codes.vocabulary("mention_label")) and "SKIPPED_FIGURE" in labels


def test_datapackage_validates_with_frictionless(streamed: Path) -> None:
    """Descriptor and data: types, enums, required columns, primary and foreign keys. The
    one exception is the reader's: frictionless reads Parquet through pandas, where a null
    in an integer column becomes NaN (a float), reported as a type error."""
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(streamed / "datapackage.json"), type="package")
    integer_columns = {(t.name, c.name) for t in TABLES for c in t.columns
                       if c.nullable and pa.types.is_integer(c.type)}
    # ... and a list column (series.values) arrives as a numpy array, not a JSON array.
    array_columns = {(t.name, c.name) for t in TABLES for c in t.columns
                     if pa.types.is_list(c.type)}
    errors = [(task.name, error.type, getattr(error, "field_name", None),
               getattr(error, "cell", None)) for task in report.tasks for error in task.errors]
    assert report.stats["tasks"] == len(TABLES)
    other = [e for e in errors if not (e[1] == "type-error" and (
        ((e[0], e[2]) in integer_columns and str(e[3]) == "nan") or (e[0], e[2]) in array_columns))]
    assert other == []
    bad = descriptor()
    bad["resources"][1]["schema"]["fields"][3]["constraints"]["enum"] = ["ost.clients"]
    (streamed / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    report = frictionless.validate(str(streamed / "bad.json"), type="package")
    assert "constraint-error" in {e.type for t in report.tasks for e in t.errors}


def test_outputs_readme_lists_the_declared_columns() -> None:
    text = (ROOT / "outputs" / "README.md").read_text(encoding="utf-8")
    block = text[text.index(README_START):text.index(README_END) + len(README_END)]
    assert block == markdown_columns(), (
        "outputs/README.md drifted: run python -m pipeline.output.datapackage outputs/README.md")
    for label, meaning in codes.descriptions("mention_label").items():
        assert f"| `{label}` | {meaning} |" in block


def test_eu_country_codes(extractions: list[Extraction], tmp_path: Path) -> None:
    made_up = [e for e in extractions if e.document.doc_id in MADE_UP]
    iso = extractions_to_tables(made_up)
    eu = extractions_to_tables(made_up, country_codes="eu")
    for name in BASE_NAMES:
        a, b = iso[name].to_pylist(), eu[name].to_pylist()
        assert [r.get("id") for r in a] == [r.get("id") for r in b], name
        swap = {"GR": "EL", "GB": "UK"}
        assert [swap.get(r["country"], r["country"]) for r in a] == [r["country"] for r in b]
    documents = dict(zip(eu["documents"].column("doc_id").to_pylist(),
                         eu["documents"].column("country").to_pylist(), strict=True))
    assert documents == {"aa-made-up": "AT", "gr-made-up": "EL", "uk-made-up": "UK"}
    assert "EL" in eu["facts"].column("country").to_pylist()
    with TableSetWriter(tmp_path, country_codes="eu") as writer:
        for ext in sorted(made_up, key=lambda e: e.document.doc_id):
            writer.add(ext)
        writer.commit()
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    enum = package["resources"][0]["schema"]["fields"][5]["constraints"]["enum"]
    assert "EL" in enum and "UK" in enum and "GR" not in enum
    facts = read_table(tmp_path, "facts")
    assert "UK" in list(facts["country"].cat.categories)
    assert facts["country"].astype(str).isin(["EL", "UK", "AT"]).all()


def test_unknown_code_is_kept_and_declared(extractions: list[Extraction], tmp_path: Path) -> None:
    ext = next(e for e in extractions if e.document.doc_id == "gr-made-up")
    odd = Extraction(ext.document, facts=[replace(ext.facts[0], indicator="zz.not_declared")])
    with TableSetWriter(tmp_path) as writer:
        writer.add(odd)
        writer.commit()
    assert read_table(tmp_path, "facts")["indicator"].astype(str).tolist() == ["zz.not_declared"]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    enum = package["resources"][1]["schema"]["fields"][3]["constraints"]["enum"]
    assert enum[-1] == "zz.not_declared" and enum[:-1] == list(codes.vocabulary("indicator"))


def test_documents_out_of_order_are_refused(extractions: list[Extraction], tmp_path: Path) -> None:
    first, second = sorted(extractions, key=lambda e: e.document.doc_id)[:2]
    with TableSetWriter(tmp_path) as writer:
        writer.add(second)
        with pytest.raises(ValueError, match="doc_id order"):
            writer.add(first)
    assert not (tmp_path / "documents.parquet").exists()
    assert list((tmp_path / ".generations").iterdir()) == []


def test_unwritable_output_fails_before_any_document_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    def must_not_run(*args: object) -> None:
        raise AssertionError("a document was read before the output folder was checked")

    monkeypatch.setattr(batch, "path_to_extraction", must_not_run)
    with pytest.raises(OSError):
        batch.run([ROOT / "corpus"], blocker / "out", progress=None)


def test_derived_tables_are_built_from_the_written_set(
    extractions: list[Extraction], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table declared with `derive` is built at commit from the generation's base tables
    and published with them (the seam for tables such as `series`)."""
    from pipeline.output import datapackage, tables, writer

    def facts_per_document(generation: Path) -> list[dict]:
        facts = pq.read_table(generation / "facts.parquet").to_pandas()
        counts = facts.groupby("doc_id").size().sort_index()
        return [{"doc_id": d, "n_facts": int(n)} for d, n in counts.items()]

    derived = tables.Table(
        "fact_counts", "document with facts",
        (tables.Column("doc_id", pa.string(), "the document", nullable=False),
         tables.Column("n_facts", pa.int64(), "how many facts it has")),
        derive=facts_per_document)
    monkeypatch.setattr(writer, "DERIVED_TABLES", (derived,))
    monkeypatch.setattr(datapackage, "TABLES", (*TABLES, derived))
    monkeypatch.setitem(SCHEMAS, "fact_counts", tables.arrow_schema(derived))
    with TableSetWriter(tmp_path) as w:
        for ext in sorted(extractions, key=lambda e: e.document.doc_id):
            w.add(ext)
        paths = w.commit()
    assert tmp_path / "fact_counts.parquet" in paths
    counts = pq.read_table(tmp_path / "fact_counts.parquet")
    facts = pq.read_table(tmp_path / "facts.parquet").column("doc_id").to_pylist()
    assert dict(zip(*counts.to_pydict().values(), strict=True)) == {
        d: facts.count(d) for d in sorted(set(facts))}
    assert counts.schema.field("n_facts").metadata[b"description"] == b"how many facts it has"
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][-1]["name"] == "fact_counts"
