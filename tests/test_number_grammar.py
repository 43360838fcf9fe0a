"""Table-driven tests of the number grammar: number words, ranges, qualifiers, dot
thousands, year-like counts, ratios and runaway values.

Cases are made up in the genre's language, plus the in-genre forms of two peer suites
(Recognizers-Text's English NumberModel/NumberRangeModel specs, quantulum3's English tests):
number words with "and", "a thousand", "fewer than a thousand", "between 20 and 30",
"no less than thirty", "five hundred or more", "less than or equal to 100", "4,565".
"""

from __future__ import annotations

import pytest

from pipeline.extract.numbers import scan
from tests.conftest import extract_text

HEAD = "Sweden Country Drug Report 2030\n\n"


def figures(text: str) -> list[tuple]:
    found = scan(text)
    return [(text[f.start : f.end], f.value, f.value_high, f.qualifier) for f in found.figures]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Number words
        ("one hundred and sixteen clients", [("one hundred and sixteen", 116, None, None)]),
        ("twelve thousand five hundred syringes",
         [("twelve thousand five hundred", 12500, None, None)]),
        ("a thousand kits", [("a thousand", 1000, None, None)]),
        ("a dozen sites", [("a dozen", 12, None, None)]),
        ("two dozen outlets", [("two dozen", 24, None, None)]),
        ("half a million needles", [("half a million", 500000, None, None)]),
        ("almost a million syringes", [("a million", 1000000, None, None)]),
        ("twenty-five centres", [("twenty-five", 25, None, None)]),
        ("three thousand nine hundred and sixty five", [
            ("three thousand nine hundred and sixty five", 3965, None, None)]),
        ("two million three hundred thousand", [
            ("two million three hundred thousand", 2300000, None, None)]),
        ("fifteen hundred clients", [("fifteen hundred", 1500, None, None)]),
        ("five and ten", [("five", 5, None, None), ("ten", 10, None, None)]),
        ("a three-year programme", []),
        ("millions of syringes", []),
        ("one of the pillars", []),
        ("thousands of people", []),
        # Digits: grouping, dot thousands, scales
        ("This number is greater than 4,565", [("4,565", 4565, None, None)]),
        ("5.600 clients", [("5.600", 5600, None, None)]),
        ("12.500 syringes", [("12.500", 12500, None, None)]),
        ("1.234.567 syringes", [("1.234.567", 1234567, None, None)]),
        ("5.6 % of clients", [("5.6", 5.6, None, None)]),
        ("1.500 million syringes", [("1.500 million", 1500000, None, None)]),
        ("2 000 25 clients", [("2 000", 2000, None, None), ("25", 25, None, None)]),
        # Ranges, every dash and spacing; the lower bound is the value
        ("2 000–2 500 clients", [("2 000–2 500", 2000, 2500, None)]),
        ("150 - 200 clients", [("150 - 200", 150, 200, None)]),
        ("150-200 clients", [("150-200", 150, 200, None)]),
        ("1 200—1 400 clients", [("1 200—1 400", 1200, 1400, None)]),
        ("between 20 and 30 sites", [("between 20 and 30", 20, 30, None)]),
        ("2-3 million syringes", [("2-3 million", 2000000, 3000000, None)]),
        ("approximately 2,000–2,500 clients", [("2,000–2,500", 2000, 2500, None)]),
        # Qualifiers the grammar reads itself: symbols before, words after
        ("~2 000 clients", [("2 000", 2000, None, "approx")]),
        ("ca. 300 clients", [("300", 300, None, "approx")]),
        ("c. 300 clients", [("300", 300, None, "approx")]),
        ("< 50 clients", [("50", 50, None, "less_than")]),
        ("> 50 clients", [("50", 50, None, "more_than")]),
        ("≤ 50 clients", [("50", 50, None, "up_to")]),
        ("< = 100", [("100", 100, None, None)]),
        ("≥ 50 people", [("50", 50, None, "at_least")]),
        ("five hundred or more clients", [("five hundred", 500, None, "at_least")]),
        ("50 or more clients", [("50", 50, None, "at_least")]),
        ("There're about five hundred or less", [("five hundred", 500, None, "up_to")]),
        ("20 or fewer clients", [("20", 20, None, "up_to")]),
        ("50+ clients", [("50", 50, None, "at_least")]),
        # A year-like number that counts
        ("1995 clients were treated", [("1995", 1995, None, None)]),
        ("Deaths totalled 1995 in 2018.", [("1995", 1995, None, None)]),
        ("There were 1995 new clients", [("1995", 1995, None, None)]),
        ("In 2015 clients were treated", []),
        ("the Health Plan 2015 covers people who inject drugs", []),
        # Ratios are no counts
        ("1 in 10 clients", []),
        ("one in five users", []),
        ("24 in 15 cities", [("24", 24, None, None), ("15", 15, None, None)]),
        # Runaway values: a chart axis is several numbers, long runs never overflow
        ("100 200 300 400 500", [(str(v), v, None, None) for v in (100, 200, 300, 400, 500)]),
        ("4 762 999 syringes", [("4 762 999", 4762999, None, None)]),
        ("9" * 400, []),
        ("1e99999", []),
        (" ".join(["123"] * 110), [("123", 123, None, None)] * 110),
    ],
)
def test_number_grammar(text: str, expected: list) -> None:
    assert figures(text) == expected


def fact_rows(text: str) -> list[tuple]:
    ext = extract_text(HEAD + text)
    return [(f.indicator, f.year, f.value, f.qualifier, f.value_high) for f in ext.facts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2029, one hundred and sixteen clients were in opioid substitution treatment.",
         [("ost.clients", 2029, 116, "exact", None)]),
        ("In 2029, no more than 50 clients were in opioid substitution treatment.",
         [("ost.clients", 2029, 50, "up_to", None)]),
        ("In 2029, no fewer than 50 clients were in opioid substitution treatment.",
         [("ost.clients", 2029, 50, "at_least", None)]),
        ("In 2029, at most 40 clients were in heroin-assisted treatment.",
         [("hat.clients", 2029, 40, "up_to", None)]),
        ("Drug-induced deaths exceeded 300 in 2029.",
         [("deaths.drug_induced", 2029, 300, "more_than", None)]),
        ("In 2029, approximately 2 000–2 500 clients were in opioid substitution treatment.",
         [("ost.clients", 2029, 2000, "approx", 2500)]),
        ("In 2029, 150 - 200 clients were in opioid substitution treatment.",
         [("ost.clients", 2029, 150, "range", 200)]),
        ("In 2029, the needle and syringe programme handed out ~12.500 syringes.",
         [("nsp.syringes_distributed", 2029, 12500, "approx", None)]),
        ("Drug-induced deaths totalled 1995 in 2029.",
         [("deaths.drug_induced", 2029, 1995, "exact", None)]),
        ("In 2029, 1 in 10 clients of opioid substitution treatment was female.", []),
        ("In 2029, half a million syringes were distributed.",
         [("nsp.syringes_distributed", 2029, 500000, "exact", None)]),
        # A value no indicator can have is skipped, never a fact.
        ("In 2029, 999 999 999 999 drug consumption rooms operated.", []),
        ("In 2029, 12.5 drug consumption rooms operated.", []),
    ],
)
def test_number_grammar_facts(text: str, expected: list) -> None:
    assert fact_rows(text) == expected


def test_runaway_value_is_a_skipped_figure_with_its_reason() -> None:
    ext = extract_text(HEAD + "In 2029, 999 999 999 999 drug consumption rooms operated.")
    skipped = [m.normalised for m in ext.mentions if m.label == "SKIPPED_FIGURE"]
    assert skipped == ["implausible for dcr.facilities (above 10000)"]
