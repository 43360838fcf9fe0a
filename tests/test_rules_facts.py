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
        # People said to be in treatment, or on an OST medicine, are its clients.
        ("In 2029, 12 345 clients were in treatment.",
         [("SE", "treatment.clients", 2029, 12345)]),
        ("In 2029, 2 345 people underwent treatment.",
         [("SE", "treatment.clients", 2029, 2345)]),
        ("Treatment was provided to 3 456 clients in 2029.",
         [("SE", "treatment.clients", 2029, 3456)]),
        ("Around 4 567 people were on methadone in 2029.",
         [("SE", "ost.clients", 2029, 4567)]),
        ("In 2029, 678 clients were receiving buprenorphine.",
         [("SE", "ost.clients", 2029, 678)]),
        # The activity as the subject of a count verb counts what it hands out.
        ("Syringe distribution totalled 1.5 million in 2029.",
         [("SE", "nsp.syringes_distributed", 2029, 1_500_000)]),
        ("In 2029, syringe distribution reached 3 400 clients.",
         [("SE", "nsp.clients", 2029, 3400)]),
        # A figure whose own predicate is in the future counts nothing yet.
        ("Two new needle and syringe programme sites will open in 2029.", []),
        ("In 2029, 1 200 clients will be treated in substitution treatment.", []),
        # A whole and its part: what qualifies the part does not qualify the whole.
        ("Of the 234 new HIV diagnoses in 2029, 12 were attributed to injecting drug use.",
         [("SE", "hiv.diagnoses_injecting", 2029, 12)]),
        ("In 2029, 234 new HIV diagnoses were reported, 12 of them attributed to injecting "
         "drug use.", []),
        ("Of the 234 drug-induced deaths in 2029, most involved opioids.",
         [("SE", "deaths.drug_induced", 2029, 234)]),
        # A key-figure label that is only a population gives its estimate
        ("People who inject drugs: 12 000 (2029)", [("SE", "pwid.estimate", 2029, 12000)]),
        ("High-risk opioid users: 18 000 (2029)", [("SE", "hrou.estimate", 2029, 18000)]),
        ("Injecting drug users among new treatment clients: 1 234 (2029)", []),
        # ... not savings "in treatment costs"
        ("The programme saved 35 million in treatment costs in 2029.", []),
        # The day of a date is no count.
        ("On 1 July, 789 clients were registered in substitution treatment.",
         [("SE", "ost.clients", None, 789)]),
        ("By December 31, 2029, 890 clients were in substitution treatment.",
         [("SE", "ost.clients", 2029, 890)]),
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
        # A part of the year framing the sentence dates it.
        ("At end-2029, 3 210 clients were in substitution treatment.",
         [("SE", "ost.clients", 2029, 3210)]),
        ("In mid-2029, 3 210 clients were in substitution treatment.",
         [("SE", "ost.clients", 2029, 3210)]),
        ("In the first half of 2029, 3 210 clients were in substitution treatment.",
         [("SE", "ost.clients", 2029, 3210)]),
        ("In Q1 2029, 3 210 clients were in substitution treatment.",
         [("SE", "ost.clients", 2029, 3210)]),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A sentence opening with "Of these" takes the year (the period's end) of the one
        # before; a predicate names what a bare figure counts ("were poisonings").
        ("Between 2021 and 2028, 3 010 drug-related deaths were recorded. Of these, 2 140 were "
         "poisonings and 870 were suicides.",
         [("SE", "deaths.drug_induced", 2028, 3010), ("SE", "deaths.drug_induced", 2028, 2140)]),
        ("Between 2021 and 2028, 3 010 drug-related deaths were recorded. Of these, "
         "2 140 (71%) were due to poisoning.",
         [("SE", "deaths.drug_induced", 2028, 3010), ("SE", "deaths.drug_induced", 2028, 2140)]),
        # A breakdown of a dated total takes its year, whatever its tense.
        ("By the end of 2029 there were 70 drug treatment units. The units are divided into "
         "the following categories: 12 therapeutic communities and 30 counselling centres.",
         [("SE", "treatment.facilities", 2029, 70), ("SE", "treatment.facilities", 2029, 12),
          ("SE", "treatment.facilities", 2029, 30)]),
        # "On that date" is the date named just before.
        ("Registration closed on 30 June 2029. On that date, 4 310 clients were registered in "
         "substitution programmes.",
         [("SE", "ost.clients", 2029, 4310)]),
        # A data-year note dates every figure of its sentence; "per year" is an annual count.
        ("According to the ministry (figures for 2029) the methadone clinics had about 900 "
         "patients per year, plus 45 prisoners who used OST.",
         [("SE", "ost.clients", 2029, 900), ("SE", "ost.clients", 2029, 45)]),
        # Items of a list of one measure at other times, with their own years.
        ("There were 40 clients in substitution treatment at the end of 2021; 900 at the end "
         "of 2023; at the end of 2025 there were 6,000.",
         [("SE", "ost.clients", 2021, 40), ("SE", "ost.clients", 2023, 900),
          ("SE", "ost.clients", 2025, 6000)]),
    ],
)
def test_years_from_context(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Estimates worded around a plain people noun.
        ("It is now estimated that 7,300 drug users inject regularly.",
         [("SE", "pwid.estimate", None, 7300)]),
        ("The share of adults thought to inject drugs is small, about 9,100 people.",
         [("SE", "pwid.estimate", None, 9100)]),
        ("The institute estimated in 2029 that there are about 12 000 IDUs in the country.",
         [("SE", "pwid.estimate", 2029, 12000)]),
        # A bare figure whose predicate is the use of a service.
        ("Of the 300 inmates, 41 were accessing methadone maintenance treatment.",
         [("SE", "ost.clients", None, 41)]),
        # A medicine or "substitution" modifying the counted noun names the service.
        ("In 2029 the treatments were carried out in a total of 610 methadone-dispensing "
         "facilities.",
         [("SE", "ost.facilities", 2029, 610)]),
        ("The number of substitution patients rose to 5,200 patients in 2029.",
         [("SE", "ost.clients", 2029, 5200)]),
        # "<service> is provided at N units": the units provide the subject's service.
        ("Heroin-assisted treatment is provided at 9 outpatient treatment units.",
         [("SE", "hat.facilities", None, 9)]),
        # Providers, institutes, day centres and rehabilitation communities count facilities.
        ("In 2029 some 70 service providers delivered drug treatment services.",
         [("SE", "treatment.facilities", 2029, 70)]),
        ("Drug treatment is provided by 11 addiction treatment institutes.",
         [("SE", "treatment.facilities", None, 11)]),
        ("In addition, four day centres and three rehabilitation communities are operating.",
         [("SE", "treatment.facilities", None, 4), ("SE", "treatment.facilities", None, 3)]),
    ],
)
def test_estimates_and_counts_worded_otherwise(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Overdoses reversed or predicted are no deaths; "a day" is a rate.
        ("Staff have reversed about 3,000 overdoses since the room opened.", []),
        ("The agency is dealing with a prediction of close to 500 overdose deaths.", []),
        ("Nurses now see two overdoses a day in the drug consumption room.", []),
        # "At least one centre" says one exists, not how many.
        ("Every region has at least one specialised treatment centre.", []),
        # What places hope to do is no count of what exists.
        ("At least six cities hope to open drug consumption rooms.", []),
        # People waiting for treatment are not in it.
        ("At the end of June 2029, 120 prisoners had been referred to the service and were "
         "still awaiting treatment.", []),
        # A municipality is no facility.
        ("One municipality financed specialised treatment centres until 2029.", []),
    ],
)
def test_figures_that_count_something_else(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


def test_a_period_named_with_its_length_dates_the_figure() -> None:
    text = ("In the eight-year period from 2021 to 2028 inclusive, a total of 2 400 drug-related "
            "deaths were recorded.")
    assert fact_rows(text) == [("SE", "deaths.drug_induced", 2028, 2400)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A sentence opening with "N of the …" counts a part of the sentence before, in its
        # year; a number word before "of" is a figure unless it is "one".
        ("In 2029, 140 cases of HIV were reported. Nine of the cases were among people who "
         "inject drugs.",
         [("SE", "hiv.diagnoses_injecting", 2029, 9)]),
        ("One of the centres offers withdrawal treatment.", []),
    ],
)
def test_parts_continue_the_sentence_before(text: str, expected: list) -> None:
    assert fact_rows(text) == expected
