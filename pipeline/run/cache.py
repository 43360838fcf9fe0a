"""Incremental runs: each document's extraction kept under `<out>/.cache/`.

A cached result is used only when everything that made it is unchanged: the file's bytes
(sha256), path and `doc_id` (both are written into its rows), the pipeline version, the
PDF settings and the rules (every vocabulary in `pipeline/data/` and the source of the
modules that read, segment, match and link). Change any rule and every entry is stale;
change one file and only its entry is. Entries are the document's ready rows (the
`DocumentRows` a worker returns: sorted, with ids, column-wise, so a warm re-run does no
per-row work), pickled and zlib-compressed, written to a temporary file and renamed, so
a killed run never leaves a half-written entry; an unreadable entry counts as a miss.
Deleting the folder is always safe: the next run re-extracts and writes the same tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import zlib
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.ingest.read import InputFile
from pipeline.output.rows import DocumentRows

CACHE_DIR = ".cache"
PACKAGE = Path(__file__).resolve().parents[1]
# What an extraction depends on besides its input file: the vocabularies and the code of
# the stages before writing. Folders are read recursively (*.py); files as they are.
RULE_SOURCES = (
    "data", "ingest", "extract", "link",
    "types.py", "vocab.py", "countries.py", "run/batch.py", "run/document.py",
)
# The entries are rows, so the code that builds rows and ids is part of their key too.
ROW_SOURCES = ("output/rows.py", "output/tables.py")
_ZLIB_LEVEL = 1  # fast; the entries are text-heavy and shrink about 5x even so


def _rule_files(sources: tuple[str, ...] = RULE_SOURCES) -> list[Path]:
    files: list[Path] = []
    for name in sources:
        path = PACKAGE / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts
                         and (name == "data" or p.suffix == ".py"))
        elif path.is_file():
            files.append(path)
    return sorted(files)


@cache
def rules_fingerprint() -> str:
    """sha256 over the pipeline version and every rule file (name and bytes)."""
    return _fingerprint(RULE_SOURCES)


@cache
def rows_fingerprint() -> str:
    """sha256 over the code that turns an extraction into rows and ids."""
    return _fingerprint(ROW_SOURCES)


def _fingerprint(sources: tuple[str, ...]) -> str:
    digest = hashlib.sha256(f"pipeline {__version__}\n".encode())
    for path in _rule_files(sources):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read (the reader then records why)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


class ResultCache:
    """Per-document results in `<out>/.cache/<salt>/`; `salt` = rules + settings.

    Only one generation of rules is kept: opening the cache removes the folders of other
    salts (results of older rules can never be used again).
    """

    def __init__(self, out_dir: Path, settings: str) -> None:
        salt = hashlib.sha256(f"{rules_fingerprint()}\n{rows_fingerprint()}\n{settings}"
                              .encode()).hexdigest()
        self.root = Path(out_dir) / CACHE_DIR
        self.dir = self.root / salt[:24]

    def prune_other_generations(self) -> None:
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry != self.dir and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)

    def key(self, item: InputFile, sha256: str) -> str:
        """The file's bytes, path and doc_id (both are written into its rows)."""
        return hashlib.sha256(f"{sha256}\n{item.path}\n{item.doc_id}".encode()).hexdigest()

    def _file(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pkl.z"

    def has(self, key: str) -> bool:
        return self._file(key).is_file()

    def load(self, key: str) -> DocumentRows | None:
        """The stored rows, or None when missing or unreadable (then re-extracted)."""
        try:
            data = self._file(key).read_bytes()
            ext = pickle.loads(zlib.decompress(data))
        except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError):
            return None
        return ext if isinstance(ext, DocumentRows) else None

    def store(self, key: str, ext: DocumentRows) -> None:
        """Write atomically (temporary file, then rename); a full disk only loses the entry."""
        final = self._file(key)
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            data = zlib.compress(pickle.dumps(ext, protocol=pickle.HIGHEST_PROTOCOL),
                                 _ZLIB_LEVEL)
            tmp.write_bytes(data)
            os.replace(tmp, final)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def worth_caching(ext: DocumentRows) -> bool:
    """Only documents read successfully are kept: an error (a time limit, a file that was
    unreadable) may pass next time, and is cheap to redo. A very long document whose
    mentions went to a temporary file (`MentionSpill`) is not kept either."""
    return ext.document.status == "ok" and ext.spill is None
