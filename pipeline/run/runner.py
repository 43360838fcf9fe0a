"""A run: plan the files, take their rows from an engine in document order, hand
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
from pipeline.output.rows import DocumentRows
from pipeline.output.writer import TableSetWriter
from pipeline.run.cache import ResultCache, worth_caching
from pipeline.run.document import MAX_CHARS
from pipeline.run.plan import Job, duplicate_rows, originals_needed, plan_jobs
from pipeline.run.progress import RunStats, report_line
from pipeline.types import Document


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and the documents that failed (not the rows themselves: they
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
    country_codes: str = "iso"  # "iso" | "eu" (EL/UK for GR/GB in every country column)


def _document_rows(jobs: list[Job], pdf: PdfSettings | None, max_chars: int,
                   options: RunOptions, cache: ResultCache | None, stats: RunStats,
                   sources: tuple = ()) -> Iterator[DocumentRows]:
    """Every job's rows in job order: cached, duplicated or fresh from the engine."""
    from pipeline.run.engines import extract_file, results

    todo = [job.item for job in jobs if job.to_extract]
    # No pool for a single file: it would only hold a second copy of its rows in transit.
    workers = min(options.workers, len(todo)) if options.engine == "local" else options.workers
    fresh = results(todo, pdf, max_chars, options.engine, workers,
                    options.scheduler, sources) if todo else iter(())
    keep = originals_needed(jobs)
    originals: dict[str, Document] = {}
    for job in jobs:
        if job.duplicate_of is not None:
            ext = duplicate_rows(job, originals[job.duplicate_of.doc_id])
            stats.duplicates += 1
        elif job.cached:
            loaded = cache.load(job.cache_key) if cache and job.cache_key else None
            ext = loaded if loaded is not None else extract_file(job.item, pdf, max_chars,
                                                                 sources)
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
    progress: Callable[[int, int, Document, DocumentRows], None] | None = report_line,
    pdf: PdfSettings | None = None,
    max_chars: int = MAX_CHARS,
    follow_symlinks: bool = False,
    options: RunOptions | None = None,
    sources: tuple = (),
) -> RunResult:
    """Extract every input file and write the tables; bad files are recorded, not fatal.
    `pdf` sets the page and time limits for PDFs (defaults: `PdfSettings()`), `max_chars`
    the longest text; links out of a folder are read only with `follow_symlinks`;
    `options` sets the engine, workers, cache and country codes (the tables do not depend
    on the engine, workers or cache); `sources` are the `extract --sources` rows. The
    output folder is locked and checked writable before any file is read; rows
    stream to the writer in `doc_id` order and the new set is published at once."""
    started = time.perf_counter()
    options = options or RunOptions()
    with TableSetWriter(out_dir, country_codes=options.country_codes) as writer:
        items = find_inputs(inputs, follow_symlinks)
        settings = f"{pdf or PdfSettings()!r} max_chars={max_chars} sources={sources!r}"
        cache = ResultCache(out_dir, settings) if options.cache else None
        if cache is not None:
            cache.prune_other_generations()
        jobs = plan_jobs(items, cache)
        stats = RunStats(documents=len(jobs))
        failed = []
        for i, ext in enumerate(_document_rows(jobs, pdf, max_chars, options, cache, stats,
                                               sources), 1):
            writer.add_rows(ext)
            if ext.document.status != "ok":
                failed.append(ext.document)
            if progress:
                progress(i, len(jobs), ext.document, ext)
        written = writer.commit()
    stats.errors = len(failed)
    stats.rows = dict(writer.n_rows)
    stats.elapsed_s = time.perf_counter() - started
    return RunResult(failed, written, stats)
