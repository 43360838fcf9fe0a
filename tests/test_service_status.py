"""The `service_status` table: one resolved status per country × service, with the rule,
the evidence row and the first start year from `events` (made-up reports throughout)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.consolidate.service_status import services_to_status
from pipeline.output.write import _pandas_type, extractions_to_tables
from tests.conftest import extract_text

SERVICE = "drug_consumption_room"


def _service(doc_id: str, status: str, start: int = 0, service: str = SERVICE,
             country: str | None = "XA") -> dict:
    return {"id": f"s_{doc_id}_{status}_{start}", "doc_id": doc_id, "country": country,
            "service": service, "status": status, "start_char": start,
            "end_char": start + 4, "sentence": f"{doc_id} says {status}", "rule": "r"}


def _event(doc_id: str, event: str, year: int | None, start: int = 0,
           service: str | None = SERVICE) -> dict:
    return {"id": f"e_{doc_id}_{event}_{year}", "doc_id": doc_id, "country": "XA",
            "event": event, "service": service, "year": year, "start_char": start}


def _frames(services, events, years):
    documents = pd.DataFrame({"doc_id": list(years), "report_year": list(years.values())})
    events = pd.DataFrame(events, columns=["id", "doc_id", "country", "event", "service",
                                           "year", "start_char"])
    return (pd.DataFrame(services), events.astype({"year": "Int32"}),
            documents.astype({"report_year": "Int32"}))


# services rows, report years → (status, rule, evidence doc, n_sources, statuses)
CASES = {
    "one report, one status": (
        [_service("a", "available")], {"a": 2019},
        ("available", "single_source", "a", 1, ["available"])),
    "reports agree": (
        [_service("a", "planned"), _service("b", "planned")], {"a": 2017, "b": 2019},
        ("planned", "agreed", "b", 2, ["planned"])),
    "the latest report wins": (
        [_service("a", "available"), _service("b", "discontinued")], {"a": 2015, "b": 2019},
        ("discontinued", "latest_report", "b", 2, ["available", "discontinued"])),
    "an unknown year counts as oldest": (
        [_service("a", "available"), _service("b", "discontinued")], {"a": 2015, "b": None},
        ("available", "latest_report", "a", 2, ["available", "discontinued"])),
    "available and discontinued elsewhere stays available": (
        [_service("a", "discontinued", 10), _service("a", "available", 50)], {"a": 2019},
        ("available", "status_priority", "a", 1, ["available", "discontinued"])),
    "not provided but planned is planned": (
        [_service("a", "unavailable"), _service("b", "planned")], {"a": 2019, "b": 2019},
        ("planned", "status_priority", "b", 2, ["planned", "unavailable"])),
    "a newer legal_only does not undo an older available": (
        [_service("a", "available"), _service("b", "legal_only")], {"a": 2015, "b": 2019},
        ("available", "latest_report", "a", 2, ["available", "legal_only"])),
    "legal_only alone stays legal_only": (
        [_service("a", "legal_only"), _service("b", "legal_only")], {"a": 2015, "b": 2019},
        ("legal_only", "agreed", "b", 2, ["legal_only"])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_resolution(case: str) -> None:
    services, years, expected = CASES[case]
    table = services_to_status(*_frames(services, [], years))
    assert len(table) == 1
    row = table.iloc[0]
    assert (row.status, row.rule, row.doc_id, row.n_sources, row.statuses) == expected
    evidence = next(s for s in services if s["id"] == row.evidence_id)
    assert (evidence["doc_id"], evidence["status"]) == (row.doc_id, row.status)
    assert row.sentence == evidence["sentence"]


def test_first_start_year_comes_from_started_events_only() -> None:
    services = [_service("a", "available"), _service("a", "available", service="outreach")]
    events = [_event("a", "started", 2009, 30), _event("b", "started", 2004, 10),
              _event("b", "expanded", 2001, 20), _event("a", "started", None, 40),
              _event("a", "legal_basis", 1999, 50, service=None)]
    table = services_to_status(*_frames(services, events, {"a": 2019, "b": 2010}))
    got = {r.service: (None if pd.isna(r.start_year) else int(r.start_year),
                       None if pd.isna(r.start_event_id) else r.start_event_id)
           for r in table.itertuples()}
    assert got == {SERVICE: (2004, "e_b_started_2004"), "outreach": (None, None)}


def test_rows_without_country_are_left_out_and_order_is_by_key() -> None:
    services = [_service("a", "available", service="outreach", country="XB"),
                _service("a", "available", country=None),
                _service("a", "planned", service="outreach")]
    table = services_to_status(*_frames(services, [], {"a": 2019}))
    assert list(zip(table.country, table.service, strict=True)) == [
        ("XA", "outreach"), ("XB", "outreach")]
    assert table["id"].is_unique and table["id"].str.startswith("ss_").all()


def test_service_status_from_two_real_extractions() -> None:
    """A report says a room opened and runs; a newer one says it closed: the newer wins,
    and the start year stays the year the first report gave."""
    older = extract_text(
        "Drug report 2012: Luxembourg\n\n"
        "The first drug consumption room opened in 2005. The drug consumption room "
        "operates in the capital.", "aa-older")
    newer = extract_text(
        "Drug report 2019: Luxembourg\n\n"
        "The drug consumption room was closed in 2018.", "bb-newer")
    tables = {name: t.to_pandas(types_mapper=_pandas_type)
              for name, t in extractions_to_tables([older, newer]).items()}
    table = services_to_status(tables["services"], tables["events"], tables["documents"])
    row = table[table.service == SERVICE].iloc[0]
    assert (row.country, row.status, row.rule, row.doc_id, row.n_sources,
            int(row.start_year), row.report_year) == (
        "LU", "discontinued", "latest_report", "bb-newer", 2, 2005, 2019)
    services = tables["services"]
    assert row.evidence_id in set(services.id)
    assert row.start_event_id in set(tables["events"].id)
