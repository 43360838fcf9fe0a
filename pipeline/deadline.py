"""A per-document time limit that every stage checks between units of work.

The guard (`run/document.py`) opens a `time_limit` around one document; the stages call
`check(stage)` between pages, chunks of paragraphs and sentences. A context variable, not
a signal: it works in any thread or worker process and never interrupts a library call
half-way (the units between checks are small: a page, a chunk, a sentence).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# (monotonic deadline, the limit in seconds) of the document being processed, if any.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("deadline", default=None)


class TimeLimitExceeded(Exception):
    """The document took longer than its time limit; `stage` is where it was noticed."""

    def __init__(self, stage: str, limit_s: float) -> None:
        super().__init__(f"took longer than {limit_s:g} s (raise --pdf-time-limit)")
        self.stage = stage


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Within the block, `check` raises once `seconds` have passed (None: no limit)."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds) if seconds else None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check(stage: str) -> None:
    """Raise TimeLimitExceeded when the current document is past its deadline."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise TimeLimitExceeded(stage, deadline[1])
