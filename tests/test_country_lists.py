"""Multi-country statements: elliptic country lists (`link/country_lists.py`) and country
names that are abbreviations or look like another country's demonym (`data/countries.yaml`).
Every sentence here is made up."""

from __future__ import annotations

import pytest

from pipeline.countries import country_vote, find_countries
from tests.conftest import extract_text


def _facts(text: str) -> list[tuple]:
    ext = extract_text(text)
    return sorted((f.country, f.indicator, f.year, f.value) for f in ext.facts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The first item says what is counted; later items give a figure and a country.
        ("In 2029, drug consumption rooms operated at 12 facilities in 9 cities in Austria; "
         "7 in 4 cities in Croatia; and 2 in Slovenia.",
         [("AT", "dcr.cities", 2029, 9), ("AT", "dcr.facilities", 2029, 12),
          ("HR", "dcr.cities", 2029, 4), ("HR", "dcr.facilities", 2029, 7),
          ("SI", "dcr.facilities", 2029, 2)]),
        # People counted by where they are ("in … care"); bracketed ratios are no counts.
        ("Group sizes were defined: Austria 2,100 in opioid use disorder care (ratio 31); "
         "Croatia 1,700 (44); Slovenia 950 (12).",
         [("AT", "treatment.clients", None, 2100), ("HR", "treatment.clients", None, 1700),
          ("SI", "treatment.clients", None, 950)]),
        ("Clients by country: Austria 640 in OST; Croatia 410.",
         [("AT", "ost.clients", None, 640), ("HR", "ost.clients", None, 410)]),
        # A later item built otherwise is no ellipsis: its figure counts something else.
        ("In 2029, drug consumption rooms operated at 12 facilities in 9 cities in Austria; "
         "4 cities in Croatia had one.",
         [("AT", "dcr.cities", 2029, 9), ("AT", "dcr.facilities", 2029, 12)]),
        # One country only: no list.
        ("Austria 2,100 in opioid use disorder care (ratio 31).", []),
    ],
    ids=["rooms-and-cities", "in-care", "in-service", "not-parallel", "one-country"],
)
def test_elliptic_country_lists(text: str, expected: list) -> None:
    assert _facts(text) == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("more than 400 British Columbians died", ["CA"]),
        ("top B.C. health officials", ["CA"]),
        ("British officials", ["GB"]),
        ("in the U.K. and the U.S.A.", ["GB", "US"]),
        ("in Washington, D.C.", ["US"]),
    ],
)
def test_abbreviations_and_lookalike_demonyms(text: str, codes: list[str]) -> None:
    assert [c for _, _, c in find_countries(text)] == codes


def test_provincial_news_is_about_its_country() -> None:
    text = ("Overdoses claimed more than 400 British Columbians this year, and three B.C. "
            "cities want supervised injection sites. Canada has two.")
    assert country_vote(text, None) == "CA"
