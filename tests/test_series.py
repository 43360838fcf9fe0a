"""The `series` table: one chosen figure per country × indicator × year, with the rule that
chose it, its sources and whether they conflict (made-up figures throughout)."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.consolidate.series import facts_to_series, interval, is_conflict, rounding_unit
from pipeline.output.write import _pandas_type, extractions_to_tables
from tests.conftest import extract_text


def _fact(doc_id: str, value: float, *, year=2015, qualifier="exact", period_start=None,
          rule="noun:clients", start=0, indicator="ost.clients", country="XA",
          value_high=None, region=None, unit="count") -> dict:
    return {"id": f"f_{doc_id}_{start}", "doc_id": doc_id, "country": country,
            "indicator": indicator, "year": year, "value": value, "qualifier": qualifier,
            "value_high": value_high, "unit": unit, "period_start": period_start,
            "region": region, "start_char": start, "end_char": start + 5,
            "sentence": f"sentence {start}", "rule": rule}


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _frames(facts: list[dict], years: dict[str, int | None]) -> tuple[pd.DataFrame, ...]:
    documents = pd.DataFrame({"doc_id": list(years), "report_year": list(years.values())})
    return pd.DataFrame(facts), documents.astype({"report_year": "Int32"})


@pytest.mark.parametrize(("value", "unit"), [
    (5600, 100), (5605, 1), (55_000_000, 1_000_000), (5.1, 0.1), (0.25, 0.01), (0, 1),
])
def test_rounding_unit(value: float, unit: float) -> None:
    assert rounding_unit(value) == pytest.approx(unit)


@pytest.mark.parametrize(("value", "qualifier", "high", "expected"), [
    (5600, "exact", None, (5550, 5650)),
    (1000, "exact", None, (975, 1025)),          # capped at 2.5 %
    (5605, "exact", None, (5604.5, 5605.5)),
    (2000, "approx", None, (1800, 2200)),
    (300, "more_than", None, (300, math.inf)),
    (300, "at_least", None, (300, math.inf)),
    (300, "less_than", None, (0, 300)),
    (300, "up_to", None, (0, 300)),
    (100, "range", 150, (100, 150)),
])
def test_interval(value, qualifier, high, expected) -> None:
    assert interval(value, qualifier, high) == pytest.approx(expected)


@pytest.mark.parametrize(("rows", "conflict"), [
    ([(5600, "exact", None), (5583, "exact", None)], False),   # one is the other rounded
    ([(1000, "exact", None), (1400, "exact", None)], True),
    ([(2000, "approx", None), (2150, "exact", None)], False),
    ([(2000, "approx", None), (2500, "exact", None)], True),
    ([(6000, "more_than", None), (7200, "exact", None)], False),
    ([(6000, "more_than", None), (5000, "exact", None)], True),
    ([(100, "range", 150), (120, "exact", None)], False),
    ([(100, "range", 150), (200, "less_than", None)], False),
    ([(100, "range", 150), (90, "less_than", None)], True),
])
def test_conflict(rows, conflict: bool) -> None:
    df = pd.DataFrame(rows, columns=["value", "qualifier", "value_high"])
    assert is_conflict(df) is conflict


# Each case: the facts, the documents' report years, then the one series row expected as
# (chosen value, qualifier, chosen doc, rule, n_sources, values, conflict).
CHOICE_CASES = {
    "single row": (
        [_fact("a", 120)], {"a": 2018},
        (120, "exact", "a", "single_row", 1, [120.0], False)),
    "newest report wins": (
        [_fact("a", 120), _fact("b", 150)], {"a": 2018, "b": 2020},
        (150, "exact", "b", "newest_report", 2, [120.0, 150.0], True)),
    "an unknown report year counts as oldest": (
        [_fact("a", 120), _fact("b", 150)], {"a": 2018, "b": None},
        (120, "exact", "a", "newest_report", 2, [120.0, 150.0], True)),
    "exact over hedged in reports of one year": (
        [_fact("a", 2000, qualifier="approx"), _fact("b", 1985)], {"a": 2019, "b": 2019},
        (1985, "exact", "b", "exact_over_hedged", 2, [1985.0, 2000.0], False)),
    "approximate over a lower bound": (
        [_fact("a", 2000, qualifier="more_than"), _fact("b", 2400, qualifier="approx")],
        {"a": 2019, "b": 2019},
        (2400, "approx", "b", "exact_over_hedged", 2, [2000.0, 2400.0], False)),
    "text over table": (
        [_fact("a", 75, rule="table:row-label", start=900), _fact("a", 75, start=40)],
        {"a": 2019},
        (75, "exact", "a", "text_over_table", 1, [75.0], False)),
    "a total before its parts, and parts are no conflict": (
        [_fact("a", 30, start=10), _fact("a", 90, start=50), _fact("a", 60, start=90)],
        {"a": 2019},
        (90, "exact", "a", "largest_value", 1, [30.0, 60.0, 90.0], False)),
    "then document order": (
        [_fact("b", 80), _fact("a", 80)], {"a": 2019, "b": 2019},
        (80, "exact", "a", "first_in_documents", 2, [80.0], False)),
}


@pytest.mark.parametrize("case", sorted(CHOICE_CASES))
def test_choice(case: str) -> None:
    facts, years, expected = CHOICE_CASES[case]
    series = facts_to_series(*_frames(facts, years))
    assert len(series) == 1
    row = series.iloc[0]
    got = (row.value, row.qualifier, row.doc_id, row.rule, row.n_sources, row["values"],
           row.conflict)
    assert got == expected
    chosen = next(f for f in facts if f["id"] == row.fact_id)
    assert (chosen["doc_id"], chosen["value"]) == (row.doc_id, row.value)


def test_cumulative_regional_and_undated_figures_are_their_own_series_or_none() -> None:
    facts = [
        _fact("a", 500, year=2016),
        _fact("a", 9000, year=2016, period_start=2001, start=20),   # cumulative total
        _fact("a", 70, year=2016, region="Northshire", start=40),
        _fact("a", 66, year=2016, unit="percent", start=60),
        _fact("a", 400, year=None, start=80),                         # no year: no series
        _fact("a", 300, year=2016, country=None, start=100),          # no country: none
    ]
    series = facts_to_series(*_frames(facts, {"a": 2018}))
    got = [(None if pd.isna(r.region) else r.region, r.unit, _int(r.period_start), r.value)
           for r in series.itertuples()]
    assert sorted(got, key=str) == sorted([
        (None, "count", None, 500.0), (None, "count", 2001, 9000.0),
        ("Northshire", "count", None, 70.0), (None, "percent", None, 66.0),
    ], key=str)
    assert not series["conflict"].any()
    assert series["id"].is_unique and series["id"].str.startswith("sr_").all()


def test_series_is_deterministic_and_sorted() -> None:
    facts = [_fact("b", 10, year=2014, start=5), _fact("a", 12, year=2013, country="XB"),
             _fact("a", 11, year=2012), _fact("b", 13, year=2012, indicator="nsp.sites")]
    frames = _frames(facts, {"a": 2015, "b": 2016})
    first = facts_to_series(*frames)
    again = facts_to_series(frames[0].iloc[::-1].reset_index(drop=True), frames[1])
    pd.testing.assert_frame_equal(first, again)
    assert list(zip(first.country, first.indicator, first.year, strict=True)) == [
        ("XA", "nsp.sites", 2012), ("XA", "ost.clients", 2012), ("XA", "ost.clients", 2014),
        ("XB", "ost.clients", 2013)]


def test_empty_facts_give_an_empty_series_with_its_columns() -> None:
    facts, documents = _frames([_fact("a", 1)], {"a": 2019})
    series = facts_to_series(facts.iloc[0:0], documents)
    assert series.empty and "conflict" in series.columns


def test_series_from_two_real_extractions() -> None:
    """Two made-up reports through the whole pipeline: the newer one's figure is chosen, the
    cumulative total stays apart, and a hedged figure agreeing with it is no conflict."""
    older = extract_text(
        "Drug report 2016: Luxembourg\n\n"
        "In 2015, about 1 200 clients were in opioid substitution treatment. "
        "Between 2001 and 2015, 90 000 syringes were distributed.", "aa-older")
    newer = extract_text(
        "Drug report 2018: Luxembourg\n\n"
        "In 2015, 1 184 clients were in opioid substitution treatment. "
        "In 2015, 8 000 syringes were distributed.", "bb-newer")
    tables = extractions_to_tables([older, newer])
    facts = tables["facts"].to_pandas(types_mapper=_pandas_type)
    documents = tables["documents"].to_pandas(types_mapper=_pandas_type)
    assert list(documents.report_year) == [2016, 2018]
    series = facts_to_series(facts, documents)
    got = {(r.indicator, _int(r.period_start)): (r.value, r.qualifier, r.doc_id, r.rule,
                                           r.n_sources, r.conflict)
           for r in series.itertuples()}
    assert got == {
        ("ost.clients", None): (1184.0, "exact", "bb-newer", "newest_report", 2, False),
        ("nsp.syringes_distributed", None): (8000.0, "exact", "bb-newer", "single_row", 1,
                                             False),
        ("nsp.syringes_distributed", 2001): (90000.0, "exact", "aa-older", "single_row", 1,
                                             False),
    }
    assert set(series.country) == {"LU"} and set(series.year) == {2015}
    assert pa.Table.from_pandas(series).num_rows == 3


def test_extract_writes_series_and_service_status_beside_the_base_tables(tmp_path) -> None:
    from pathlib import Path

    from pipeline.output.tables import DERIVED_TABLES, SCHEMAS
    from pipeline.output.write import read_table
    from pipeline.run.batch import run

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    run([corpus], tmp_path, progress=None)
    facts, services, events = (read_table(tmp_path, n) for n in ("facts", "services", "events"))
    for name, schema in ((t.name, SCHEMAS[t.name]) for t in DERIVED_TABLES):
        table = read_table(tmp_path, name)
        assert list(table.columns) == schema.names, name
        assert len(table) > 0 and table["id"].is_unique, name
    series = read_table(tmp_path, "series")
    assert set(series.fact_id) <= set(facts.id)
    chosen = facts.set_index("id").loc[series.fact_id]
    assert list(chosen.value) == list(series.value)
    assert list(chosen.indicator.astype(str)) == list(series.indicator.astype(str))
    dated = facts[facts.country.notna() & facts.year.notna()]
    assert len(series) == len(dated.groupby(
        ["country", "indicator", "unit", "region", "period_start", "year"], dropna=False,
        observed=True))
    status = read_table(tmp_path, "service_status")
    assert set(status.evidence_id) <= set(services.id)
    assert set(status.start_event_id.dropna()) <= set(events.id)
    assert len(status) == len(services[services.country.notna()].groupby(
        ["country", "service"], observed=True))
