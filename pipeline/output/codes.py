"""Code vocabularies of the tables' code columns, read from the data files.

The writer uses a vocabulary as the Parquet dictionary of its column (the full list, so two
runs' tables concatenate as the same categories) and `datapackage.json` lists it as the
column's allowed values. Lists the contract owns live in `data/codes.yaml`; services,
countries and document types are read from the data files the rules use.
"""

from __future__ import annotations

from functools import cache

from pipeline.vocab import load

COUNTRY_SCHEMES = ("iso", "eu")


def _contract(section: str) -> dict[str, str]:
    return dict(load("codes")[section])


def country_map(scheme: str) -> dict[str, str]:
    """ISO code → code written under `scheme` (only the codes that differ)."""
    schemes = load("codes")["country_schemes"]
    if scheme not in schemes:
        raise ValueError(f"unknown country code scheme {scheme!r} (one of {sorted(schemes)})")
    return dict(schemes[scheme] or {})


@cache
def _descriptions() -> dict[str, dict[str, str]]:
    """vocabulary name → code → meaning ('' where the data file gives none)."""
    countries = load("countries")
    doc_types = load("doc_types")
    out = {
        "indicator": _contract("indicators"),
        "qualifier": _contract("qualifiers"),
        "unit": _contract("units"),
        "event": _contract("events"),
        "service_status": _contract("service_statuses"),
        "plan_kind": _contract("plan_kinds"),
        "document_status": _contract("document_statuses"),
        "format": _contract("formats"),
        "mention_label": _contract("mention_labels"),
        "series_rule": _contract("series_rules"),
        "status_rule": _contract("status_rules"),
        "service": {code: ", ".join(terms[:3]) for code, terms in load("services").items()},
        "country": {
            **{code: str(names[0]) for code, names in countries["countries"].items()},
            "EU": "Europe-wide (EU) statement",
        },
        "doc_type": {
            **{t["code"]: "title says " + " / ".join(t["keywords"])
               for t in doc_types["doc_types"]},
            doc_types["default"]: "no other type's keyword in the title or headings",
        },
    }
    return out


VOCABULARIES: tuple[str, ...] = (
    "country", "format", "doc_type", "document_status", "indicator", "qualifier", "unit",
    "event", "service", "service_status", "plan_kind", "mention_label", "series_rule",
    "status_rule",
)


def vocabulary(name: str, scheme: str = "iso") -> tuple[str, ...]:
    """The codes of one vocabulary, in data-file order; country codes under `scheme`."""
    codes = tuple(_descriptions()[name])
    if name == "country":
        mapping = country_map(scheme)
        codes = tuple(mapping.get(code, code) for code in codes)
    return codes


def descriptions(name: str, scheme: str = "iso") -> dict[str, str]:
    """code → meaning for one vocabulary (country codes under `scheme`)."""
    items = _descriptions()[name]
    if name == "country":
        mapping = country_map(scheme)
        return {mapping.get(code, code): text for code, text in items.items()}
    return dict(items)
