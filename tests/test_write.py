"""Write stage: schemas, values, order, ids, file metadata and atomic replacement."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.output import write
from pipeline.output.tables import BASE_TABLES
from pipeline.output.write import (
    SCHEMAS,
    TABLE_NAMES,
    extractions_to_tables,
    read_table,
    write_tables,
)
from pipeline.types import (
    Document,
    Event,
    Extraction,
    Fact,
    Mention,
    Plan,
    Provenance,
    Sentence,
    ServiceStatus,
)

TEXT_A = "In 2020 a total of 1 234 syringes were handed out. Two rooms opened in 2019."
TEXT_B = "Page one text.\fPage two says 55 clients in 2021."


def _prov(start: int, end: int, sentence: str, rule: str, page: int | None = None) -> Provenance:
    return Provenance(start_char=start, end_char=end, sentence=sentence, rule=rule, page=page)


def _extraction_a() -> Extraction:
    doc = Document(
        doc_id="zz-doc-a",
        path="corpus/zz-doc-a.txt",
        sha256="a" * 64,
        format="txt",
        text=TEXT_A,
        title="Made-up report A",
        country="XA",
        report_year=2021,
        doc_type="country_report",
        encoding="utf-8",
    )
    s0 = Sentence(index=0, start=0, end=50, text=TEXT_A[:50], block=0)
    s1 = Sentence(index=1, start=51, end=len(TEXT_A), text=TEXT_A[51:], block=0)
    # Deliberately out of order: the writer must sort.
    facts = [
        Fact(
            doc_id="zz-doc-a",
            country="XA",
            indicator="dcr.facilities",
            year=2019,
            value=2.0,
            qualifier="exact",
            unit="count",
            prov=_prov(51, 75, s1.text, "fact.count"),
        ),
        Fact(
            doc_id="zz-doc-a",
            country="XA",
            indicator="nsp.syringes_distributed",
            year=2020,
            value=1234.0,
            qualifier="exact",
            unit="count",
            prov=_prov(19, 24, s0.text, "fact.quantity"),
        ),
        Fact(
            doc_id="zz-doc-a",
            country=None,
            indicator="pwid.estimate",
            year=None,
            value=10.0,
            qualifier="range",
            unit="count",
            value_high=20.0,
            period_start=2001,
            region="Somewhere",
            prov=_prov(19, 24, s0.text, "fact.range"),
        ),
    ]
    events = [
        Event(
            doc_id="zz-doc-a",
            country="XA",
            event="started",
            service="drug_consumption_room",
            year=2019,
            month=7,
            prov=_prov(51, 75, s1.text, "event.opened"),
        )
    ]
    plans = [
        Plan(
            doc_id="zz-doc-a",
            country="XA",
            kind="strategy",
            start_year=2016,
            end_year=None,
            title="Made-up strategy",
            measures=80,
            prov=_prov(0, 7, s0.text, "plan.named"),
        )
    ]
    services = [
        ServiceStatus(
            doc_id="zz-doc-a",
            country="XA",
            service="needle_syringe_programme",
            status="available",
            prov=_prov(30, 38, s0.text, "service.available"),
        )
    ]
    mentions = [
        Mention("QUANTITY", 19, 24, "1 234", "1234", 0, "num"),
        Mention("YEAR", 3, 7, "2020", "2020", 0, "year"),
        Mention("YEAR", 70, 74, "2019", "2019", 1, "year"),
    ]
    return Extraction(
        document=doc,
        sentences=[s0, s1],
        mentions=mentions,
        facts=facts,
        events=events,
        plans=plans,
        services=services,
    )


def _extraction_b() -> Extraction:
    doc = Document(
        doc_id="zz-doc-b",
        path="corpus/zz-doc-b.pdf",
        sha256="b" * 64,
        format="pdf",
        text=TEXT_B,
        country="XB",
        n_pages=2,
        page_starts=(15,),
    )
    sentence = Sentence(index=0, start=15, end=len(TEXT_B), text=TEXT_B[15:], block=1)
    fact = Fact(
        doc_id="zz-doc-b",
        country="XB",
        indicator="dcr.clients",
        year=2021,
        value=55.0,
        qualifier="exact",
        unit="count",
        prov=_prov(30, 32, sentence.text, "fact.quantity"),
    )
    mention = Mention("QUANTITY", 30, 32, "55", "55", 0, "num")
    return Extraction(document=doc, sentences=[sentence], mentions=[mention], facts=[fact])


@pytest.fixture
def extractions() -> list[Extraction]:
    # doc b first: documents must still come out sorted by doc_id.
    return [_extraction_b(), _extraction_a()]


@pytest.fixture
def out_dir(tmp_path: Path, extractions: list[Extraction]) -> Path:
    write_tables(extractions_to_tables(extractions), tmp_path / "out")
    return tmp_path / "out"


def test_tables_have_the_explicit_schemas(extractions: list[Extraction]) -> None:
    tables = extractions_to_tables(extractions)
    assert list(tables) == [t.name for t in BASE_TABLES]
    for name, table in tables.items():
        assert table.schema.equals(SCHEMAS[name]), name
        if name != "documents":
            assert table.schema.names[:3] == ["id", "doc_id", "country"]
            for column in ("start_char", "end_char", "page", "sentence", "rule"):
                assert column in table.schema.names
    assert tables["facts"].schema.field("indicator").type == pa.dictionary(pa.int32(), pa.string())
    assert tables["facts"].schema.field("year").type == pa.int32()


def test_empty_extraction_gives_empty_tables_with_schema() -> None:
    tables = extractions_to_tables([])
    for name, table in tables.items():
        assert table.num_rows == 0
        assert table.schema.equals(SCHEMAS[name])


def test_write_returns_paths_and_leaves_no_temporaries(out_dir: Path) -> None:
    visible = sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))
    assert visible == sorted([*(f"{n}.parquet" for n in TABLE_NAMES), "datapackage.json"])
    assert sorted(p.name for p in out_dir.iterdir() if p.name.startswith(".")) == [
        ".current", ".generations", ".lock"]
    assert [p.name for p in (out_dir / ".generations").iterdir()] == ["1"]
    for name in TABLE_NAMES:
        assert os.readlink(out_dir / f"{name}.parquet") == f".current/{name}.parquet"


def test_facts_values_order_and_dtypes(out_dir: Path) -> None:
    facts = read_table(out_dir, "facts")
    assert list(facts.columns) == SCHEMAS["facts"].names
    # sorted by doc_id, start_char, end_char, then key columns (country null last)
    assert list(zip(facts["doc_id"], facts["start_char"], facts["indicator"], strict=True)) == [
        ("zz-doc-a", 19, "nsp.syringes_distributed"),
        ("zz-doc-a", 19, "pwid.estimate"),
        ("zz-doc-a", 51, "dcr.facilities"),
        ("zz-doc-b", 30, "dcr.clients"),
    ]
    assert facts["value"].tolist() == [1234.0, 10.0, 2.0, 55.0]
    assert facts["value"].dtype == "float64"
    assert facts["year"].dtype == pd.Int32Dtype()
    assert facts["year"].tolist()[:1] == [2020]
    assert facts["year"].isna().tolist() == [False, True, False, False]
    for column in ("country", "indicator", "qualifier", "unit"):
        assert isinstance(facts[column].dtype, pd.CategoricalDtype), column
    assert facts["country"].isna().tolist() == [False, True, False, False]
    range_row = facts.iloc[1]
    assert range_row["value_high"] == 20.0
    assert range_row["period_start"] == 2001
    assert range_row["region"] == "Somewhere"
    assert range_row["qualifier"] == "range"
    assert facts["rule"].tolist() == ["fact.quantity", "fact.range", "fact.count", "fact.quantity"]
    assert facts["sentence"].iloc[3] == "Page two says 55 clients in 2021."
    assert facts["start_char"].dtype == "int64"
    # page: null for txt, looked up from the document for pdf when prov leaves it empty
    assert facts["page"].dtype == pd.Int32Dtype()
    assert facts["page"].isna().tolist() == [True, True, True, False]
    assert facts["page"].iloc[3] == 2


def test_documents_table(out_dir: Path) -> None:
    docs = read_table(out_dir, "documents")
    assert list(docs.columns) == SCHEMAS["documents"].names
    assert docs["doc_id"].tolist() == ["zz-doc-a", "zz-doc-b"]
    assert docs["n_chars"].tolist() == [len(TEXT_A), len(TEXT_B)]
    assert docs["text"].tolist() == [TEXT_A, TEXT_B]
    assert docs["report_year"].dtype == pd.Int32Dtype()
    assert docs["report_year"].iloc[0] == 2021
    assert pd.isna(docs["report_year"].iloc[1])
    assert docs["n_pages"].iloc[1] == 2
    assert docs["encoding"].iloc[0] == "utf-8"
    assert pd.isna(docs["encoding"].iloc[1])
    for column in ("format", "country", "doc_type", "status"):
        assert isinstance(docs[column].dtype, pd.CategoricalDtype), column
    assert docs["format"].tolist() == ["txt", "pdf"]
    assert docs["status"].tolist() == ["ok", "ok"]


def test_events_plans_services(out_dir: Path) -> None:
    events = read_table(out_dir, "events")
    assert events[["event", "service"]].astype(str).values.tolist() == [
        ["started", "drug_consumption_room"]
    ]
    assert events["year"].tolist() == [2019]
    assert events["month"].tolist() == [7]
    assert events["month"].dtype == pd.Int32Dtype()
    plans = read_table(out_dir, "plans")
    assert plans["kind"].tolist() == ["strategy"]
    assert plans["start_year"].tolist() == [2016]
    assert plans["end_year"].isna().tolist() == [True]
    assert plans["measures"].tolist() == [80]
    assert plans["title"].tolist() == ["Made-up strategy"]
    services = read_table(out_dir, "services")
    assert services[["service", "status"]].astype(str).values.tolist() == [
        ["needle_syringe_programme", "available"]
    ]
    assert isinstance(services["status"].dtype, pd.CategoricalDtype)
    assert services["start_char"].tolist() == [30]


def test_mentions_map_offsets_sentence_text_and_page(out_dir: Path) -> None:
    mentions = read_table(out_dir, "mentions")
    assert list(mentions.columns) == SCHEMAS["mentions"].names
    assert mentions["start_char"].tolist() == [3, 19, 70, 30]
    assert mentions["end_char"].tolist() == [7, 24, 74, 32]
    assert mentions["label"].astype(str).tolist() == ["YEAR", "QUANTITY", "YEAR", "QUANTITY"]
    assert mentions["normalised"].tolist() == ["2020", "1234", "2019", "55"]
    assert mentions["sentence"].tolist() == [
        TEXT_A[:50],
        TEXT_A[:50],
        TEXT_A[51:],
        "Page two says 55 clients in 2021.",
    ]
    assert mentions["country"].astype(str).tolist() == ["XA", "XA", "XA", "XB"]
    assert mentions["page"].isna().tolist() == [True, True, True, False]
    assert mentions["page"].iloc[3] == 2


def test_ids_are_deterministic_prefixed_and_unique(
    tmp_path: Path, extractions: list[Extraction]
) -> None:
    first = write_tables(extractions_to_tables(extractions), tmp_path / "one")
    second = write_tables(extractions_to_tables(list(reversed(extractions))), tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    prefixes = {"facts": "f_", "events": "e_", "plans": "p_", "services": "s_", "mentions": "m_"}
    for name, prefix in prefixes.items():
        ids = read_table(tmp_path / "one", name)["id"].tolist()
        assert all(i.startswith(prefix) and len(i) == len(prefix) + 16 for i in ids)
        assert len(set(ids)) == len(ids)


def test_exact_duplicate_rows_get_distinct_stable_ids(extractions: list[Extraction]) -> None:
    ext = extractions[1]
    ext.facts.append(ext.facts[0])
    ids = extractions_to_tables(extractions)["facts"].column("id").to_pylist()
    assert len(set(ids)) == len(ids) == 5
    assert ids == extractions_to_tables(extractions)["facts"].column("id").to_pylist()


def test_file_metadata_carries_versions(out_dir: Path) -> None:
    for name in TABLE_NAMES:
        meta = pq.read_metadata(out_dir / f"{name}.parquet").metadata
        assert meta[b"pipeline_version"] == pipeline.__version__.encode()
        assert meta[b"schema_version"] == write.SCHEMA_VERSION.encode()
    assert write.PIPELINE_VERSION == pipeline.__version__


def test_failed_write_keeps_previous_tables(
    out_dir: Path, extractions: list[Extraction], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    real_write = pq.ParquetWriter.write_table
    calls = {"n": 0}

    def failing_write(self: pq.ParquetWriter, table: pa.Table, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        real_write(self, table, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", failing_write)
    tables = extractions_to_tables(extractions[:1])  # different content from the first write
    with pytest.raises(OSError, match="simulated"):
        write_tables(tables, out_dir)
    assert calls["n"] == 3
    after = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out_dir.iterdir() if ".tmp-" in p.name]
    assert [p.name for p in (out_dir / ".generations").iterdir()] == ["1"]
