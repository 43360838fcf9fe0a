"""The table declarations: complete, consistent with the rules' vocabularies, and the one
source of schemas, ids, evaluate keys and row builders."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from pipeline.check import evaluate
from pipeline.extract.match import _phrase_groups
from pipeline.output import codes
from pipeline.output.tables import (
    CODE,
    ID_PREFIX,
    KEY_COLUMNS,
    ROW_KEYS,
    SCHEMAS,
    TABLE_NAMES,
    TABLES,
)
from pipeline.vocab import DATA_DIR, load

COLUMNS = [(t.name, c) for t in TABLES for c in t.columns]


@pytest.mark.parametrize(("table", "column"), COLUMNS,
                         ids=[f"{t}.{c.name}" for t, c in COLUMNS])
def test_every_column_is_described_and_typed(table: str, column) -> None:  # noqa: ANN001
    assert len(column.description) >= 12, f"{table}.{column.name} lacks a description"
    field = SCHEMAS[table].field(column.name)
    assert field.type == column.type
    assert field.nullable == column.nullable
    assert field.metadata[b"description"].decode() == column.description
    if column.type == CODE:
        assert column.codes in codes.VOCABULARIES, f"{table}.{column.name} lacks a vocabulary"
        assert codes.vocabulary(column.codes), column.codes
    else:
        assert column.codes is None


def test_row_tables_share_head_and_provenance() -> None:
    for t in TABLES:
        if t.name == "documents" or t.derive is not None:
            continue
        assert t.column_names[:3] == ["id", "doc_id", "country"], t.name
        assert t.column_names[-5:] == ["start_char", "end_char", "page", "sentence", "rule"]
        assert t.sort[:3] == ("doc_id", "start_char", "end_char")
        assert set(t.key) <= set(t.column_names)


def test_derived_registries() -> None:
    assert TABLE_NAMES == (
        "documents", "facts", "events", "plans", "services", "mentions", "tables", "series",
        "service_status")
    assert ID_PREFIX == {"facts": "f_", "events": "e_", "plans": "p_", "services": "s_",
                         "mentions": "m_", "tables": "t_"}
    assert ROW_KEYS["facts"] == ["country", "indicator", "year", "value"]
    assert KEY_COLUMNS == {
        "facts": ["doc_id", "country", "indicator", "year", "value"],
        "events": ["doc_id", "country", "event", "service", "year"],
        "plans": ["doc_id", "country", "kind", "start_year", "end_year"],
        "services": ["doc_id", "country", "service", "status"],
    }
    assert evaluate.KEY_COLUMNS is KEY_COLUMNS
    assert len(set(ID_PREFIX.values())) == len(ID_PREFIX)


def test_indicator_codes_of_the_rules_are_declared() -> None:
    text = (DATA_DIR / "indicators.yaml").read_text(encoding="utf-8")
    body = "\n".join(line.split("#")[0] for line in text.splitlines())
    used = set(re.findall(r"\b[a-z]+\.[a-z_]+\b", body))
    assert used and used <= set(codes.vocabulary("indicator"))


def test_every_phrase_group_is_a_declared_mention_label() -> None:
    labels = set(codes.vocabulary("mention_label"))
    groups = {g.upper() for g in _phrase_groups()}
    assert groups <= labels, groups - labels
    assert len(labels) == 29


def test_vocabularies_read_from_the_rules_data() -> None:
    assert codes.vocabulary("service") == tuple(load("services"))
    # cue groups refine an event code (`started_weak`): the code is the part before "_"
    cue_events = {k if k in codes.vocabulary("event") else k.rsplit("_", 1)[0]
                  for k in load("cues")["events"]}
    assert cue_events == set(codes.vocabulary("event"))
    assert set(load("cues")["qualifiers"]) < set(codes.vocabulary("qualifier"))
    assert codes.vocabulary("country")[-1] == "EU"
    assert "GR" in codes.vocabulary("country") and "EL" not in codes.vocabulary("country")
    eu = codes.vocabulary("country", "eu")
    assert {"EL", "UK"} <= set(eu) and not {"GR", "GB"} & set(eu)
    assert len(eu) == len(set(eu)) == len(codes.vocabulary("country"))
    assert codes.vocabulary("doc_type")[-1] == load("doc_types")["default"]
    with pytest.raises(ValueError, match="unknown country code scheme"):
        codes.vocabulary("country", "iso3")


def test_schema_types_where_analysts_rely_on_them() -> None:
    assert SCHEMAS["facts"].field("year").type == pa.int32()
    assert SCHEMAS["facts"].field("value").type == pa.float64()
    assert SCHEMAS["documents"].field("text").type == pa.large_string()
    assert SCHEMAS["facts"].field("indicator").type == CODE
