"""Mechanisms of the genre that recur in any country report (made-up sentences).

Each case runs the real pipeline on a short report and asserts the exact rows: dated lists
of openings, footnote markers glued to words, sentences wrapped at a line break before their
year, and an anaphor that opens a paragraph after one naming the service.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.segment import text_to_spans
from pipeline.ingest.read import read_document
from pipeline.run.batch import document_to_extraction
from pipeline.types import Document, Extraction
from tests.conftest import extract_text

HEAD = "Sweden Country Drug Report 2030\n\n"
DCR = "drug_consumption_room"
NSP = "needle_syringe_programme"
OST = "opioid_substitution_treatment"


def read_report(tmp_path: Path, text: str) -> tuple[str, Document, Extraction]:
    """The raw report written to a file, the Document ingest reads from it, and its rows."""
    raw = HEAD + text
    path = tmp_path / "se-report.txt"
    path.write_text(raw, encoding="utf-8")
    doc = read_document(path)
    return raw, doc, document_to_extraction(doc)


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
        ("Drug consumption rooms opened in 2011 (Zurich), 2014 (Basel) and 2019 (Bern).",
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
        # The first year framing the sentence, or each place after its year.
        ("In 2012 a needle exchange opened in Oslo, in 2015 in Bergen.",
         [("NO", "started", NSP, 2012, None, "Oslo"), ("NO", "expanded", NSP, 2015, None,
                                                        "Bergen")]),
        ("Drug consumption rooms opened in 2012 in Germany, in 2015 in Spain and in 2020 in "
         "Denmark.",
         [("DE", "started", DCR, 2012, None, None), ("ES", "started", DCR, 2015, None, None),
          ("DK", "started", DCR, 2020, None, None)]),
        # An expansion to a setting, then to cities: the setting names no city.
        ("OST was extended to prisons in 2012, to Vilnius in 2014 and to Kaunas in 2016.",
         [("LT", "expanded", OST, 2012, None, None), ("LT", "expanded", OST, 2014, None,
                                                       "Vilnius"),
          ("LT", "expanded", OST, 2016, None, None)]),
        # A law amended in several years: a legal change each year.
        ("The law allowing needle exchange was amended in 2013, 2018 and 2024.",
         [("SE", "legal_basis", NSP, 2013, None, None), ("SE", "legal_basis", NSP, 2018, None,
                                                          None),
          ("SE", "legal_basis", NSP, 2024, None, None)]),
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


S1 = "In 2021, 5 200 people received opioid substitution treatment."
S2 = "In 2022, 5 600 people received it."


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # A marker after the full stop neither becomes a figure nor hides the sentence end.
        ("In 2024, opioid substitution treatment was provided to 3 400 people.1 The number "
         "of clients fell.",
         [("ost.clients", 2024, 3400.0, "3 400",
           "In 2024, opioid substitution treatment was provided to 3 400 people.")]),
        (S1 + "12 " + S2,
         [("ost.clients", 2021, 5200.0, "5 200", S1), ("ost.clients", 2022, 5600.0, "5 600", S2)]),
        # A bracketed reference of a web copy.
        (S1 + "[4] " + S2,
         [("ost.clients", 2021, 5200.0, "5 200", S1), ("ost.clients", 2022, 5600.0, "5 600", S2)]),
        # Glued to a word: the word is found and the year after it is kept.
        ("In 2023, 1 250 clients2 in 2019 received opioid substitution treatment.",
         [("ost.clients", 2019, 1250.0, "1 250",
           "In 2023, 1 250 clients in 2019 received opioid substitution treatment.")]),
        ("Needle and syringe programmes distributed 400 000 syringes¹ in 2022.",
         [("nsp.syringes_distributed", 2022, 400000.0, "400 000",
           "Needle and syringe programmes distributed 400 000 syringes in 2022.")]),
    ],
)
def test_footnote_markers(tmp_path: Path, text: str, facts: list[tuple]) -> None:
    raw, doc, ex = read_report(tmp_path, text)
    assert [(f.indicator, f.year, f.value, doc.text[f.prov.start_char:f.prov.end_char],
             f.prov.sentence) for f in ex.facts] == facts
    # Offsets stay exact: each row's span maps back to the same characters of the raw file.
    for f in ex.facts:
        span = doc.text[f.prov.start_char:f.prov.end_char]
        first = doc.source_offsets[f.prov.start_char]
        assert raw[first:first + len(span)] == span


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Clients.1 The", "Clients. The"),
        ("syringes¹ and", "syringes and"),
        ("deaths[4,5] in", "deaths in"),
        ("deaths.[4][5] The", "deaths. The"),
        ("people.1,2 The", "people. The"),
        ("clients3, and", "clients, and"),
        # A number that lost its space is no marker.
        ("clients1,200 in", "clients1,200 in"),
        ("See art.5 of the law.", "See art.5 of the law."),
        ("the covid19 pandemic", "the covid19 pandemic"),
        ("EU28 countries, CB1 receptors, 10 km² and Table 2.1", "EU28 countries, CB1 receptors, "
         "10 km² and Table 2.1"),
        ("In 2015.3 The", "In 2015.3 The"),
        ("see [1](link)", "see [1](link)"),
        # A number that goes on after the space is no marker.
        ("approximately12 000 people", "approximately12 000 people"),
    ],
)
def test_footnote_marker_forms(tmp_path: Path, raw: str, text: str) -> None:
    _, doc, _ = read_report(tmp_path, raw)
    assert doc.text == HEAD + text


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # A line wrapped before its year: the year stays in the sentence.
        ("Opioid substitution treatment was provided\nto a total of 1 200 clients who were "
         "treated in\n2015 by the public treatment network.\n\nAnother paragraph.",
         [("ost.clients", 2015, 1200.0,
           "Opioid substitution treatment was provided\nto a total of 1 200 clients who were "
           "treated in\n2015 by the public treatment network.")]),
        ("Needle and syringe programmes distributed 80 000 syringes during\n2016.",
         [("nsp.syringes_distributed", 2016, 80000.0,
           "Needle and syringe programmes distributed 80 000 syringes during\n2016.")]),
    ],
)
def test_line_wrapped_before_its_year(text: str, facts: list[tuple]) -> None:
    ex = extract_text(HEAD + text)
    assert [(f.indicator, f.year, f.value, f.prov.sentence) for f in ex.facts] == facts


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("Clients were treated in\n2015.", ["Clients were treated in\n2015."]),
        ("The law of\nMarch 2016 applies.", ["The law of\nMarch 2016 applies."]),
        ("Under Law No.\n7975 of 2016 it is legal.", ["Under Law No.\n7975 of 2016 it is legal."]),
        ("The room opened in July\n2016.", ["The room opened in July\n2016."]),
        # A heading, a short line that ends on a noun, or an abbreviation before a word.
        ("Treatment\n2015 was a good year.", ["Treatment", "2015 was a good year."]),
        ("See the annex, p.\nThe next part.", ["See the annex, p.", "The next part."]),
        ("Report of July\nThe next part.", ["Report of July", "The next part."]),
    ],
)
def test_wrapped_line_joins(text: str, paragraphs: list[str]) -> None:
    assert [text[s:e] for s, e in text_to_spans(text)] == paragraphs


NSP_PARAGRAPH = "A needle and syringe programme has operated in the capital since 2010."


@pytest.mark.parametrize(
    ("text", "events", "facts"),
    [
        # A paragraph that opens with an anaphor goes on about the service named just before.
        (NSP_PARAGRAPH + " It is run by an NGO.\n\nThe programme was extended to three more "
         "cities in 2017.",
         [("started", NSP, 2010), ("expanded", NSP, 2017)], []),
        (NSP_PARAGRAPH + "\n\nThe programme distributed 40 000 syringes in 2018. It reached "
         "1 200 clients that year.",
         [("started", NSP, 2010)],
         [("nsp.syringes_distributed", 2018, 40000.0), ("nsp.clients", 2018, 1200.0)]),
        (NSP_PARAGRAPH + "\nThese services were scaled up in 2019.",
         [("started", NSP, 2010), ("expanded", NSP, 2019)], []),
        # Not across a heading, nor from a paragraph that does not open with the anaphor.
        (NSP_PARAGRAPH + "\n\nTreatment\n\nThe programme was extended to three more cities in "
         "2017.", [("started", NSP, 2010)], []),
        (NSP_PARAGRAPH + "\n\nIn 2017, after a review, the programme was extended to three "
         "more cities.", [("started", NSP, 2010)], []),
    ],
)
def test_anaphor_opening_a_paragraph(text: str, events: list[tuple],
                                     facts: list[tuple]) -> None:
    ex = extract_text(HEAD + text)
    assert [(e.event, e.service, e.year) for e in ex.events] == events
    assert [(f.indicator, f.year, f.value) for f in ex.facts] == facts
