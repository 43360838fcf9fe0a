"""Mechanisms of the genre that recur in any country report (made-up sentences).

Each case runs the real pipeline on a short report and asserts the exact rows: dated lists
of openings, footnote markers glued to words, sentences wrapped at a line break before their
year, and an anaphor that opens a paragraph after one naming the service.
"""

from __future__ import annotations

import pytest

from tests.conftest import extract_text

HEAD = "Sweden Country Drug Report 2030\n\n"
DCR = "drug_consumption_room"
NSP = "needle_syringe_programme"
OST = "opioid_substitution_treatment"


def event_rows(text: str) -> list[tuple]:
    return [(e.country, e.event, e.service, e.year, e.month, e.region)
            for e in extract_text(HEAD + text).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # One event per dated place: the first opening starts the service, the others are
        # further facilities of it (expanded), each with its own year and place.
        ("Drug consumption rooms opened in Zurich in 2011, in Basel in 2014 and in Bern in "
         "2019.",
         [("CH", "started", DCR, 2011, None, "Zurich"),
          ("CH", "expanded", DCR, 2014, None, "Basel"),
          ("CH", "expanded", DCR, 2019, None, "Bern")]),
        # Ordinals instead of places.
        ("Three drug consumption rooms have opened: the first in 2012, the second in 2016 and "
         "the third in 2021.",
         [("SE", "started", DCR, 2012, None, None), ("SE", "expanded", DCR, 2016, None, None),
          ("SE", "expanded", DCR, 2021, None, None)]),
        # Bare years; months kept.
        ("Methadone clinics opened in 2013, 2017 and 2022.",
         [("SE", "started", OST, 2013, None, None), ("SE", "expanded", OST, 2017, None, None),
          ("SE", "expanded", OST, 2022, None, None)]),
        ("Drug consumption rooms opened in Bern in May 2012 and in Basel in October 2018.",
         [("CH", "started", DCR, 2012, 5, "Bern"), ("CH", "expanded", DCR, 2018, 10, "Basel")]),
        # Each country of the list has its own first opening.
        ("Drug consumption rooms opened in Germany in 2012, in Spain in 2015 and in Denmark in "
         "2020.",
         [("DE", "started", DCR, 2012, None, None), ("ES", "started", DCR, 2015, None, None),
          ("DK", "started", DCR, 2020, None, None)]),
        # Closures repeat as closures.
        ("The needle exchange in Oslo closed in 2013, in Bergen in 2016.",
         [("NO", "ended", NSP, 2013, None, None), ("NO", "ended", NSP, 2016, None, "Bergen")]),
        # Not a list: the later year dates a statement of its own.
        ("Needle exchange started in 2011, and by 2016, 30 programmes operated.",
         [("SE", "started", NSP, 2011, None, None)]),
        ("A needle exchange opened in 2012, in 2017 it was moved to a new site.",
         [("SE", "started", NSP, 2012, None, None)]),
        ("Needle exchange opened in 2012 and in 2018 after a pause of two years.",
         [("SE", "started", NSP, 2012, None, None)]),
        # Another service in the gap: an elliptic list of services, not of places.
        ("Needle exchange programmes opened in 2011 and methadone clinics in 2014.",
         [("SE", "started", NSP, 2011, None, None)]),
    ],
)
def test_dated_list_of_openings(text: str, expected: list[tuple]) -> None:
    assert event_rows(text) == expected
