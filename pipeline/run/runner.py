"""A run: plan the files, take their extractions from an engine in document order, hand
them to the writer, report progress and a summary.

This module imports no spaCy: a run whose files all come from the cache never loads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.pdf import PdfSettings
from pipeline.ingest.read import find_inputs
from pipeline.output.write import extractions_to_tables, write_tables
from pipeline.run.cache import ResultCache, worth_caching
from pipeline.run.document import MAX_CHARS
from pipeline.run.plan import Job, duplicate_extraction, originals_needed, plan_jobs
from pipeline.run.progress import RunStats, report_line
from pipeline.types import Document, Extraction


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and the documents that failed (not the extractions themselves: they
    are streamed to the writer, so memory does not grow with the corpus)."""

    failed: list[Document]
    written: list[Path]
    stats: RunStats


@dataclass(frozen=True)
class RunOptions:
    """How to run: engine and workers, and whether to use the result cache in `<out>/.cache/`.

    The defaults (one worker, no cache) keep library callers and tests simple; the command
    line uses every core and the cache."""

    workers: int = 1
    engine: str = "local"  # "local" (process pool) | "dask"
    scheduler: str | None = None  # Dask scheduler address; None: a LocalCluster
    cache: bool = False


def _extractions(jobs: list[Job], pdf: PdfSettings | None, max_chars: int,
                 options: RunOptions, cache: ResultCache | None, stats: RunStats
                 ) -> Iterator[Extraction]:
    """Every job's extraction in job order: cached, duplicated or fresh from the engine."""
    from pipeline.run.engines import extract_file, results

    todo = [job.item for job in jobs if job.to_extract]
    fresh = results(todo, pdf, max_chars, options.engine, options.workers,
                    options.scheduler) if todo else iter(())
    keep = originals_needed(jobs)
    originals: dict[str, Document] = {}
    for job in jobs:
        if job.duplicate_of is not None:
            ext = duplicate_extraction(job, originals[job.duplicate_of.doc_id])
            stats.duplicates += 1
        elif job.cached:
            loaded = cache.load(job.cache_key) if cache and job.cache_key else None
            ext = loaded if loaded is not None else extract_file(job.item, pdf, max_chars)
            stats.cached += loaded is not None
        else:
            ext = next(fresh)
            if cache is not None and job.cache_key and worth_caching(ext):
                cache.store(job.cache_key, ext)
        if job.doc_id in keep:
            originals[job.doc_id] = ext.document
        yield ext


def run(
    inputs: list[Path],
    out_dir: Path,
    progress: Callable[[int, int, Document, Extraction], None] | None = report_line,
    pdf: PdfSettings | None = None,
    max_chars: int = MAX_CHARS,
    follow_symlinks: bool = False,
    options: RunOptions | None = None,
) -> RunResult:
    """Extract every input file and write the tables; bad files are recorded, not fatal.
    `pdf` sets the page and time limits for PDFs (defaults: `PdfSettings()`), `max_chars`
    the longest text; links out of a folder are read only with `follow_symlinks`;
    `options` sets the engine, workers and cache. The tables do not depend on `options`."""
    started = time.perf_counter()
    options = options or RunOptions()
    items = find_inputs(inputs, follow_symlinks)
    settings = f"{pdf or PdfSettings()!r} max_chars={max_chars}"
    cache = ResultCache(out_dir, settings) if options.cache else None
    if cache is not None:
        cache.prune_other_generations()
    jobs = plan_jobs(items, cache)
    stats = RunStats(documents=len(jobs))
    extractions = []
    failed = []
    for i, ext in enumerate(_extractions(jobs, pdf, max_chars, options, cache, stats), 1):
        extractions.append(ext)
        if ext.document.status != "ok":
            failed.append(ext.document)
        if progress:
            progress(i, len(jobs), ext.document, ext)
    tables = extractions_to_tables(extractions)
    del extractions
    written = write_tables(tables, out_dir)
    stats.errors = len(failed)
    stats.rows = {name: table.num_rows for name, table in tables.items()}
    stats.elapsed_s = time.perf_counter() - started
    return RunResult(failed, written, stats)
