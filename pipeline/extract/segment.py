"""Segment stage: text → paragraph segments → spaCy docs and sentences.

A blank English pipeline (the tokenizer only) is loaded once per process and tokenises
each paragraph (`nlp.make_doc`: there are no components to run); sentences are cut by
spaCy's sentencizer rule, computed from the token arrays.
Lines are first grouped into segments so that a heading never runs into the sentence below
it, while a hard-wrapped paragraph (PDF text) stays one segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, LOWER, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from pipeline.deadline import check as check_time
from pipeline.types import Sentence
from pipeline.vocab import load

# Longer "sentences" are run-on text (no punctuation): they are cut at whitespace.
MAX_SENTENCE_CHARS = 2000
# A wrapped line is long and does not end a sentence; a heading is short.
WRAP_MIN_CHARS = 60
_SENTENCE_END = re.compile(r"[.!?:;\"')\]]\s*$")
# A paragraph longer than this is cut into blocks (spaCy's own limit is 1 000 000).
BLOCK_CHARS = 100_000
# Where a long paragraph is best cut: after a sentence end.
_BLOCK_BREAK = re.compile(r"[.!?][\"')\]]*\s+")
# Paragraphs are parsed and matched about this many characters at a time.
CHUNK_CHARS = 200_000


# Token columns of a doc: LOWER hashes, character offsets, lengths.
TokenColumns = tuple[Sequence[int], Sequence[int], Sequence[int]]


@dataclass(frozen=True)
class Segment:
    """A paragraph (or heading) of a document, with its spaCy doc."""

    start: int
    text: str
    doc: Doc
    first_sentence: int  # index of its first Sentence in the document
    # Per token: LOWER hash, character offset, length (read once from the doc's arrays, for
    # the sentence cut and the matchers alike).
    columns: TokenColumns = ((), (), ())


@cache
def get_nlp() -> Language:
    """The blank English tokenizer (built once per process); the genre's abbreviations
    (data/segment.yaml) are single tokens, so "Law No. 7975" is not cut. Sentences are
    found by `_sentence_bounds`, not by a pipeline component."""
    nlp = spacy.blank("en")
    rules = load("segment")
    for abbreviation in rules["abbreviations"]:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    for letter in rules["sentence_final_letters"]:
        nlp.tokenizer.add_special_case(f"{letter}.", [{ORTH: letter}, {ORTH: "."}])
    return nlp


@cache
def _sentence_final_orths() -> frozenset[int]:
    """Hashes of the characters after which spaCy's sentencizer ends a sentence."""
    strings = get_nlp().vocab.strings
    return frozenset(strings.add(c) for c in Sentencizer.default_punct_chars)


def text_to_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of paragraphs: blank lines split; wrapped lines are joined. A paragraph
    longer than BLOCK_CHARS is cut into blocks (see `cut_blocks`)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    cur: tuple[int, int] | None = None
    last_line = ""  # the last line of `cur`: all `_continues` looks at
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
        if cur and _continues(last_line, stripped):
            cur = (cur[0], end)
        else:
            if cur:
                spans.append(cur)
            cur = (start, end)
        last_line = stripped
    if cur:
        spans.append(cur)
    return [block for s, e in spans for block in cut_blocks(text, s, e)]


def _continues(last_line: str, line: str) -> bool:
    """Is `line` the continuation of a hard-wrapped paragraph whose last line is `last_line`?"""
    if line[:1].islower():
        return True
    last_word = last_line.rsplit(None, 1)[-1]
    words, before_number = _wrap_words()
    if last_word in words or (line[:1].isdigit() and last_word in before_number):
        return True  # "… were treated in" / "2015 by …", "Law No." / "7975", "July" / "2015"
    return len(last_line) >= WRAP_MIN_CHARS and not _SENTENCE_END.search(last_line)


@cache
def _wrap_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words no sentence ends on (data/segment.yaml), and words that come before a number:
    the abbreviations there and the month names (data/numbers.yaml)."""
    rules = load("segment")
    months = [m.capitalize() for m in load("numbers")["months"]]
    return frozenset(rules["wrap_words"]), frozenset([*rules["abbreviations"], *months])


def cut_blocks(text: str, start: int, end: int,
               limit: int = BLOCK_CHARS) -> list[tuple[int, int]]:
    """A paragraph cut into blocks of at most `limit` characters, each parsed as its own spaCy
    doc: spaCy refuses texts over `nlp.max_length` (1 000 000) and one huge doc costs memory
    for nothing. The cut falls after the last sentence end in the second half of the window,
    else at the last space, else (one endless word) at the limit; offsets stay exact."""
    out = []
    while end - start > limit:
        window = text[start + limit // 2 : start + limit]
        ends = [m.end() for m in _BLOCK_BREAK.finditer(window)]
        if ends:
            cut = start + limit // 2 + ends[-1]
        else:
            space = window.rfind(" ")
            cut = start + limit // 2 + space if space > 0 else start + limit
        out.append((start, _rstrip(text, start, cut)))
        start = _lstrip(text, cut, end)
    out.append((start, end))
    return out


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _paragraph_spans(text: str, skip: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    spans = text_to_spans(text)
    if skip:
        spans = [(s, e) for s, e in spans if not any(s < b and a < e for a, b in skip)]
    return spans


def _parse(text: str, spans: list[tuple[int, int]],
           nlp: Language) -> Iterator[tuple[int, Doc]]:
    # A line break inside a paragraph (wrapped PDF text) is tokenised as a space, so phrases
    # broken over two lines still match; same length, so every offset stays valid.
    docs = (nlp.make_doc(text[s:e].replace("\n", " ")) for s, e in spans)
    for (start, _end), doc in zip(spans, docs, strict=True):
        yield start, doc


def text_to_segments(
    text: str, nlp: Language | None = None, skip: tuple[tuple[int, int], ...] = ()
) -> Iterator[tuple[int, Doc]]:
    """(absolute start, spaCy doc) for every paragraph, tokenised by `nlp`.
    Paragraphs overlapping a `skip` span (table rows of a PDF) are left out."""
    return _parse(text, _paragraph_spans(text, skip), nlp or get_nlp())


def segments_to_sentences(
    text: str, segments: Iterator[tuple[int, Doc]], first_block: int = 0,
    first_sentence: int = 0,
) -> tuple[list[Segment], list[Sentence]]:
    """Sentences with absolute offsets into `text`, and their segments; block and sentence
    indexes are counted from `first_block` and `first_sentence` (a later chunk)."""
    out_segments: list[Segment] = []
    sentences: list[Sentence] = []
    for block, (start, doc) in enumerate(segments, first_block):
        orth, punct, lower, idx, length = doc.to_array([ORTH, IS_PUNCT, LOWER, IDX,
                                                       LENGTH]).T.tolist()
        bounds = _sentence_bounds(orth, punct, idx, length)
        end = start + (bounds[-1][1] if bounds else 0)
        out_segments.append(Segment(start, text[start:end], doc,
                                    first_sentence + len(sentences), (lower, idx, length)))
        for s_rel, e_rel in bounds:
            for s, e in _cap(text, start + s_rel, start + e_rel):
                sentences.append(Sentence(first_sentence + len(sentences), s, e, text[s:e],
                                          block))
    return out_segments, sentences


def text_to_chunks(
    text: str, skip: tuple[tuple[int, int], ...] = (), chunk_chars: int = CHUNK_CHARS,
    nlp: Language | None = None,
) -> Iterator[tuple[list[Segment], list[Sentence]]]:
    """The document's segments and sentences, a chunk of paragraphs (about `chunk_chars`
    characters) at a time, indexes counted over the whole document. A caller that handles
    one chunk before asking for the next holds only that chunk's spaCy docs, so a long
    document never lives as one huge set of docs, and can check a deadline in between."""
    nlp = nlp or get_nlp()
    spans = _paragraph_spans(text, skip)
    n_blocks = n_sentences = 0
    i = 0
    while i < len(spans):
        check_time("segment")
        j, size = i, 0
        while j < len(spans) and (j == i or size + spans[j][1] - spans[j][0] <= chunk_chars):
            size += spans[j][1] - spans[j][0]
            j += 1
        segments, sentences = segments_to_sentences(text, _parse(text, spans[i:j], nlp),
                                                    n_blocks, n_sentences)
        n_blocks += j - i
        n_sentences += len(sentences)
        i = j
        yield segments, sentences


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


def _sentence_bounds(orth: list[int], punct: list[int], idx: list[int],
                     length: list[int]) -> list[tuple[int, int]]:
    """Character spans of the sentences of spaCy's sentencizer rule (a sentence ends after a
    sentence-final character, at the next token that is not punctuation), from the doc's
    token columns: the same spans as the `sentencizer` component's `doc.sents`, without a
    Python object per token."""
    if not orth:
        return []
    final = _sentence_final_orths()
    starts = [0]
    seen_final = False
    for i, (word, is_punct) in enumerate(zip(orth, punct, strict=True)):
        if word in final:
            seen_final = True
        elif seen_final and not is_punct:
            starts.append(i)
            seen_final = False
    ends = starts[1:] + [len(orth)]
    return [(idx[s], idx[e - 1] + length[e - 1]) for s, e in zip(starts, ends, strict=True)]
