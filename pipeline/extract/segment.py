"""Segment stage: text → paragraph segments → spaCy docs and sentences.

A blank English pipeline with a sentencizer is loaded once per process and fed with
`nlp.pipe`. Lines are first grouped into segments so that a heading never runs into the
sentence below it, while a hard-wrapped paragraph (PDF text) stays one segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.types import Sentence
from pipeline.vocab import load

# Longer "sentences" are run-on text (no punctuation): they are cut at whitespace.
MAX_SENTENCE_CHARS = 2000
# A wrapped line is long and does not end a sentence; a heading is short.
WRAP_MIN_CHARS = 60
_SENTENCE_END = re.compile(r"[.!?:;\"')\]]\s*$")


@dataclass(frozen=True)
class Segment:
    """A paragraph (or heading) of a document, with its spaCy doc."""

    start: int
    text: str
    doc: Doc
    first_sentence: int  # index of its first Sentence in the document


@cache
def get_nlp() -> Language:
    """The blank English pipeline with a sentencizer (built once per process); the genre's
    abbreviations (data/segment.yaml) are single tokens, so "Law No. 7975" is not cut."""
    nlp = spacy.blank("en")
    rules = load("segment")
    for abbreviation in rules["abbreviations"]:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    for letter in rules["sentence_final_letters"]:
        nlp.tokenizer.add_special_case(f"{letter}.", [{ORTH: letter}, {ORTH: "."}])
    nlp.add_pipe("sentencizer")
    return nlp


def text_to_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of paragraphs: blank lines split; wrapped lines are joined."""
    spans: list[tuple[int, int]] = []
    pos = 0
    cur: tuple[int, int] | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            if cur:
                spans.append(cur)
            cur = None
            continue
        lead = len(line) - len(line.lstrip())
        start, end = start + lead, start + lead + len(stripped)
        if cur and _continues(text[cur[0] : cur[1]], stripped):
            cur = (cur[0], end)
        else:
            if cur:
                spans.append(cur)
            cur = (start, end)
    if cur:
        spans.append(cur)
    return spans


def _continues(previous: str, line: str) -> bool:
    """Is `line` the continuation of a hard-wrapped paragraph?"""
    last_line = previous.rsplit("\n", 1)[-1]
    if line[:1].islower():
        return True
    return len(last_line) >= WRAP_MIN_CHARS and not _SENTENCE_END.search(last_line)


def text_to_segments(
    text: str, nlp: Language | None = None, skip: tuple[tuple[int, int], ...] = ()
) -> Iterator[tuple[int, Doc]]:
    """(absolute start, spaCy doc) for every paragraph, processed with `nlp.pipe`.
    Paragraphs overlapping a `skip` span (table rows of a PDF) are left out."""
    nlp = nlp or get_nlp()
    spans = text_to_spans(text)
    if skip:
        spans = [(s, e) for s, e in spans if not any(s < b and a < e for a, b in skip)]
    # A line break inside a paragraph (wrapped PDF text) is tokenised as a space, so phrases
    # broken over two lines still match; same length, so every offset stays valid.
    docs = nlp.pipe(text[s:e].replace("\n", " ") for s, e in spans)
    for (start, _end), doc in zip(spans, docs, strict=True):
        yield start, doc


def segments_to_sentences(
    text: str, segments: Iterator[tuple[int, Doc]]
) -> tuple[list[Segment], list[Sentence]]:
    """Sentences with absolute offsets into `text`, and their segments."""
    out_segments: list[Segment] = []
    sentences: list[Sentence] = []
    for block, (start, doc) in enumerate(segments):
        bounds = _sentence_bounds(doc)
        end = start + (bounds[-1][1] if bounds else 0)
        out_segments.append(Segment(start, text[start:end], doc, len(sentences)))
        for s_rel, e_rel in bounds:
            for s, e in _cap(text, start + s_rel, start + e_rel):
                sentences.append(Sentence(len(sentences), s, e, text[s:e], block))
    return out_segments, sentences


def _cap(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a run-on "sentence" (PDF text without punctuation) at whitespace every
    MAX_SENTENCE_CHARS, so per-sentence linking stays linear in the document."""
    out = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        out.append((start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    out.append((start, end))
    return out


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentencizer's sentences, read from the doc's arrays (the same
    spans as `doc.sents`, without building a Python object per token)."""
    if not len(doc):
        return []
    arr = doc.to_array([SENT_START, IDX, LENGTH])
    starts = [i for i, flag in enumerate(arr[:, 0].tolist()) if flag == 1] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    idx, length = arr[:, 1].tolist(), arr[:, 2].tolist()
    ends = starts[1:] + [len(doc)]
    return [(idx[s], idx[e - 1] + length[e - 1]) for s, e in zip(starts, ends, strict=True)]
