"""The `service_status` table: one resolved status per country × service, across reports.

This is the country × service overview of harm-reduction reporting (HRI's Global State of
Harm Reduction publishes one): every report says something about some services, often
several things, and the analyst wants one answer per country with its evidence.

Resolution (the `rule` column says which step decided):
1. `single_source`: one document speaks of the service, with one status.
2. `agreed`: every statement has the same status.
3. `latest_report`: statements are dated by their document's `report_year` (unknown years
   count as oldest); only the newest report(s) are kept, and they settle it. `legal_only`
   says only that a report is silent on provision, so it takes part only when no report
   states anything else (a newer `legal_only` does not undo an older `available`).
4. `status_priority`: the statements kept still differ; the first status of
   `STATUS_PRIORITY` wins, so a service available in one place and discontinued in another
   stays `available`, and one that is not provided but planned is `planned`.

`start_year` is the earliest year of a `started` event for the country and service in any
document (a regional start counts: it is the first time the service existed somewhere in the
country), and `start_event_id` that event's id. Only services the `services` table names
get a row; rows without a country are left out.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

STATUS_PRIORITY = ("available", "planned", "discontinued", "legal_only", "unavailable")

COLUMNS = ["id", "country", "service", "status", "statuses", "n_sources", "start_year",
           "start_event_id", "evidence_id", "doc_id", "report_year", "rule", "sentence"]

DTYPES = {"n_sources": "int32", "start_year": "Int32", "report_year": "Int32"}


def status_id(country: str, service: str) -> str:
    """Stable id from the row's key."""
    digest = hashlib.sha1(json.dumps([country, service]).encode("utf-8")).hexdigest()
    return "ss_" + digest[:16]


def _priority(status: str) -> int:
    return STATUS_PRIORITY.index(status) if status in STATUS_PRIORITY else len(STATUS_PRIORITY)


def _first_starts(events: pd.DataFrame) -> dict[tuple[str, str], tuple[int, str]]:
    """(country, service) → (earliest `started` year, that event's id)."""
    started = events[(events["event"] == "started") & events["year"].notna()
                     & events["country"].notna() & events["service"].notna()]
    started = started.assign(year=started["year"].astype(int)).sort_values(
        ["year", "doc_id", "start_char", "id"], kind="stable")
    out: dict[tuple[str, str], tuple[int, str]] = {}
    for row in started.itertuples(index=False):
        out.setdefault((row.country, row.service), (int(row.year), row.id))
    return out


def _resolve(rows: pd.DataFrame) -> tuple[pd.Series, str]:
    """The evidence row and the rule that chose its status."""
    statuses = set(rows["status"])
    informative = rows[rows["status"] != "legal_only"]
    candidates = informative if len(informative) else rows
    latest = candidates[candidates["report_year"] == candidates["report_year"].max()]
    if rows["doc_id"].nunique() == 1 and len(statuses) == 1:
        rule = "single_source"
    elif len(statuses) == 1:
        rule = "agreed"
    elif len(set(latest["status"])) == 1:
        rule = "latest_report"
    else:
        rule = "status_priority"
    ordered = latest.sort_values(["rank", "doc_id", "start_char", "id"], kind="stable")
    return ordered.iloc[0], rule


def services_to_status(services: pd.DataFrame, events: pd.DataFrame,
                       documents: pd.DataFrame) -> pd.DataFrame:
    """One row per country × service (see the module docstring), sorted; a pure function."""
    years = documents.set_index("doc_id")["report_year"] if len(documents) else pd.Series()
    df = services[services["country"].notna()].copy()
    for column in ("country", "service", "status"):
        df[column] = df[column].astype(object)
    df["report_year"] = df["doc_id"].map(years).astype("Int64")
    df["report_year"] = df["report_year"].fillna(-1).astype("int64")
    df["rank"] = df["status"].map(_priority)
    starts = _first_starts(events.astype({c: object for c in ("country", "service", "event")}))
    rows = []
    for (country, service), group in df.groupby(["country", "service"], sort=True):
        best, rule = _resolve(group)
        start = starts.get((country, service))
        rows.append({
            "id": status_id(country, service),
            "country": country,
            "service": service,
            "status": best["status"],
            "statuses": sorted(set(group["status"]), key=_priority),
            "n_sources": int(group["doc_id"].nunique()),
            "start_year": start[0] if start else None,
            "start_event_id": start[1] if start else None,
            "evidence_id": best["id"],
            "doc_id": best["doc_id"],
            "report_year": None if best["report_year"] < 0 else int(best["report_year"]),
            "rule": rule,
            "sentence": best["sentence"],
        })
    return pd.DataFrame(rows, columns=COLUMNS).astype(DTYPES)
