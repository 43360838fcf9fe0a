"""One document under one guard: whatever goes wrong in any stage becomes that document's
error row, never the batch's end.

`guarded` reads one input and runs the stages on it inside a `try`, under the PDF time
limit; an exception becomes a `documents` row with `status = "error"` and an `error` that
names the stage and the reason ("extract: OverflowError: …"), so the batch goes on and the
run exits 1. The stage is read from the traceback: the deepest frame in one of the stage
packages names it, so the guard needs no bookkeeping inside the stages. Set the
environment variable DRUGREPORT_DEBUG=1 to also print the traceback to stderr.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pipeline.deadline import TimeLimitExceeded, time_limit
from pipeline.ingest.pdf import PdfSettings
from pipeline.ingest.read import PDF_SUFFIXES, InputFile, read_document
from pipeline.types import Document, Extraction

# Largest document text, in characters (--max-chars).
MAX_CHARS = 50_000_000
# An error message is one line of at most this many characters.
MAX_REASON_CHARS = 300
DEBUG_ENV = "DRUGREPORT_DEBUG"

# Module prefix → stage name; the most specific prefix is listed first.
_STAGES = (
    ("pipeline.ingest", "read"),
    ("pipeline.extract.segment", "segment"),
    ("pipeline.extract", "extract"),
    ("pipeline.link.tables", "tables"),
    ("pipeline.link", "link"),
    ("pipeline.run.batch", "link"),  # document_to_extraction's own loop links sentences
)


def failed_stage(exc: BaseException) -> str:
    """The stage an exception came from: its own, or that of the deepest stage frame."""
    if isinstance(exc, TimeLimitExceeded):
        return exc.stage
    stage = "run"
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__", "")
        for prefix, name in _STAGES:
            if module == prefix or module.startswith(prefix + "."):
                stage = name
                break
    return stage


def reason(exc: BaseException) -> str:
    """'stage: Type: message' on one line, cut to MAX_REASON_CHARS."""
    message = " ".join(str(exc).split())
    text = f"{failed_stage(exc)}: {type(exc).__name__}" + (f": {message}" if message else "")
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


def _as_input(source: Path | InputFile) -> InputFile:
    return source if isinstance(source, InputFile) else InputFile(Path(source), Path(source).stem)


def _error_row(item: InputFile, error: str, read: Document | None) -> Document:
    """The document's error row: what reading found out (hash, format, pages), no text."""
    fmt = item.path.suffix.lower().lstrip(".")
    return Document(
        doc_id=item.doc_id,
        path=str(item.path),
        sha256=read.sha256 if read else "",
        format=read.format if read else ("txt" if fmt == "text" else fmt),
        text="",
        status="error",
        error=error,
        n_pages=read.n_pages if read else None,
        encoding=read.encoding if read else None,
    )


def guarded(
    source: Path | InputFile,
    pdf: PdfSettings | None,
    max_chars: int,
    stages: Callable[[Document], Extraction],
) -> Extraction:
    """Read `source` and run `stages` on it; any exception → the document's error row.

    A PDF's whole processing (reading, segmenting, matching, linking) runs under its
    `--pdf-time-limit`. KeyboardInterrupt is not caught: Ctrl-C still stops the run.
    """
    item = _as_input(source)
    if item.refused:
        return Extraction(_error_row(item, item.refused, None))
    pdf = pdf or PdfSettings()
    limit = pdf.time_limit_s if item.path.suffix.lower() in PDF_SUFFIXES else None
    doc: Document | None = None
    try:
        with time_limit(limit):
            doc = read_document(item.path, pdf, doc_id=item.doc_id, max_chars=max_chars)
            if doc.source_offsets:  # the map to the raw file (4 bytes a character) serves
                doc = replace(doc, source_offsets=())  # only reading: no stage needs it
            return stages(doc)
    except Exception as exc:  # the guard: one document's failure is that document's row
        if os.environ.get(DEBUG_ENV):
            traceback.print_exception(exc, file=sys.stderr)
        return Extraction(_error_row(item, reason(exc), doc))
