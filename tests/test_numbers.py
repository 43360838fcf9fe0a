"""Table-driven tests for figures, qualifiers, years and year ranges."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from pipeline.extract.numbers import (
    Figure,
    NonFigure,
    TimeRef,
    expand_short_year,
    parse_number,
    scan,
)


def figures(text: str) -> list[tuple[str, float, str, float | None]]:
    found = scan(text)
    return [(text[f.start : f.end], f.value, f.unit, f.value_high) for f in found.figures]


def times(text: str) -> list[tuple[str, int, int | None, int | None, str]]:
    found = scan(text)
    return [(text[t.start : t.end], t.year, t.start_year, t.month, t.kind) for t in found.times]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("76 000", 76000),
        ("76,000", 76000),
        ("1 605", 1605),
        ("4 762 999", 4762999),
        ("1.7", 1.7),
        ("5.1", 5.1),
    ],
)
def test_parse_number(raw: str, value: float) -> None:
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("approximately 76 000 syringes", [("76 000", 76000, "count", None)]),
        ("approximately 76\u00a0000 syringes".replace("\u00a0", " "),
         [("76 000", 76000, "count", None)]),
        ("76,000 syringes", [("76,000", 76000, "count", None)]),
        ("In 2015 1 605 clients", [("1 605", 1605, "count", None)]),
        ("55 million syringes", [("55 million", 55_000_000, "count", None)]),
        ("from 1.7 million to 6 million", [("1.7 million", 1_700_000, "count", None),
                                           ("6 million", 6_000_000, "count", None)]),
        ("five fixed sites", [("five", 5, "count", None)]),
        ("Thirteen facilities", [("Thirteen", 13, "count", None)]),
        ("(17) drug consumption rooms", [("17", 17, "count", None)]),
        ("5.1 % of clients", [("5.1", 5.1, "percent", None)]),
        ("(98 %)", [("98", 98, "percent", None)]),
        ("between 11 000 and 15 000 users", [("between 11 000 and 15 000", 11000, "count", 15000)]),
        ("(180 000 - 230 000)", [("(180 000 - 230 000)", 180000, "count", 230000)]),
        ("€ 22,933 thousand", [("22,933 thousand", 22_933_000, "eur", None)]),
        ("(245 000 to 279 000 contacts)",
         [("245 000 to 279 000", 245000, "count", 279000)]),
        ("from 1.2 million to 3 million syringes", [("1.2 million", 1_200_000, "count", None),
                                                   ("3 million", 3_000_000, "count", None)]),
        # Swiss apostrophe thousands; a decimal comma before a scale word; "mln"
        ("1'234 clients", [("1'234", 1234, "count", None)]),
        ("1'234'567 syringes", [("1'234'567", 1_234_567, "count", None)]),
        ("about 2,5 million syringes", [("2,5 million", 2_500_000, "count", None)]),
        ("1,5 thousand clients", [("1,5 thousand", 1500, "count", None)]),
        ("1.5 mln syringes", [("1.5 mln", 1_500_000, "count", None)]),
        ("2,500 million", [("2,500 million", 2_500_000_000, "count", None)]),
        # Not figures
        ("24 108 1500 Nadine G.M. van Gelder_v1.0.pdf454.01 KBDownload", []),
        ("for more than 20 years", []),
        ("over 30 years ago", []),
        ("young adults (15-34 years)", []),
        ("Law No 4139/2013 and Decree Law 183/2001", []),
        ("Act No. 167/1998 Coll.", []),
        ("see Table A31 and ST10", []),
        ("Harm reduction (p. 11)", []),
        ("to a great extent45 (see", []),
        ("15:00 to 16:30", []),
        ("Extracted on: 26/03/2017", []),
        ("since the 1990s", []),
        # the day of a date, with or without a year, is no count
        ("On 1 July there were", []),
        ("by December 31, 2012, the", []),
        ("on the 31st of December 2011", []),
        # ... but a capital is part of a month name: "may" here is a verb
        ("of these, 3 may have", [("3", 3, "count", None)]),
        ("In May 20 sites were open", [("20", 20, "count", None)]),
    ],
)
def test_figures(text: str, expected: list) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the National Strategy 2015-19", [("2015-19", 2019, 2015, None, "range")]),
        ("the action plan for 2020 to 2024", [("2020 to 2024", 2024, 2020, None, "range")]),
        ("planned for 2016/17", [("2016/17", 2017, 2016, None, "split")]),
        ("between 1993 and 2016", [("between 1993 and 2016", 2016, 1993, None, "range")]),
        ("between its launch in October 1993 and December 2016",
         [("between its launch in October 1993 and December 2016", 2016, 1993, 12, "range")]),
        ("over the period 2012-16", [("2012-16", 2016, 2012, None, "range")]),
        ("for the period 2010-2018", [("2010-2018", 2018, 2010, None, "range")]),
        ("opened in July 2005", [("July 2005", 2005, None, 7, "year")]),
        ("of 12 January 2017", [("12 January 2017", 2017, None, 1, "date")]),
        ("on 31st of December 2011", [("31st of December 2011", 2011, None, 12, "date")]),
        ("on 1st January 2010", [("1st January 2010", 2010, None, 1, "date")]),
        ("By December 31, 2012, the", [("December 31, 2012", 2012, None, 12, "date")]),
        ("on July 1st 2011", [("July 1st 2011", 2011, None, 7, "date")]),
        ("By 2015, a total", [("2015", 2015, None, None, "year")]),
        ("(2012: 4 625 121)", [("2012", 2012, None, None, "year")]),
        # Citations and document numbers are no years of anything
        ("Viral Hepatitis in Europe, 2014", [("2014", 2014, None, None, "citation")]),
        ("(Trimbos Instituut, 2019).", [("2019", 2019, None, None, "citation")]),
        ("Law No 4139/2013", []),
        ("Decree Law 183/2001", []),
        ("the early 1990s", []),
        ("see GÖG/ÖBIG 2013a", []),
    ],
)
def test_times(text: str, expected: list) -> None:
    assert times(text) == expected


@pytest.mark.parametrize(
    ("start", "tail", "end"),
    [(2015, "19", 2019), (2010, "2018", 2018), (1999, "02", 2002), (2020, "24", 2024)],
)
def test_expand_short_year(start: int, tail: str, end: int) -> None:
    assert expand_short_year(start, tail) == end



@pytest.mark.parametrize(
    "item",
    [
        Figure(3, 8, 1234.0, "percent", 2000.0, True, True, "approx", 1),
        TimeRef(10, 19, 2019, 2015, 7, "range"),
        NonFigure(4, 6, "ratio"),
    ],
    ids=["Figure", "TimeRef", "NonFigure"],
)
def test_shifted_moves_the_offsets_and_keeps_every_other_field(item) -> None:
    # `shifted` lists the fields by hand (it is on the hot path): a field added to the class
    # but not there makes it differ from `dataclasses.replace`.
    assert item.shifted(100) == replace(item, start=item.start + 100, end=item.end + 100)
    # ... provided the sample sets every field away from its default
    assert all(getattr(item, f.name) != f.default for f in fields(item))
