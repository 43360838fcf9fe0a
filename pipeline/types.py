"""Plain typed records passed between stages (ingest → segment → extract → link → write).

Every record that comes out of the text carries a `Provenance`, so an analyst can go from a
row back to the exact characters of `Document.text` it was read from. The records have
`__slots__`: a long document holds millions of them (mentions), at a third of the memory.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a table found in a PDF; `start`/`end` locate its text in Document.text."""

    page: int
    table: int  # index of the table in the document (0-based)
    row: int
    column: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One input file, read and normalised. `text` is what every offset points into."""

    doc_id: str
    path: str
    sha256: str
    format: str  # "txt" | "pdf" | ... (file suffix without dot)
    text: str
    status: str = "ok"  # "ok" | "error"
    error: str | None = None
    title: str | None = None
    country: str | None = None
    report_year: int | None = None
    doc_type: str | None = None
    n_pages: int | None = None
    encoding: str | None = None
    # Something was left out but the document is usable (e.g. its tables could not be read).
    warning: str | None = None
    # Where the report was published (given with `extract --sources`; ingest never guesses).
    url: str | None = None
    # Offsets in `text` where page 2, 3, ... start (PDF only); empty for plain text.
    page_starts: tuple[int, ...] = ()
    # Table cells (PDF only) and the spans of `text` that hold table rows: the sentence
    # extractor skips those spans, table facts are read from the cells instead.
    table_cells: tuple[TableCell, ...] = field(default=(), repr=False)
    table_spans: tuple[tuple[int, int], ...] = ()
    # For each character of `text`, its offset in the raw decoded source (faithful map).
    source_offsets: Sequence[int] = field(default=(), repr=False, compare=False)

    @property
    def n_chars(self) -> int:
        return len(self.text)

    def page_of(self, offset: int) -> int | None:
        """1-based page of a character offset, or None for non-paged formats."""
        if self.format != "pdf":
            return None
        return bisect_right(self.page_starts, offset) + 1


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document, with absolute offsets into `Document.text`."""

    index: int
    start: int
    end: int
    text: str
    block: int  # index of the paragraph/line block it came from


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention found by a rule (the raw layer, `mentions.parquet`)."""

    label: str  # QUANTITY, YEAR, YEAR_RANGE, MONTH, QUALIFIER, SERVICE, INDICATOR_NOUN, ...
    start: int
    end: int
    text: str
    normalised: str
    sentence: int  # Sentence.index
    rule: str


@dataclass(frozen=True, slots=True)
class Provenance:
    start_char: int
    end_char: int
    sentence: str
    rule: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    doc_id: str
    country: str | None
    indicator: str
    year: int | None
    value: float
    qualifier: str
    unit: str
    prov: Provenance
    value_high: float | None = None
    period_start: int | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    doc_id: str
    country: str | None
    event: str
    service: str | None
    year: int | None
    prov: Provenance
    month: int | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    doc_id: str
    country: str | None
    kind: str
    start_year: int | None
    end_year: int | None
    prov: Provenance
    title: str | None = None
    measures: int | None = None
    authority: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    doc_id: str
    country: str | None
    service: str
    status: str
    prov: Provenance


@dataclass
class Extraction:
    """Everything the pipeline found in one document."""

    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    services: list[ServiceStatus] = field(default_factory=list)
