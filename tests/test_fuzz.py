"""Hostile input, generated: the scanners never raise and whole documents never sink a batch.

Hypothesis draws texts from the genre's fragments (figures, years, hedges, units), digit
runs and huge digit groups, unicode, bullets, `cell | cell` lines and paragraph breaks.
Runs are derandomised (the same examples every run, so CI is deterministic) and kept small
so the suite stays fast; no example database is written.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract.numbers import expand_short_year, parse_number, scan
from pipeline.run.batch import load_rules, path_to_extraction
from pipeline.types import Extraction

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
FUZZ_DOCS = settings(FUZZ, max_examples=40)

WORDS = ["In", "2019", "2015-19", "2017/18", "approximately", "about", "over", "between",
         "and", "clients", "needles", "syringes", "were", "distributed", "in", "opioid",
         "substitution", "treatment", "%", "EUR", "million", "thousand", "five", "No.",
         "p.", "1e99999", "-", "–", "/", ".", ",", ":", ";", "(", ")", "NSP", "OST",
         "Law", "Strategy", "launched", "closed", "January", "Q1"]

digit_run = st.text(alphabet="0123456789", min_size=1, max_size=400)
digit_groups = st.lists(st.from_regex(r"\d{3}", fullmatch=True), min_size=1,
                        max_size=120).map(" ".join)
number = st.from_regex(r"\d{1,3}(?:[ ,]\d{3}){0,6}(?:\.\d{1,3})?", fullmatch=True)
fragment = st.one_of(
    st.sampled_from(WORDS), number, digit_run, digit_groups,
    st.text(max_size=12),  # any unicode but surrogates
    st.sampled_from(["\n", "\n\n", "\n\n\n", "\t", "  ", "• ", "- ", "* ", "1. "]),
    st.lists(st.sampled_from(WORDS + ["", "2019", "1 234"]), min_size=2, max_size=5)
    .map(lambda cells: "\n" + " | ".join(cells) + "\n"),
)
sentence_text = st.lists(fragment, max_size=40).map(" ".join)
document_text = st.lists(sentence_text, min_size=1, max_size=12).map("\n\n".join)


@given(sentence_text)
@FUZZ
def test_scan_never_raises_and_keeps_offsets_inside(text: str) -> None:
    found = scan(text)
    for item in [*found.figures, *found.times, *found.nonfigures]:
        assert 0 <= item.start <= item.end <= len(text), item


@given(number)
@FUZZ
def test_parse_number_reads_every_grouped_number(raw: str) -> None:
    assert parse_number(raw) == float(re.sub("[ ,]", "", raw))


@given(st.integers(1900, 2099), st.from_regex(r"\d{2}|\d{4}", fullmatch=True))
@FUZZ
def test_expand_short_year_never_goes_back(start: int, tail: str) -> None:
    end = expand_short_year(start, tail)
    assert end == int(tail) if len(tail) == 4 else start <= end < start + 100


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


STAGE_ERROR = re.compile(r"(read|segment|extract|link|tables|run): \w+")
READ_ERRORS = {"empty file", "file contains only whitespace", "binary content, not text"}


def assert_sound(ext: Extraction) -> None:
    """An error row is one line naming the stage; an ok document's rows all point inside
    its text, and every record's span lies inside the sentence it quotes."""
    doc = ext.document
    if doc.status != "ok":
        assert doc.text == "" and "\n" not in doc.error
        assert STAGE_ERROR.match(doc.error) or doc.error in READ_ERRORS, doc.error
        return
    text = doc.text
    for s in ext.sentences:
        assert text[s.start : s.end] == s.text
    for m in ext.mentions:
        assert 0 <= m.start <= m.end <= len(text) and text[m.start : m.end] == m.text, m
    sentences = {s.text: s for s in ext.sentences}
    for record in [*ext.facts, *ext.events, *ext.plans, *ext.services]:
        p = record.prov
        assert 0 <= p.start_char <= p.end_char <= len(text), record
        s = sentences[p.sentence]
        assert s.start <= p.start_char <= p.end_char <= s.end, record


@given(document_text)
@FUZZ_DOCS
def test_whole_documents_never_raise_and_rows_stay_inside(folder: Path, text: str) -> None:
    path = folder / "xx-fuzz.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_sound(path_to_extraction(path))


@given(st.binary(max_size=2000))
@FUZZ_DOCS
def test_any_bytes_are_a_document_or_an_error_row(folder: Path, data: bytes) -> None:
    path = folder / "xx-bytes.txt"
    path.write_bytes(data)
    assert_sound(path_to_extraction(path))
