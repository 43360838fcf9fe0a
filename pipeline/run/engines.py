"""Engines: run the per-file unit of work (`path_to_extraction`) on one or many processes.

Every engine takes the files in the order the writer needs them and yields one
`DocumentRows` (the file's rows, ready for the writer) per file in that same order,
whatever the number of workers, so the tables do not depend on the engine. At most a few
tasks per worker are in flight (`_ordered`): results cannot pile up in memory when the
writer is slower than the workers.

- `serial`: in this process (one worker).
- `local`: a process pool forked after `load_rules()`, so each worker starts with the
  spaCy pipeline, matchers and vocabularies already built (copy-on-write memory).
- `dask`: the same function on a Dask cluster (`--scheduler ADDRESS`, else a
  `LocalCluster` of worker processes on this machine); results come back to the client,
  which writes the tables. Workers load the rules once, at their first task.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from pipeline.ingest.pdf import PdfSettings
from pipeline.ingest.read import InputFile
from pipeline.output.rows import DocumentRows, MentionSpill, document_columns
from pipeline.run.document import MAX_CHARS
from pipeline.types import Document, Extraction

ENGINES = ("local", "dask")
# Tasks in flight per worker: enough to keep every worker busy while the client writes.
IN_FLIGHT_PER_WORKER = 4

_rules_loaded = False


def default_workers() -> int:
    """The cores this process may use (the CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def ensure_rules() -> None:
    """Build the rules once per process (a forked worker inherits them already built)."""
    global _rules_loaded
    if not _rules_loaded:
        from pipeline.run.batch import load_rules

        load_rules()
        _rules_loaded = True


def extract_file(item: InputFile, pdf: PdfSettings | None = None,
                 max_chars: int = MAX_CHARS, sources: tuple = (),
                 spill: bool = False) -> DocumentRows:
    """The task every engine runs: rules, then the whole pipeline on one file, and its
    rows for every table built here, sorted and with ids (`document_columns`), so the
    process that writes only appends them. What is read only while extracting (the map
    back to the raw file, table cells) is not sent back. With `spill` (in the writing
    process only: the file must be readable where the rows are written), a long
    document's mention rows go to a temporary file as they are found (`MentionSpill`)."""
    from pipeline.run.batch import path_to_extraction

    ensure_rules()
    if not spill:
        return document_columns(path_to_extraction(item, pdf, max_chars, sources))
    spills: list[MentionSpill] = []

    def open_spill(doc: Document) -> MentionSpill:
        spills.append(MentionSpill(doc))
        return spills[-1]

    try:
        ext = path_to_extraction(item, pdf, max_chars, sources, spill=open_spill)
        rows = document_columns(ext)
    except BaseException:
        for opened in spills:
            opened.discard()
        raise
    for opened in spills:
        if ext.document.status == "ok":
            opened.close()
            rows.spill = opened.path
        else:  # the guard turned the document into an error row: its mentions are void
            opened.discard()
    return rows


def lost_document(item: InputFile, reason: str) -> DocumentRows:
    """An error row for a file whose worker died (killed, out of memory, crashed)."""
    fmt = item.path.suffix.lower().lstrip(".")
    return document_columns(Extraction(Document(
        doc_id=item.doc_id, path=str(item.path), sha256="",
        format="txt" if fmt == "text" else fmt, text="", status="error",
        error=f"extract: {reason}")))


def _ordered(items: Iterable[Any], submit: Callable[[Any], Any],
             result: Callable[[Any, Any], DocumentRows], window: int) -> Iterator[DocumentRows]:
    """Submit in order with at most `window` pending; yield results in submission order."""
    pending: deque[tuple[Any, Any]] = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= window:
            yield result(*pending.popleft())
    while pending:
        yield result(*pending.popleft())


Task = Callable[[InputFile], DocumentRows]  # `extract_file` with its settings bound (partial)


def serial_results(items: Iterable[InputFile], task: Task) -> Iterator[DocumentRows]:
    for item in items:
        yield task(item)


def local_results(items: Iterable[InputFile], task: Task, workers: int
                  ) -> Iterator[DocumentRows]:
    """A pool of `workers` forked processes (fork where the platform has it, so the rules
    built in this process are shared; elsewhere each worker builds them once).

    A worker that dies breaks the pool: the files in flight are retried one at a time in
    a fresh pool, and a file that kills its worker again becomes an error row."""
    if workers <= 1:
        yield from serial_results(items, task)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    ensure_rules()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        state = {"pool": pool}

        def submit(item: InputFile) -> tuple[ProcessPoolExecutor, Future[DocumentRows]]:
            current = state["pool"]
            try:
                return current, current.submit(task, item)
            except BrokenProcessPool as exc:
                failed: Future[DocumentRows] = Future()
                failed.set_exception(exc)
                return current, failed

        def result(item: InputFile, pending: tuple[ProcessPoolExecutor, Future[DocumentRows]]
                   ) -> DocumentRows:
            owner, future = pending
            try:
                return future.result()
            except BrokenProcessPool:
                if owner is state["pool"]:  # the first failure of this pool replaces it
                    owner.shutdown(wait=False, cancel_futures=True)
                    state["pool"] = ProcessPoolExecutor(workers, mp_context=context)
                return _retry_alone(item, task, context)

        try:
            yield from _ordered(items, submit, result, workers * IN_FLIGHT_PER_WORKER)
        finally:
            state["pool"].shutdown(wait=True, cancel_futures=True)


def _retry_alone(item: InputFile, task: Task, context: Any) -> DocumentRows:
    with ProcessPoolExecutor(1, mp_context=context) as alone:
        try:
            return alone.submit(task, item).result()
        except BrokenProcessPool:
            return lost_document(item, "the worker process died while reading this file "
                                       "(out of memory or a crash in a library)")


def dask_results(items: Iterable[InputFile], task: Task, workers: int,
                 scheduler: str | None) -> Iterator[DocumentRows]:
    """Tasks on a Dask cluster; without `scheduler`, a LocalCluster of `workers` processes.

    Input paths must be readable under the same names on every worker (a shared file
    system); the tables are written here, on the client."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        def submit(item: InputFile) -> Any:
            return client.submit(task, item, pure=False)

        def result(item: InputFile, future: Any) -> DocumentRows:
            return future.result()

        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        yield from _ordered(items, submit, result, n_workers * IN_FLIGHT_PER_WORKER)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def results(items: Iterable[InputFile], pdf: PdfSettings | None = None,
            max_chars: int = MAX_CHARS, engine: str = "local", workers: int = 1,
            scheduler: str | None = None, sources: tuple = ()) -> Iterator[DocumentRows]:
    """The rows of `items`, file by file in order, from the chosen engine; `sources`: the
    `extract --sources` rows, applied before linking."""
    task = partial(extract_file, pdf=pdf, max_chars=max_chars, sources=sources)
    if engine == "local" and workers <= 1:  # rows are written in this very process
        task = partial(task, spill=True)
    if engine == "dask":
        return dask_results(items, task, workers, scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    return local_results(items, task, workers)
