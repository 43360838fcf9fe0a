"""Scoring against gold: matching rules, optional rows, skipped docs and the arithmetic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.check.evaluate import (
    KEY_COLUMNS,
    format_report,
    load_gold,
    normalise_cell,
    score,
    score_rows,
)
from pipeline.output.write import extractions_to_tables, write_tables
from pipeline.types import Document, Event, Extraction, Fact, Plan, Provenance, ServiceStatus

GOLD_HEADER = (
    "table,doc_id,country,indicator,year,value,event,service,status,kind,"
    "start_year,end_year,optional,note"
)
GOLD_ROWS = [
    # facts, doc x1: 3 required, 1 optional
    "facts,x1,XA,nsp.syringes_distributed,2003,1700000,,,,,,,0,from 1.7 million",
    "facts,x1,XA,pwid.estimate,,11000,,,,,,,0,no year stated",
    "facts,x1,XA,dcr.facilities,2016,2,,,,,,,0,two rooms",
    "facts,x1,XA,pwid.estimate,2013,11000,,,,,,,1,year from context",
    # events
    "events,x1,XA,,2019,,legal_basis,,,,,,0,law for harm reduction in general",
    "events,x1,XA,,2016,,started,drug_consumption_room,,,,,0,",
    # plans
    "plans,x1,XA,,,,,,,strategy,2016,,0,strategy of 2016",
    "plans,x1,XA,,,,,,,strategy,,,1,named without year",
    # services
    "services,x1,XA,,,,,outreach,available,,,,0,",
    "services,x1,XA,,,,,outreach,discontinued,,,,0,",
    # a document the run did not process
    "facts,x9,XB,ost.clients,2015,500,,,,,,,0,not processed",
    "services,x9,XB,,,,,outreach,available,,,,0,",
]


def _prov(start: int, sentence: str = "Made-up sentence.") -> Provenance:
    return Provenance(start_char=start, end_char=start + 5, sentence=sentence, rule="test")


def _fact(indicator: str, year: int | None, value: float, start: int) -> Fact:
    return Fact(
        doc_id="x1",
        country="XA",
        indicator=indicator,
        year=year,
        value=value,
        qualifier="exact",
        unit="count",
        prov=_prov(start, f"sentence about {indicator}"),
    )


def _extraction() -> Extraction:
    doc = Document(doc_id="x1", path="x1.txt", sha256="0" * 64, format="txt", text="t" * 200)
    facts = [
        _fact("nsp.syringes_distributed", 2003, 1.7e6, 0),  # matches (number as number)
        _fact("pwid.estimate", None, 11000, 10),  # matches (null year = null)
        _fact("pwid.estimate", 2013, 11000, 20),  # optional only → excluded
        _fact("dcr.facilities", 2017, 2, 30),  # wrong year → extra
        _fact("nsp.syringes_distributed", 2003, 1700000, 40),  # duplicate → matched again
    ]
    events = [
        Event("x1", "XA", "legal_basis", None, 2019, _prov(50)),  # null service matches
        Event("x1", "XA", "started", "drug_consumption_room", 2015, _prov(60)),  # extra
    ]
    plans = [Plan("x1", "XA", "strategy", None, None, _prov(70))]  # optional only
    services = [
        ServiceStatus("x1", "XA", "outreach", "available", _prov(80)),
        ServiceStatus("x1", "XA", "outreach", "discontinued", _prov(90)),
    ]
    return Extraction(document=doc, facts=facts, events=events, plans=plans, services=services)


@pytest.fixture
def gold_path(tmp_path: Path) -> Path:
    path = tmp_path / "gold.csv"
    path.write_text("\n".join([GOLD_HEADER, *GOLD_ROWS]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write_tables(extractions_to_tables([_extraction()]), out)
    return out


def test_load_gold_types_and_nulls(gold_path: Path) -> None:
    gold = load_gold([gold_path])
    assert len(gold) == len(GOLD_ROWS)
    assert gold["year"].dtype == pd.Int64Dtype()
    assert gold["start_year"].dtype == pd.Int64Dtype()
    assert gold["value"].dtype == "float64"
    assert gold["optional"].dtype == bool
    assert gold["value"].iloc[0] == 1_700_000.0
    assert pd.isna(gold["year"].iloc[1])
    assert pd.isna(gold["service"].iloc[4])
    assert gold["optional"].tolist()[:4] == [False, False, False, True]
    assert gold["note"].iloc[0] == "from 1.7 million"


def test_load_gold_rejects_unknown_table(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(GOLD_HEADER + "\nfigures,x1,XA,,,,,,,,,,0,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="figures"):
        load_gold([path])


def test_load_gold_concatenates_files(gold_path: Path) -> None:
    assert len(load_gold([gold_path, gold_path])) == 2 * len(GOLD_ROWS)
    assert len(load_gold([])) == 0


@pytest.mark.parametrize(
    ("column", "left", "right", "equal"),
    [
        ("value", 1.7e6, "1700000", True),
        ("value", 1700000, 1700000.0, True),
        ("value", 0.1 * 3, 0.3, True),
        ("value", 5.1, 5.0, False),
        ("year", 2015, 2015.0, True),
        ("year", None, float("nan"), True),
        ("year", pd.NA, None, True),
        ("year", 2015, None, False),
        ("country", None, None, True),
        ("country", "AT", "at", False),
        ("service", "outreach", "outreach", True),
    ],
)
def test_cell_equality(column: str, left: object, right: object, equal: bool) -> None:
    assert (normalise_cell(column, left) == normalise_cell(column, right)) is equal


def _gold(table: str, optional: bool = False, **keys: object) -> dict:
    row = dict.fromkeys(KEY_COLUMNS[table])
    row.update(doc_id="d", optional=optional, **keys)
    return row


def _row(table: str, **keys: object) -> dict:
    row = dict.fromkeys(KEY_COLUMNS[table])
    row.update(doc_id="d", **keys)
    return row


S = "services"


@pytest.mark.parametrize(
    ("extracted", "gold", "expected"),
    [
        # (tp, n_extracted, n_required, matched_required, precision, recall)
        ([], [], (0, 0, 0, 0, 1.0, 1.0)),
        ([_row(S, service="a", status="available")], [], (0, 1, 0, 0, 0.0, 1.0)),
        ([], [_gold(S, service="a", status="available")], (0, 0, 1, 0, 1.0, 0.0)),
        (
            [_row(S, service="a", status="available"), _row(S, service="b", status="available")],
            [_gold(S, service="a", status="available"), _gold(S, service="c", status="planned")],
            (1, 2, 2, 1, 0.5, 0.5),
        ),
        # optional-only match: out of both counts
        (
            [_row(S, service="a", status="planned")],
            [_gold(S, True, service="a", status="planned")],
            (0, 0, 0, 0, 1.0, 1.0),
        ),
        # missing an optional row costs nothing
        (
            [_row(S, service="a", status="available")],
            [_gold(S, service="a", status="available"), _gold(S, True, service="b", status="x")],
            (1, 1, 1, 1, 1.0, 1.0),
        ),
        # a row matching both a required and an optional gold row counts as matched
        (
            [_row(S, service="a", status="available")],
            [
                _gold(S, service="a", status="available"),
                _gold(S, True, service="a", status="available"),
            ],
            (1, 1, 1, 1, 1.0, 1.0),
        ),
        # duplicates in the extraction each count as matched
        (
            [_row(S, service="a", status="available")] * 3 + [_row(S, service="z", status="x")],
            [_gold(S, service="a", status="available")],
            (3, 4, 1, 1, 0.75, 1.0),
        ),
        # null key equals null key; a null against a value does not match
        (
            [_row("events", event="legal_basis", year=2019), _row("events", event="ended")],
            [
                _gold("events", event="legal_basis", year=2019),
                _gold("events", event="ended", year=2020),
            ],
            (1, 2, 2, 1, 0.5, 0.5),
        ),
    ],
)
def test_score_rows(extracted: list[dict], gold: list[dict], expected: tuple) -> None:
    table = "events" if any(r.get("event") for r in extracted + gold) else S
    result = score_rows(table, extracted, gold)
    tp, n_extracted, n_required, matched, precision, recall = expected
    assert (result.tp, result.n_extracted, result.n_required) == (tp, n_extracted, n_required)
    assert result.matched_required == matched
    assert result.precision == pytest.approx(precision)
    assert result.recall == pytest.approx(recall)
    expected_f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    assert result.f1 == pytest.approx(expected_f1)


def test_score_end_to_end(out_dir: Path, gold_path: Path) -> None:
    report = score(out_dir, load_gold([gold_path]))
    assert report.scored_docs == ["x1"]
    assert report.skipped_docs == ["x9"]
    facts = report.tables["facts"]
    # extracted: 2 matched + 1 duplicate matched + 1 extra, 1 optional-only excluded
    assert (facts.tp, facts.n_extracted) == (3, 4)
    assert (facts.matched_required, facts.n_required) == (2, 3)
    assert facts.precision == 0.75
    assert facts.recall == pytest.approx(2 / 3)
    assert facts.f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))
    assert [m["indicator"] for m in facts.misses] == ["dcr.facilities"]
    assert [(e["indicator"], e["year"]) for e in facts.extras] == [("dcr.facilities", 2017)]
    assert facts.extras[0]["sentence"] == "sentence about dcr.facilities"
    events = report.tables["events"]
    assert (events.tp, events.n_extracted, events.matched_required, events.n_required) == (
        1,
        2,
        1,
        2,
    )
    plans = report.tables["plans"]
    assert (plans.tp, plans.n_extracted, plans.matched_required, plans.n_required) == (0, 0, 0, 1)
    assert (plans.precision, plans.recall, plans.f1) == (1.0, 0.0, 0.0)
    services = report.tables["services"]
    assert (services.precision, services.recall) == (1.0, 1.0)
    micro = report.micro
    assert (micro.tp, micro.n_extracted) == (3 + 1 + 0 + 2, 4 + 2 + 0 + 2)
    assert (micro.matched_required, micro.n_required) == (2 + 1 + 0 + 2, 3 + 2 + 1 + 2)
    assert micro.precision == 6 / 8
    assert micro.recall == 5 / 8


def test_score_without_table_file_counts_nothing_extracted(out_dir: Path, gold_path: Path) -> None:
    (out_dir / "plans.parquet").unlink()
    report = score(out_dir, load_gold([gold_path]))
    assert report.tables["plans"].n_extracted == 0
    assert report.tables["plans"].n_required == 1


def test_format_report(out_dir: Path, gold_path: Path) -> None:
    report = score(out_dir, load_gold([gold_path]))
    short = format_report(report, show=False)
    lines = short.splitlines()
    assert lines[0].split()[:4] == ["table", "P", "R", "F1"]
    assert any(line.startswith("facts") and "0.750" in line for line in lines)
    assert any(line.startswith("micro") for line in lines)
    assert "sentence about" not in short
    full = format_report(report, show=True)
    assert "== facts misses (1)" in full
    assert "indicator=dcr.facilities year=2016 value=2" in full
    assert "two rooms" in full  # gold note of the miss
    assert "== facts extras (1)" in full
    assert "sentence about dcr.facilities" in full


def test_format_report_truncates_long_sentences(tmp_path: Path, gold_path: Path) -> None:
    ext = _extraction()
    long_sentence = "word " * 100
    ext.facts.append(
        Fact("x1", "XA", "ost.clients", 2000, 1.0, "exact", "count", _prov(100, long_sentence))
    )
    write_tables(extractions_to_tables([ext]), tmp_path / "o")
    full = format_report(score(tmp_path / "o", load_gold([gold_path])), show=True)
    evidence = [line for line in full.splitlines() if line.strip().startswith("| word")]
    assert len(evidence) == 1
    assert len(evidence[0].strip()) == len("| ") + 160
    assert evidence[0].endswith("…")


def test_by_rule_counts_each_rules_rows(out_dir: Path, gold_path: Path) -> None:
    """Every extracted row is counted under its rule as hit, optional-only or extra."""
    report = score(out_dir, load_gold([gold_path]))
    counts = {
        table: {rule: (c.rows, c.matched, c.optional, c.extra) for rule, c in s.by_rule.items()}
        for table, s in report.tables.items()
    }
    assert counts == {
        "facts": {"test": (5, 3, 1, 1)},
        "events": {"test": (2, 1, 0, 1)},
        "plans": {"test": (1, 0, 1, 0)},
        "services": {"test": (2, 2, 0, 0)},
    }
    assert report.tables["facts"].by_rule["test"].precision == 0.75
    text = format_report(report, by_rule=True)
    assert "facts      test                                   5     3     1     1  0.750" in text
