"""Events, services and their statuses on the language of real reports (made-up sentences).

One row per rule added for real text: treatment systems, prison sections, other verbs and
local names of services, medicines, partial closures, legalisation wording. Each case runs
the real pipeline on a short report and asserts the exact rows.
"""

from __future__ import annotations

import pytest

from tests.conftest import extract_text

HEAD = "Sweden Country Drug Report 2030\n\n"


def event_rows(text: str) -> list[tuple]:
    return [(e.country, e.event, e.service, e.year, e.month)
            for e in extract_text(HEAD + text).events]


def service_rows(text: str) -> list[tuple]:
    return sorted((s.country, s.service, s.status) for s in extract_text(HEAD + text).services)


OST = "opioid_substitution_treatment"
NSP = "needle_syringe_programme"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A second medicine is an expansion of the service, told in its own sentence.
        ("Methadone maintenance was introduced in 2021. Buprenorphine treatment became available "
         "in 2025.",
         [("SE", "started", OST, 2021, None), ("SE", "expanded", OST, 2025, None)]),
        # A medicine named without its service is a change of that service.
        ("Methadone treatment was started in 2020 as a pilot in the capital. In 2024, "
         "buprenorphine was introduced.",
         [("SE", "started", OST, 2020, None), ("SE", "expanded", OST, 2024, None)]),
        # "not provided until YEAR" dates the start.
        ("Opioid substitution treatment was not provided until 2024.",
         [("SE", "started", OST, 2024, None)]),
        # A start in named places after a pilot is a start there (no expansion).
        ("A pilot OST programme ran in the capital in 2025, and treatment commenced in three "
         "cities in 2026.", [("SE", "started", OST, 2026, None)]),
        ("Opioid substitution treatment was introduced in 2019. Heroin-assisted treatment "
         "started in 2024, and OST was first set up in two regions in 2027.",
         [("SE", "started", OST, 2019, None),
          ("SE", "started", "heroin_assisted_treatment", 2024, None),
          ("SE", "started", OST, 2027, None)]),
        # Vending machines are a new channel of an existing NSP.
        ("Syringe vending machines were installed in three cities in 2027.",
         [("SE", "expanded", NSP, 2027, None)]),
        # A start in prisons is one more setting.
        ("Needle exchange was introduced in all prisons in 2028.",
         [("SE", "expanded", NSP, 2028, None)]),
        ("OST units operate in 20 cities. Substitution treatment in prisons started in 2019.",
         [("SE", "expanded", OST, 2019, None)]),
        # Legalisation wording.
        ("Pharmacies have been authorised to supply needles and syringes since 2019.",
         [("SE", "legal_basis", NSP, 2019, None)]),
        ("Heroin-assisted treatment was authorised in 2027.",
         [("SE", "legal_basis", "heroin_assisted_treatment", 2027, None)]),
        ("In 2025, the law on narcotic drugs was amended to allow pharmacies to dispense "
         "methadone.", [("SE", "legal_basis", OST, 2025, None)]),
        # Other start verbs.
        ("The first methadone clinic began to operate in 2022.",
         [("SE", "started", OST, 2022, None)]),
        ("The first needle exchange programme was set up in 1989 by an NGO.",
         [("SE", "started", NSP, 1989, None)]),
        ("A pilot drug checking service got under way in June 2029 at festivals.",
         [("SE", "started", "drug_checking", 2029, 6)]),
        ("In 2026, the government started funding take-home naloxone.",
         [("SE", "started", "naloxone_programme", 2026, None)]),
        # Other closing and planning verbs.
        ("The mobile clinic ceased operating in 2028 when its funding ran out.",
         [("SE", "ended", "mobile_unit", 2028, None)]),
        ("A drug checking service is due to open in 2031.",
         [("SE", "planned", "drug_checking", 2031, None)]),
        ("Take-home naloxone will be made available in all regions in 2031.",
         [("SE", "planned", "naloxone_programme", 2031, None)]),
        # Another country's change gets that country.
        ("In Norway, heroin-assisted treatment was launched in 2022.",
         [("NO", "started", "heroin_assisted_treatment", 2022, None)]),
        # "Since <something that is no service> in YEAR" dates nothing of the service.
        ("Since the reorganisation of mental health care in 2014, drug treatment has been "
         "provided in three steps.", []),
        # A pronoun subject of a start points back to the paragraph's service.
        ("The needle exchange scheme is run by pharmacies. It has saved millions since it was "
         "launched in 1988.", [("SE", "started", NSP, 1988, None)]),
        # A relative clause's subject is the service just before it.
        ("Treatment is varied, and its main form remains OST with methadone, which was first "
         "introduced in 1991.", [("SE", "started", OST, 1991, None)]),
        # Part of a set started: more units of a service that exists.
        ("There are 40 substitution treatment units (twelve of which were launched in 2027).",
         [("SE", "expanded", OST, 2027, None)]),
        ("Five needle exchange programmes ran in the capital in 2020. Three of them closed in "
         "2022.", [("SE", "ended", NSP, 2022, None)]),
        # A start in named places after a start in the same sentence is a start there.
        ("Methadone treatment has been provided since 2020, and treatment commenced in four "
         "towns in 2021.", [("SE", "started", OST, 2020, None), ("SE", "started", OST, 2021,
                                                                   None)]),
        # A year that modifies a noun dates that noun, not the start.
        ("Needle exchange is run by pharmacies. The programme was established to protect "
         "people in response to the 1990's hepatitis outbreak.", []),
        # Years relative to the one named before.
        ("The first HIV case among injectors was found in 2011. Needle exchange programmes "
         "started in Sweden the following year.", [("SE", "started", NSP, 2012, None)]),
        ("A drug checking service was set up in 2019. Two years later, the first consumption "
         "room opened.", [("SE", "started", "drug_checking", 2019, None),
                          ("SE", "started", "drug_consumption_room", 2021, None)]),
        ("The drug law was revised in 2020. That year, a consumption room opened in the capital.",
         [("SE", "started", "drug_consumption_room", 2020, None)]),
        # Local and written-out names of services.
        ("Treatment with prescription heroin was launched in 2026.",
         [("SE", "started", "heroin_assisted_treatment", 2026, None)]),
        ("In 2027 several new regulations were adopted that set out the terms for the provision "
         "of treatment with opioid agonists.", [("SE", "legal_basis", OST, 2027, None)]),
        # A weak end verb ends the service that is its subject, nothing else.
        ("The drug checking pilot ended in 2029.", [("SE", "ended", "drug_checking", 2029, None)]),
        ("The year ended with 300 clients in substitution treatment.", []),
        # A start over a period is dated by its first year.
        ("Prison-based needle exchange was piloted between 2024 and 2026.",
         [("SE", "started", "needle_syringe_programme", 2024, None)]),
    ],
)
def test_events_on_real_report_language(text: str, expected: list) -> None:
    assert event_rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Partial closures: the service has both rows.
        ("Two of the five needle exchange programmes closed in 2027 for lack of funding.",
         [("SE", NSP, "available"), ("SE", NSP, "discontinued")]),
        # "the extension of existing offers of X": X exists now and is planned to grow.
        ("The action plan foresees the extension of existing offers of drug checking.",
         [("SE", "drug_checking", "available"), ("SE", "drug_checking", "planned")]),
        # Prison sections.
        ("The prison did not operate drug rehabilitation programmes.",
         [("SE", "drug_treatment", "unavailable")]),
        ("In the central prison, 12 prisoners were accessing detoxification, but the prison did "
         "not operate drug rehabilitation programmes.",
         [("SE", "drug_treatment", "available"), ("SE", "drug_treatment", "unavailable")]),
        ("In prisons, drug treatment is offered in 10 of 14 institutions, and needle exchange is "
         "not available.", [("SE", "drug_treatment", "available"), ("SE", NSP, "unavailable")]),
        # Treatment systems: centres by type, local names of services.
        ("The treatment system includes counselling centres, therapeutic communities and "
         "withdrawal units.", [("SE", "drug_treatment", "available")]),
        ("Methadone clinics operate in ten cities.", [("SE", OST, "available")]),
        ("Around 300 patients are on replacement treatment.", [("SE", OST, "available")]),
        ("Low-threshold harm reduction (drop-in) centres offer advice.",
         [("SE", "low_threshold_service", "available")]),
        ("Low threshold services operate in five towns.",
         [("SE", "low_threshold_service", "available")]),
        ("Some aftercare programmes provide sheltered housing.",
         [("SE", "drug_treatment", "available"), ("SE", "supervised_housing", "available")]),
        ("Syringe dispensing machines operate at railway stations.", [("SE", NSP, "available")]),
        # A delivery point named after "available from" is no statement of its own.
        ("Clean syringes are available from drug counselling centres and pharmacies.",
         [("SE", NSP, "available")]),
        # "not provided until YEAR" is no absence.
        ("Opioid substitution treatment was not provided until 2024.", [("SE", OST, "available")]),
        # A stated hope or wish to open a service is a plan.
        ("At least four cities hope to open supervised injection sites.",
         [("SE", "drug_consumption_room", "planned")]),
        # Another country's service gets that country.
        ("In neighbouring Finland, take-home naloxone programmes were closed in 2020.",
         [("FI", "naloxone_programme", "discontinued")]),
    ],
)
def test_services_on_real_report_language(text: str, expected: list) -> None:
    assert service_rows(text) == expected


def plan_rows(text: str) -> list[tuple]:
    return [(p.country, p.kind, p.start_year, p.end_year)
            for p in extract_text(HEAD + text).plans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A law named by its date.
        ("Methadone programmes are regulated by the Royal Decree of March 4, 1993.",
         [("SE", "law", 1993, None)]),
        ("The programmes follow the Law of 12 May 2004 on narcotic drugs.",
         [("SE", "law", 2004, None)]),
        # New regulations adopted in a year are a law of that year.
        ("In 2027 several new regulations were adopted on the provision of treatment.",
         [("SE", "law", 2027, None)]),
        # A strategy on a blood-borne infection is a plan on another subject.
        ("The first national strategy on HCV infection was adopted in 2026.",
         [("SE", "other", 2026, None)]),
    ],
)
def test_plans_on_real_report_language(text: str, expected: list) -> None:
    assert plan_rows(text) == expected
