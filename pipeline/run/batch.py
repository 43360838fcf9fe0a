"""The pipeline: ingest → segment → extract → link/normalise, one document at a time.

`document_to_extraction` is the whole text pipeline for one read document;
`path_to_extraction` adds reading under the per-document guard (the unit of work an engine
runs per file); `run` (in `runner.py`) plans the files (order, duplicates, cache hits),
takes the extractions from an engine in document order and hands them to the writer.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from pipeline.deadline import check as check_time
from pipeline.extract.match import SentenceFinds, build_matchers, find, finds_to_mentions
from pipeline.extract.segment import text_to_chunks
from pipeline.ingest.pdf import PdfSettings
from pipeline.ingest.read import InputFile
from pipeline.ingest.sources import Source, apply_source, source_for
from pipeline.link import country_lists, events, facts, plans, services, table_lines, tables
from pipeline.link.context import Context, is_heading
from pipeline.output.rows import MentionSpill
from pipeline.run.document import MAX_CHARS, guarded
from pipeline.types import Document, Extraction, Mention


def load_rules() -> None:
    """Build spaCy, the matchers and the vocabularies once, before the first document.

    They live as long as the process, so they are moved out of the garbage collector's
    generations (`gc.freeze`): the collector then no longer walks spaCy's object graph each
    time the per-document records trigger a collection (about 10 % of run time).
    """
    build_matchers()
    gc.collect()
    gc.freeze()


# How many earlier sentences of a paragraph an anaphor ("the programme") may reach back.
ANAPHORA_REACH = 3


class _Contexts:
    """Each sentence's linking context, built as the sentences stream in: the previous
    sentences of its block an anaphor may reach (at most ANAPHORA_REACH) and the section
    heading above it. Only those few earlier sentences are kept, not the document's.

    A paragraph that opens with an anaphor ("The programme was extended in 2017.") right
    after a paragraph, with nothing but a blank line between, also reaches that paragraph's
    last sentences: the paragraph goes on about what the one before named."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.recent: deque[SentenceFinds] = deque(maxlen=ANAPHORA_REACH)
        self.heading: SentenceFinds | None = None
        self.bridge: tuple[int, tuple[SentenceFinds, ...]] = (-1, ())

    def of(self, finds: list[SentenceFinds]) -> Iterator[Context]:
        for sf in finds:
            same_block = [f for f in self.recent if f.sentence.block == sf.sentence.block]
            if not same_block:
                self.bridge = (sf.sentence.block, self._previous_paragraph(sf))
            bridged = self.bridge[1] if self.bridge[0] == sf.sentence.block else ()
            prev = same_block[-1] if same_block else None
            earlier = (*reversed(same_block), *bridged)[:ANAPHORA_REACH]
            yield Context(self.doc.doc_id, self.doc.country, sf, prev, earlier, self.heading)
            if is_heading(sf) and ":" not in sf.text:
                self.heading = sf  # a section title; key-figure lines ("Label: 110") are not
            self.recent.append(sf)

    def _previous_paragraph(self, sf: SentenceFinds) -> tuple[SentenceFinds, ...]:
        """The last sentences of the paragraph right before `sf` (nearest first) when `sf`
        opens its paragraph with an anaphor and only a blank line lies between."""
        last = self.recent[-1] if self.recent else None
        if (last is None or last.sentence.block != sf.sentence.block - 1 or is_heading(last)
                or is_heading(sf) or self.doc.text[last.sentence.end : sf.sentence.start].strip()
                or not _opens_with_anaphor(sf)):
            return ()
        return tuple(f for f in reversed(self.recent) if f.sentence.block == last.sentence.block)


def _opens_with_anaphor(sf: SentenceFinds) -> bool:
    """'The programme was extended …', 'These facilities …': the sentence's subject points
    back ('Number of clients …' does not)."""
    return any(not sf.local(sf.sentence.start, h.start).strip(" \"'(“")
               and not h.text.lower().startswith("number of") for h in sf.of("anaphora"))


def _skipped_mentions(ctx: Context, skipped: list) -> list[Mention]:
    """Figures that did not become facts, with the reason (the debugging trail)."""
    text = ctx.sf
    return [
        Mention("SKIPPED_FIGURE", f.start, f.end, text.local(f.start, f.end), reason,
                ctx.sf.sentence.index, "facts")
        for f, reason in skipped
    ]


# A document longer than this (characters, without table cells) hands its mentions to the
# `spill` of `document_to_extraction` chunk by chunk instead of keeping them.
SPILL_CHARS = 2_000_000

Spill = Callable[[Document], MentionSpill]


def _slim_evidence(found: list) -> list:
    """Service evidence that keeps only its sentence of its context (what
    `services.resolve` reads), not the sentence's finds and neighbours: held until the
    end of a long document, full contexts would keep most of its parse alive. Used when
    spilling; `tests/test_long_document.py` checks the tables stay the same."""
    sf = SentenceFinds(found[0].ctx.sf.sentence)
    return [replace(e, ctx=Context(e.ctx.doc_id, e.ctx.country, sf, None)) for e in found]


def document_to_extraction(doc: Document, spill: Spill | None = None) -> Extraction:
    """Run segment → extract → link on one document that was read successfully.

    With `spill`, a long document (over SPILL_CHARS, no tables) writes each chunk's
    mentions to `spill(doc)` and keeps neither them nor its sentences (`ext.mentions`
    then holds none), nor the parse behind its service evidence, so its memory grows
    only with its facts, events, plans and evidence."""
    ext = Extraction(doc)
    if doc.status != "ok" or not doc.text.strip():
        return ext
    # Tables flattened to lines are read by column, not as sentences.
    line_tables = table_lines.find_tables(doc)
    skip = doc.table_spans + table_lines.spans(line_tables)
    # Table mentions may sit anywhere in the text: only a document without tables spills.
    sink = (spill(doc) if spill and len(doc.text) > SPILL_CHARS and not doc.table_cells
            and not line_tables else None)
    # A chunk of paragraphs at a time: only one chunk's spaCy docs and finds are alive at
    # once (linking looks back only a few sentences), so a long document's memory is its
    # records, not its parse.
    contexts = _Contexts(doc)
    evidence = []
    for segments, sentences in text_to_chunks(doc.text, skip=skip):
        finds = find(segments, sentences)
        check_time("extract")
        mentions = finds_to_mentions(finds, doc.text)
        for ctx in contexts.of(finds):
            check_time("link")
            plan_years = plans.plan_year_spans(ctx.sf)
            sentence_facts, skipped = country_lists.elliptic_facts(
                ctx, *facts.sentence_facts(ctx, plan_years), plan_years)
            ext.facts.extend(sentence_facts)
            mentions.extend(_skipped_mentions(ctx, skipped))
            ext.events.extend(events.sentence_events(ctx, plan_years))
            ext.plans.extend(plans.sentence_plans(ctx))
            found = services.sentence_evidence(ctx)
            evidence.extend(_slim_evidence(found) if sink is not None and found else found)
        if sink is not None:
            sink.add(mentions, sentences)
        else:
            ext.sentences.extend(sentences)
            ext.mentions.extend(mentions)
    ext.facts = facts.merge_facts(ext.facts)
    # Table facts stay beside the sentence facts they may restate: a table is evidence of
    # its own, with its own page, and `rule` tells them apart.
    check_time("tables")
    cell_facts, cell_skips = tables.table_facts(doc)
    line_facts, line_skips = table_lines.table_facts(doc, line_tables)
    ext.facts.extend(facts.merge_facts(cell_facts + line_facts))
    ext.mentions.extend(cell_skips + line_skips)
    ext.events = events.merge_events(ext.events)
    ext.plans = plans.merge_plans(ext.plans)
    ext.services = table_lines.add_services(services.resolve(doc.doc_id, evidence),
                                            table_lines.table_services(doc, line_tables))
    return ext


def path_to_extraction(path: Path | InputFile, pdf: PdfSettings | None = None,
                       max_chars: int = MAX_CHARS,
                       sources: tuple[Source, ...] = (), spill: Spill | None = None
                       ) -> Extraction:
    """Read one input file and run every stage on it: the unit of work of a run (an engine or
    worker calls this once per file, after `load_rules()`). Never raises for a bad document:
    any failure is its error row (`run/document.py`). Pass the `InputFile`s of `find_inputs`
    to get unique doc_ids and the symlink policy. `sources` (from `extract --sources`)
    override the metadata ingest guessed, before linking; `spill`: see
    `document_to_extraction`."""
    source = source_for(path.path if isinstance(path, InputFile) else Path(path), sources)
    if source is None:
        return guarded(path, pdf, max_chars, lambda doc: document_to_extraction(doc, spill))
    return guarded(path, pdf, max_chars,
                   lambda doc: document_to_extraction(apply_source(doc, source), spill))


# The run itself lives in `runner.py` (it needs no spaCy until a file must be extracted);
# re-exported here, where callers have always found it.
from pipeline.run.runner import RunOptions, RunResult, run  # noqa: E402

__all__ = ["RunOptions", "RunResult", "document_to_extraction", "load_rules",
           "path_to_extraction", "run"]
