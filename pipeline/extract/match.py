"""Extract stage: spaCy PhraseMatcher/Matcher vocabularies plus regex figures, per sentence.

`build_matchers()` compiles every vocabulary once per process. `match()` is pure: it turns
one segment's spaCy doc into `Hit`s; `overlap_policy` decides which overlapping hits of a
group survive (longest first by default, as spaCy's `filter_spans`). `find()` assembles the
hits, figures and time expressions of every sentence of a document.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spacy.attrs import IDX, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from pipeline import countries
from pipeline.extract.numbers import (
    Figure,
    NonFigure,
    TimeRef,
    ascii_lowered,
    may_contain,
    scan,
)
from pipeline.extract.segment import Segment, TokenColumns, get_nlp
from pipeline.types import Mention, Sentence
from pipeline.vocab import DATA_DIR, load


@dataclass(frozen=True)
class Hit:
    """A vocabulary phrase found in the text (absolute offsets)."""

    group: str  # service, noun, qualifier, event, status, plan, anaphora, ...
    code: str
    start: int
    end: int
    text: str


@dataclass
class SentenceFinds:
    """Everything found in one sentence, offsets absolute in `Document.text`."""

    sentence: Sentence
    figures: list[Figure] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)
    nonfigures: list[NonFigure] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    countries: list[tuple[int, int, str]] = field(default_factory=list)
    cities: list[tuple[int, int, str, str]] = field(default_factory=list)
    orgs: list[tuple[int, int, str]] = field(default_factory=list)
    _index: dict[str, list[Hit]] = field(default_factory=dict, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived views (link)
    _index_size: int = field(default=-1, repr=False)

    def of(self, group: str) -> list[Hit]:
        """Hits of one group, in text order (indexed once the sentence is complete)."""
        if self._index_size != len(self.hits):
            self._index = {}
            for h in self.hits:
                self._index.setdefault(h.group, []).append(h)
            self._index_size = len(self.hits)
        return self._index.get(group, [])

    @property
    def text(self) -> str:
        return self.sentence.text

    def may_contain(self, *needles: str) -> bool:
        """A cheap necessary condition of a case-insensitive pattern every match of which
        holds one of the lower-case `needles`: false only for an ASCII sentence (where
        IGNORECASE is plain lower-casing) that holds none of them."""
        if "ascii_lower" not in self.cache:
            self.cache["ascii_lower"] = ascii_lowered(self.text)
        return may_contain(self.cache["ascii_lower"], needles)

    def local(self, start: int, end: int) -> str:
        """Text of an absolute span of this sentence."""
        base = self.sentence.start
        return self.sentence.text[start - base : end - base]


@dataclass(frozen=True)
class Matchers:
    phrases: PhraseMatcher  # lower-cased vocabularies
    titles: PhraseMatcher  # heads that count only when capitalised ("National Programme")
    tokens: Matcher  # JSONL token patterns
    # Per token pattern: the LOWER hashes of its first word (where the Matcher runs), and of
    # each of its required LOWER words (all must be in a doc for the pattern to match there).
    anchors: tuple[tuple[frozenset[int], tuple[frozenset[int], ...]], ...]


def _phrase_groups() -> dict[str, dict[str, list[str]]]:
    """group → code → phrases, from the data files."""
    ind = load("indicators")
    cues = load("cues")
    groups: dict[str, dict[str, list[str]]] = {
        "service": load("services"),
        "noun": ind["nouns"],
        "blocked_noun": {"blocked": ind["blocked_nouns"]},
        "estimate": ind["estimates"],
        "qualifier": cues["qualifiers"],
        "event": cues["events"],
        "status": cues["statuses"],
        "modal": {"modal": cues["modal_blockers"]},
        "expansion": {"expansion": cues["expansion_markers"]},
        "generic": {"generic": cues["generic_objects"]},
        "anaphora": {"anaphora": cues["anaphora"]},
        "medicine": cues["medicines"],
        "not_legal": {"not_legal": cues["not_legal"]},
        "year_anaphor": {"year_anaphor": cues["anaphoric_years"]},
        "figure_blocker": {"before": cues["figure_blockers_before"]},
        "adoption": {"adoption": load("plans")["adoption_verbs"]},
        "plan_topic": {"other": load("plans")["other_topics"]},
    }
    plans: dict[str, list[str]] = {}
    for head in load("plans")["heads"]:
        if not head.get("capitalised"):
            plans.setdefault(head["kind"], []).append(head["phrase"])
    groups["plan"] = plans
    return groups


def _token_patterns() -> list[tuple[str, list[dict]]]:
    """spaCy token patterns kept as JSONL data (`data/token_patterns.jsonl`)."""
    rows = []
    with open(DATA_DIR / "token_patterns.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows.append((row["label"], row["pattern"]))
    return rows


@cache
def build_matchers(nlp: Language | None = None) -> Matchers:
    """Compile all vocabularies into one PhraseMatcher and one token Matcher (once)."""
    nlp = nlp or get_nlp()
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    for group, codes in _phrase_groups().items():
        for code, terms in codes.items():
            phrases.add(f"{group}|{code}", [nlp.make_doc(t) for t in terms])
    titles = PhraseMatcher(nlp.vocab, attr="ORTH")
    for head in load("plans")["heads"]:
        if head.get("capitalised"):
            phrase = head["phrase"]
            variants = {phrase.title(), phrase.upper()}
            titles.add(f"plan|{head['kind']}", [nlp.make_doc(v) for v in sorted(variants)])
    tokens = Matcher(nlp.vocab)
    strings = nlp.vocab.strings

    def words(token: dict) -> frozenset[int]:
        lower = token["LOWER"]
        return frozenset(strings.add(w) for w in (lower["IN"] if isinstance(lower, dict)
                                                  else [lower]))

    anchors = []
    for label, pattern in _token_patterns():
        tokens.add(label, [pattern])
        first = pattern[0].get("LOWER")
        if first is None or pattern[0].get("OP"):
            raise ValueError(f"token pattern {label}: the first token must be a required LOWER "
                             "word or IN list (it anchors where the Matcher runs)")
        required = tuple(words(t) for t in pattern if "LOWER" in t and not t.get("OP"))
        anchors.append((words(pattern[0]), required))
    return Matchers(phrases, titles, tokens, tuple(anchors))


def longest_first(hits: list[Hit]) -> list[Hit]:
    """Overlap policy: within a group keep the longest hit, earliest on ties."""
    kept: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}  # per group: kept spans, sorted by start
    for hit in sorted(hits, key=lambda h: (h.group, -(h.end - h.start), h.start, h.code)):
        spans = taken.setdefault(hit.group, [])
        i = bisect_right(spans, (hit.start, hit.end))
        before = spans[i - 1] if i else None
        after = spans[i] if i < len(spans) else None
        same = before == (hit.start, hit.end)  # one phrase, two codes: keep both
        if same or (
            (before is None or before[1] <= hit.start) and (after is None or after[0] >= hit.end)
        ):
            kept.append(hit)
            if not same:
                spans.insert(i, (hit.start, hit.end))
    return sorted(kept, key=lambda h: (h.start, h.group))


# Token patterns start with an anchor word and are at most this many tokens long.
TOKEN_PATTERN_WINDOW = 12


def _anchored_token_matches(doc: Doc, lower: Sequence[int], matchers: Matchers) -> list[tuple]:
    """Run the token Matcher only on short windows that start at an anchor token.

    Every JSONL pattern begins with one of the anchors (a required LOWER word), so this finds
    what a run over the whole doc finds, at a fraction of the cost (the Matcher walks every
    token it is given). `lower` is the doc's LOWER column. A pattern one of whose required
    words the doc lacks cannot match in it: its anchors start no window.
    """
    found: set[tuple] = set()
    present = set(lower)
    # Only the anchors of patterns whose required words are all in the doc ("provided" starts
    # a window only where "syringes" or the like is there too).
    anchors = frozenset().union(*(first for first, required in matchers.anchors
                                  if all(not words.isdisjoint(present) for words in required)))
    n = len(doc)
    for i, word in enumerate(lower):
        if word in anchors:
            window = doc[i : min(n, i + TOKEN_PATTERN_WINDOW)]
            found.update((key, i + s, i + e) for key, s, e in matchers.tokens(window))
    return sorted(found)


def match(
    doc: Doc,
    offset: int,
    matchers: Matchers,
    overlap_policy: Callable[[list[Hit]], list[Hit]] = longest_first,
    text: str | None = None,
    columns: TokenColumns | None = None,
) -> list[Hit]:
    """All vocabulary hits of one segment doc, at absolute offsets (pure).

    `text` is the doc's text and `columns` its (LOWER, IDX, LENGTH) token columns when the
    caller has them (rebuilding `doc.text` walks every token).
    """
    vocab = doc.vocab.strings
    found = list(matchers.phrases(doc)) + list(matchers.titles(doc))
    text = doc.text if text is None else text
    if columns is None or len(columns[0]) != len(doc):
        columns = doc.to_array([LOWER, IDX, LENGTH]).T.tolist()  # no object per token
    lower, idx, length = columns
    found += _anchored_token_matches(doc, lower, matchers)
    hits = []
    if found:
        labels: dict[int, tuple[str, str]] = {}
        for key, s, e in found:
            if key not in labels:
                labels[key] = tuple(vocab[key].split("|", 1))  # type: ignore[assignment]
            group, code = labels[key]
            start, end = idx[s], idx[e - 1] + length[e - 1]
            hits.append(Hit(group, code, offset + start, offset + end, text[start:end]))
    return _drop_masked(overlap_policy(hits))


def _drop_masked(hits: list[Hit]) -> list[Hit]:
    """'law enforcement' is not a law: drop legal and plan cues inside a not_legal phrase."""
    masks = [h for h in hits if h.group == "not_legal"]
    if not masks:
        return hits
    def legal(h: Hit) -> bool:
        return (h.group, h.code) in (("event", "legal_basis"), ("status", "legal")) or (
            h.group == "plan"
        )

    return [h for h in hits if not legal(h) or not any(m.start <= h.start < m.end for m in masks)]


_ORG_HINT = re.compile(
    r"Minist|Council|Commission|Institut|Agency|Directorate|Cent(?:re|er)|Group|Office|"
    r"Committee|Board|Government|Department|Association|Parliament"
)


@cache
def _authority_patterns() -> list[re.Pattern[str]]:
    # A leading article or possessive is not part of the name: "Luxembourg's Ministry …".
    lead = r"((?:The |the )|(?:[A-Z][\w-]+['’]s ))?"
    return [re.compile(lead + p) for p in load("plans")["authorities"]]


def _orgs(text: str, base: int) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    if not _ORG_HINT.search(text):  # the name patterns are slow; most sentences have none
        return spans
    for pattern in _authority_patterns():
        for m in pattern.finditer(text):
            start = m.start() + (len(m.group(1)) if m.lastindex else 0)
            name = re.sub(r"\d+$", "", text[start : m.end()])  # footnote digits "Republic1"
            if all(m.end() <= s - base or start >= e - base for s, e, _ in spans):
                spans.append((base + start, base + start + len(name), name))
    return sorted(spans)


def _shift_scan(sentence: Sentence) -> tuple[list[Figure], list[TimeRef], list[NonFigure]]:
    found = scan(sentence.text)
    b = sentence.start
    return ([f.shifted(b) for f in found.figures], [t.shifted(b) for t in found.times],
            [n.shifted(b) for n in found.nonfigures])


def find(segments: list[Segment], sentences: list[Sentence]) -> list[SentenceFinds]:
    """Per sentence: vocabulary hits (spaCy), figures and times (regex), places, orgs."""
    matchers = build_matchers()
    finds = [SentenceFinds(s) for s in sentences]
    starts = [s.start for s in sentences]
    for seg in segments:
        hits = match(seg.doc, seg.start, matchers, text=seg.text, columns=seg.columns)
        for hit in hits:
            i = bisect_right(starts, hit.start) - 1
            if i >= 0 and hit.start < finds[i].sentence.end:
                finds[i].hits.append(hit)
    for seg in segments:  # places: one pass per paragraph, then handed to its sentences
        for s, e, c in countries.find_countries(seg.text):
            _owner(finds, starts, seg.start + s).countries.append((seg.start + s,
                                                                   seg.start + e, c))
        for s, e, n, c in countries.find_cities(seg.text):
            _owner(finds, starts, seg.start + s).cities.append((seg.start + s,
                                                                seg.start + e, n, c))
    for sf in finds:
        sf.figures, sf.times, sf.nonfigures = _shift_scan(sf.sentence)
        sf.orgs = _orgs(sf.text, sf.sentence.start)
    return finds


def _owner(finds: list[SentenceFinds], starts: list[int], pos: int) -> SentenceFinds:
    """The sentence that contains absolute offset `pos`."""
    return finds[max(0, bisect_right(starts, pos) - 1)]


def _figure_norm(f: Figure) -> str:
    def num(v: float) -> str:
        return f"{v:g}" if v != int(v) else str(int(v))

    value = num(f.value) + (f"-{num(f.value_high)}" if f.value_high is not None else "")
    return value + {"count": "", "percent": " %", "eur": " EUR"}[f.unit]


def finds_to_mentions(finds: list[SentenceFinds], text: str) -> list[Mention]:
    """The raw mention layer (`mentions.parquet`): every hit, figure, time and rejection."""
    out: list[Mention] = []
    for sf in finds:
        i = sf.sentence.index
        for h in sf.hits:
            out.append(Mention(h.group.upper(), h.start, h.end, h.text, h.code, i, "phrase"))
        for f in sf.figures:
            label = "QUANTITY_RANGE" if f.value_high is not None else "QUANTITY"
            rule = "number_word" if f.words else "number_regex"
            out.append(Mention(label, f.start, f.end, text[f.start : f.end], _figure_norm(f), i,
                               rule))
        for t in sf.times:
            label = {"year": "YEAR", "range": "YEAR_RANGE", "split": "YEAR_RANGE",
                     "date": "DATE", "citation": "CITATION_YEAR"}[t.kind]
            norm = f"{t.start_year}-{t.year}" if t.start_year else str(t.year)
            if t.month:
                norm += f"-{t.month:02d}"
            out.append(Mention(label, t.start, t.end, text[t.start : t.end], norm, i, "time_regex"))
        for n in sf.nonfigures:
            out.append(Mention("NOT_A_FIGURE", n.start, n.end, text[n.start : n.end], n.reason, i,
                               "number_regex"))
        for s, e, code in sf.countries:
            out.append(Mention("COUNTRY", s, e, text[s:e], code, i, "country_vocab"))
        for s, e, _name, code in sf.cities:
            out.append(Mention("CITY", s, e, text[s:e], code, i, "city_vocab"))
        for s, e, name in sf.orgs:
            out.append(Mention("ORG", s, e, text[s:e], name, i, "authority_regex"))
    return out
