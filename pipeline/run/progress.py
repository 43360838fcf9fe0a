"""Progress of a run on stderr, and its closing summary.

On a terminal a single line is redrawn (a bar, documents done, rate and ETA) at most ten
times a second; elsewhere (a log file, CI) each document gets a plain line, as grep and
`tail -f` like them. Both are callables with the signature `run()` calls progress with.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from pipeline.output.rows import DocumentRows
from pipeline.types import Document

BAR_WIDTH = 28
REDRAW_EVERY_S = 0.1


def report_line(i: int, n: int, doc: Document, rows: DocumentRows,
                stream: TextIO | None = None) -> None:
    """`[i/n] doc_id: 3 facts, …` or `[i/n] doc_id: ERROR: reason`."""
    if doc.status == "ok":
        detail = (f"{rows.count('facts')} facts, {rows.count('events')} events, "
                  f"{rows.count('plans')} plans, {rows.count('services')} services")
    else:
        detail = f"ERROR: {doc.error}"
    if doc.warning and doc.warning.startswith("duplicate of "):
        detail = doc.warning.split(":", 1)[0]
    print(f"[{i}/{n}] {doc.doc_id}: {detail}", file=stream or sys.stderr)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """`[#######.......]  120/2000  6.1 docs/s  ETA 5:08` redrawn in place on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.drawn = 0.0
        self.errors = 0

    def __call__(self, i: int, n: int, doc: Document, rows: DocumentRows) -> None:
        self.errors += doc.status != "ok"
        now = time.perf_counter()
        if i < n and now - self.drawn < REDRAW_EVERY_S:
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-9)
        rate = i / elapsed
        eta = (n - i) / rate if rate > 0 else 0.0
        filled = BAR_WIDTH * i // max(n, 1)
        errors = f"  {self.errors} errors" if self.errors else ""
        line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {i}/{n}  {rate:,.1f} docs/s  "
                f"{'done in ' + _clock(elapsed) if i == n else 'ETA ' + _clock(eta)}{errors}")
        self.stream.write("\r" + line + "\x1b[K" + ("\n" if i == n else ""))
        self.stream.flush()


@dataclass
class RunStats:
    """What a run did, for the closing summary (`RunResult.stats`)."""

    documents: int = 0
    errors: int = 0
    duplicates: int = 0
    cached: int = 0
    elapsed_s: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        rate = self.documents / self.elapsed_s if self.elapsed_s > 0 else 0.0
        rows = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        return (f"{self.documents:,} documents ({self.errors:,} errors, {self.duplicates:,} "
                f"duplicates, {self.cached:,} from the cache) in {self.elapsed_s:.1f} s, "
                f"{rate:,.1f} documents/s\nrows: {rows}")
