"""Tables flattened to lines (`link/table_lines.py`): each column's cells belong to its
country, each cell takes the year it states. Every table here is made up."""

from __future__ import annotations

import pytest

from tests.conftest import extract_text

# A markdown table whose header has no cell over the label column; dates inside cells,
# reference numbers glued to values, bracketed notes, a range without "between".
MARKDOWN = """Table 3. Opioid agonist treatment in three countries

Austria | Croatia | Slovenia | |
---|---|---|---|
Population | 8.1 million (2021)[12] | 3.9 million (2021)[13] | 2.0 million (2021) |
Estimated number of people who use opioids | 31,000 and 34,000 people (2019) | 9,410 (2018) | n/a |
Number of OAT clients | 1,705 (end 2020) | 812 (September 2021) | 2,133 (December 31, 2021) \
[2,020 in March 2021, before the reform] |
Number of OAT sites (excluding prisons) | 42 (end 2020)) | 17 sites in 9 cities (2021) | 26 sites |
Coverage of people who use opioids | 40% | 21% (2021) | 55% [49% in 2020] |
Take-home doses | Yes | No | Yes |
"""

# The same kind of table with the label column headed, columns set apart by tabs, and a
# header of years instead of countries (the document's own country then).
TABBED = ("Key figures of Croatia\n\n"
          "Indicator\tAustria\tCroatia\n"
          "Syringes distributed\t120 400 (2022)\t~ 88 000\n"
          "Drug-induced deaths\t97\t(no data)\n")
YEARS = ("Croatia: treatment data\n\n"
         "Indicator | 2020 | 2021\n"
         "Clients of drug consumption rooms | 310 | 345 (provisional)\n"
         "Syringes distributed through NSPs | 1 200 | more than 1 300\n")


def _facts(text: str) -> list[tuple]:
    ext = extract_text(text)
    return sorted(
        (f.country, f.indicator, f.year, f.value, f.qualifier, f.value_high,
         ext.document.text[f.prov.start_char : f.prov.end_char])
        for f in ext.facts
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MARKDOWN, [
            ("AT", "hrou.estimate", 2019, 31000, "range", 34000, "31,000"),
            ("AT", "ost.clients", 2020, 1705, "exact", None, "1,705"),
            ("AT", "ost.facilities", 2020, 42, "exact", None, "42"),
            ("HR", "hrou.estimate", 2018, 9410, "exact", None, "9,410"),
            ("HR", "ost.clients", 2021, 812, "exact", None, "812"),
            ("HR", "ost.facilities", 2021, 17, "exact", None, "17"),
            ("SI", "ost.clients", 2021, 2020, "exact", None, "2,020"),
            ("SI", "ost.clients", 2021, 2133, "exact", None, "2,133"),
            ("SI", "ost.facilities", None, 26, "exact", None, "26"),
        ]),
        (TABBED, [
            ("AT", "deaths.drug_induced", None, 97, "exact", None, "97"),
            ("AT", "nsp.syringes_distributed", 2022, 120400, "exact", None, "120 400"),
            ("HR", "nsp.syringes_distributed", None, 88000, "approx", None, "88 000"),
        ]),
        (YEARS, [
            ("HR", "dcr.clients", 2020, 310, "exact", None, "310"),
            ("HR", "dcr.clients", 2021, 345, "exact", None, "345"),
            ("HR", "nsp.syringes_distributed", 2020, 1200, "exact", None, "1 200"),
            ("HR", "nsp.syringes_distributed", 2021, 1300, "more_than", None, "1 300"),
        ]),
        # One line with pipes is no table (a contents line): it stays a sentence.
        ("Contents: Summary | Treatment (p. 2) | Harm reduction (p. 3)\n\n"
         "In 2021, 1 705 clients received opioid substitution treatment in Austria.",
         [("AT", "ost.clients", 2021, 1705, "exact", None, "1 705")]),
        # A header that names no country or year over two columns: not read as a table.
        ("Service | Clients | Sites\nNSP in Graz | 400 | 3\nNSP in Linz | 200 | 2\n", []),
    ],
    ids=["markdown-countries", "tabbed-countries", "year-columns", "one-line", "no-header"],
)
def test_table_line_facts(text: str, expected: list) -> None:
    assert _facts(text) == expected


def test_table_lines_are_not_read_as_sentences() -> None:
    ext = extract_text(MARKDOWN)
    table_start = ext.document.text.index("Austria |")
    assert all(s.end <= table_start for s in ext.sentences)
    rules = {f.prov.rule for f in ext.facts}
    assert all(r.startswith("table_line:") for r in rules)
    assert ext.facts[0].prov.sentence.startswith("Austria | Croatia | Slovenia")


def test_table_line_services_per_column() -> None:
    ext = extract_text(MARKDOWN)
    rows = sorted((s.country, s.service, s.status, s.prov.rule) for s in ext.services)
    assert rows == [
        ("AT", "opioid_substitution_treatment", "available", "service:available:table"),
        ("HR", "opioid_substitution_treatment", "available", "service:available:table"),
        ("SI", "opioid_substitution_treatment", "available", "service:available:table"),
    ]
