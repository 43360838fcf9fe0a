"""Cross-checks of the facts vocabularies against the data contract, and table-driven facts
rules (years, treatment systems, deaths, several countries) on made-up sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.link import indicators
from pipeline.vocab import load
from tests.conftest import extract_text

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "RECORDS.md"
HEAD = "Sweden Country Drug Report 2030\n\n"


def _spec() -> str:
    if not SPEC.exists():
        pytest.skip(f"the data contract is not beside the repository ({SPEC})")
    return SPEC.read_text(encoding="utf-8")


def _spec_indicators() -> set[str]:
    section = _spec().split("## Indicators", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_.]+)` \|", section, re.M))


def _spec_qualifiers() -> set[str]:
    line = next(ln for ln in _spec().split("\n- ") if ln.startswith("`qualifier`"))
    return set(re.findall(r"`([a-z_]+)`", line)) - {"qualifier", "value", "value_high"}


def test_every_indicator_code_in_the_vocabulary_is_in_the_contract() -> None:
    assert indicators.indicator_codes() <= _spec_indicators()


def test_every_noun_class_used_exists() -> None:
    ind = load("indicators")
    nouns = set(ind["nouns"])
    assert set(indicators.CLASSES_USED) <= nouns
    assert set(ind["standalone"]) <= nouns
    assert set(ind["by_service"]) <= nouns
    assert set(ind["standalone_requires"]) <= nouns
    with pytest.raises(KeyError):
        indicators.noun_class("no such class")


def test_every_service_the_indicators_name_exists() -> None:
    ind = load("indicators")
    services = set(load("services"))
    named = {s for mapping in ind["by_service"].values() for s in mapping}
    assert named | set(ind["host_services"]) | set(ind["channel_services"]) <= services


def test_every_qualifier_code_is_in_the_contract() -> None:
    cues = load("cues")
    codes = (set(cues["qualifiers"]) | set(cues["qualifiers_after"])
             | set(cues["qualifier_symbols"].values())
             | set(load("pdf")["table_qualifier_symbols"].values()))
    assert codes <= _spec_qualifiers()
    assert _spec_qualifiers() == {"exact", "approx", "more_than", "at_least", "less_than",
                                  "up_to", "range"}


def fact_rows(text: str) -> list[tuple]:
    ext = extract_text(HEAD + text)
    return [(f.country, f.indicator, f.year, f.value) for f in ext.facts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Closure verbs come from cues.yaml: a count of closures is no count of what runs.
        ("In 2029, two needle and syringe programmes ceased operating.", []),
        ("In 2029, three drug consumption rooms were shut down.", []),
    ],
)
def test_facts_rules(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A year closing the sentence dates every coordinated clause before it.
        ("More than 81 000 syringes were distributed and the needle and syringe programme "
         "reached about 1 590 clients in 2029.",
         [("SE", "nsp.syringes_distributed", 2029, 81000),
          ("SE", "nsp.clients", 2029, 1590)]),
        # Present tense takes no year.
        ("Currently 42 drug consumption rooms operate and they served 900 clients in 2029.",
         [("SE", "dcr.facilities", None, 42), ("SE", "dcr.clients", 2029, 900)]),
    ],
)
def test_fact_years(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2029, a total of 122 fatal overdoses were recorded.",
         [("SE", "deaths.drug_induced", 2029, 122)]),
        ("In 2029, 40 non-fatal overdoses were reported by ambulance services.", []),
        ("There are also eight drug-free therapeutic communities.",
         [("SE", "treatment.facilities", None, 8)]),
        ("In 2029, 31 counselling centres and 12 withdrawal units operated.",
         [("SE", "treatment.facilities", 2029, 31), ("SE", "treatment.facilities", 2029, 12)]),
    ],
)
def test_treatment_and_deaths(text: str, expected: list) -> None:
    assert fact_rows(text) == expected
