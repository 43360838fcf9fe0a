"""Paragraphs and sentences: headings stay apart, wrapped lines join, run-ons are cut."""

from __future__ import annotations

import pytest

from pipeline.extract.segment import MAX_SENTENCE_CHARS, segments_to_sentences, text_to_segments


def sentences(text: str) -> list[str]:
    _, sents = segments_to_sentences(text, text_to_segments(text))
    return [s.text for s in sents]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Harm reduction\n\nOST is available. NSPs operate.",
         ["Harm reduction", "OST is available.", "NSPs operate."]),
        ("Harm reduction interventions\nOST is available in all regions.",
         ["Harm reduction interventions", "OST is available in all regions."]),
        ("In 2029, approximately 12 345 clients were in opioid substitution\n"
         "treatment in the country.",
         ["In 2029, approximately 12 345 clients were in opioid substitution\n"
          "treatment in the country."]),
        ("A line that ends a sentence.\nNext line starts a new one.",
         ["A line that ends a sentence.", "Next line starts a new one."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_run_on_text_is_cut_at_whitespace_and_keeps_offsets() -> None:
    text = " ".join(f"word{i}" for i in range(3000))  # no punctuation at all
    _, sents = segments_to_sentences(text, text_to_segments(text))
    assert len(sents) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sents)
    assert all(text[s.start : s.end] == s.text for s in sents)
    assert " ".join(s.text for s in sents) == text


def test_hepatitis_c_at_a_sentence_end_ends_the_sentence() -> None:
    from pipeline.extract.segment import segments_to_sentences, text_to_segments

    text = ("It offers testing for HIV and hepatitis C. Two mobile units were discontinued in "
            "2016. Law No. 7975 of 26 July 1995 applies.")
    _, sentences = segments_to_sentences(text, text_to_segments(text))
    assert [s.text for s in sentences] == [
        "It offers testing for HIV and hepatitis C.",
        "Two mobile units were discontinued in 2016.",
        "Law No. 7975 of 26 July 1995 applies.",
    ]
