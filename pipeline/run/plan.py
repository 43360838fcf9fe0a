"""Plan a run before any extraction: the order of the files, duplicates, cache hits.

Files come from `find_inputs` in ascending `doc_id` (unique in the batch), the order the
writer adds documents in. Every file is hashed once here: a file whose
sha256 was seen earlier in the order is a duplicate, read once (its `documents` row
copies the first file's and names it in `warning`; it adds no other rows); a file whose
cache entry exists is not sent to an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.ingest.read import InputFile
from pipeline.output.rows import DocumentRows, document_columns
from pipeline.run.cache import ResultCache, file_sha256
from pipeline.types import Document, Extraction

DUPLICATE_PREFIX = "duplicate of "


@dataclass(frozen=True)
class Job:
    item: InputFile
    sha256: str | None  # None: not read here (refused, or unreadable: the guard says why)
    duplicate_of: InputFile | None = None  # the first file with the same bytes
    cache_key: str | None = None
    cached: bool = False

    @property
    def doc_id(self) -> str:
        return self.item.doc_id

    @property
    def path(self) -> Path:
        return self.item.path

    @property
    def to_extract(self) -> bool:
        return self.duplicate_of is None and not self.cached


def plan_jobs(items: list[InputFile], cache: ResultCache | None) -> list[Job]:
    """One job per input, in the given (doc_id) order."""
    first_of: dict[str, InputFile] = {}
    jobs = []
    for item in sorted(items, key=lambda f: (f.doc_id, str(f.path))):
        sha = None if item.refused else file_sha256(item.path)
        if sha is not None and sha in first_of:
            jobs.append(Job(item, sha, duplicate_of=first_of[sha]))
            continue
        if sha is not None:
            first_of[sha] = item
        key = cache.key(item, sha) if cache is not None and sha is not None else None
        jobs.append(Job(item, sha, cache_key=key,
                        cached=key is not None and cache is not None and cache.has(key)))
    return jobs


def duplicate_rows(job: Job, original: Document) -> DocumentRows:
    """The `documents` row of a duplicate: the first file's, under this file's id and path."""
    assert job.duplicate_of is not None
    note = (f"{DUPLICATE_PREFIX}{job.duplicate_of.doc_id}: the same bytes (sha256) as "
            f"{job.duplicate_of.path}; read once, its records are under that doc_id")
    return document_columns(Extraction(replace(original, doc_id=job.doc_id,
                                               path=str(job.path), warning=note)))


def originals_needed(jobs: list[Job]) -> set[str]:
    """doc_ids whose Document must be kept until their duplicates are written."""
    return {job.duplicate_of.doc_id for job in jobs if job.duplicate_of is not None}
