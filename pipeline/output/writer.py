"""`TableSetWriter`: stream documents' rows into Parquet row groups, publish the set at once.

    with TableSetWriter(out_dir) as writer:      # lock, writable check, stale clean-up
        for ext in extractions_in_doc_id_order:
            writer.add(ext)                      # rows buffered, flushed as row groups
        paths = writer.commit()                  # derived tables, datapackage, one switch

Memory stays flat in the number of documents: rows wait in a small buffer per table and go
to a `pyarrow.parquet.ParquetWriter` as a row group of ROW_GROUP_ROWS rows when the buffer
is full (`documents` also when its texts reach ROW_GROUP_CHARS). Rows and ids
are those `extractions_to_tables` gives (documents arrive in ascending `doc_id` order and
every sort order starts with `doc_id`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import __version__ as PIPELINE_VERSION
from pipeline.output import publish
from pipeline.output.datapackage import DESCRIPTOR, descriptor
from pipeline.output.publish import OutputBusy, OutputLock
from pipeline.output.rows import (
    Columns,
    DocumentRows,
    Encoder,
    document_columns,
    spilled_columns,
)
from pipeline.output.tables import (
    BASE_TABLES,
    BY_NAME,
    DERIVED_TABLES,
    SCHEMA_VERSION,
    SCHEMAS,
    Table,
)
from pipeline.types import Extraction

__all__ = ["OutputBusy", "TableSetWriter", "file_schema"]

# A table's buffer becomes a row group at this many rows, or at this many characters of
# document text (documents hold whole texts).
ROW_GROUP_ROWS = 16_000
ROW_GROUP_CHARS = 32_000_000


def file_schema(name: str) -> pa.Schema:
    """The declared schema plus the file metadata every table carries."""
    return SCHEMAS[name].with_metadata({
        b"pipeline_version": PIPELINE_VERSION.encode(),
        b"schema_version": SCHEMA_VERSION.encode(),
    })


def _empty(table: Table) -> Columns:
    return {name: [] for name in table.column_names}


class TableSetWriter:
    """Writes one set of tables into `out_dir`; see the module docstring.
    `country_codes`: `iso` (default) or `eu` (EL/UK for GR/GB in every country column)."""

    def __init__(self, out_dir: Path, *, country_codes: str = "iso",
                 row_group_rows: int = ROW_GROUP_ROWS,
                 row_group_chars: int = ROW_GROUP_CHARS) -> None:
        self.out_dir = Path(out_dir)
        self.encoder = Encoder(file_schema, country_codes)  # checks the scheme first
        self._limits = (row_group_rows, row_group_chars)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(self.out_dir, os.W_OK | os.X_OK):
            raise PermissionError(f"[Errno 13] Permission denied: '{self.out_dir}'")
        self._lock: OutputLock | None = OutputLock(self.out_dir)
        self._writers: dict[str, pq.ParquetWriter] = {}
        try:
            publish.remove_stale(self.out_dir)
            self.generation = publish.new_generation(self.out_dir)
            for table in BASE_TABLES:
                self._writers[table.name] = pq.ParquetWriter(
                    self.generation / f"{table.name}.parquet", file_schema(table.name))
        except BaseException:
            self.abort()
            raise
        self._buffers: dict[str, Columns] = {t.name: _empty(t) for t in BASE_TABLES}
        self._chars = 0
        self._last_doc_id: str | None = None
        self.n_documents = 0
        self.n_rows: dict[str, int] = {t.name: 0 for t in BASE_TABLES}
        self._flushed_once = False

    # ----------------------------------------------------------------- streaming

    def add(self, ext: Extraction) -> None:
        """Buffer one document's rows; documents must come in ascending `doc_id` order."""
        self.add_rows(document_columns(ext))

    def add_rows(self, rows: DocumentRows) -> None:
        """Buffer one document's ready rows (`document_columns`, built by a worker or read
        from the cache): only lists are extended here, no per-row work. The writer takes
        the lists of `rows` over: do not use them afterwards."""
        self._check_open()
        doc_id = rows.document.doc_id
        if self._last_doc_id is not None and doc_id < self._last_doc_id:
            raise ValueError(f"documents must be added in doc_id order: {doc_id!r} came "
                             f"after {self._last_doc_id!r}")
        self._last_doc_id = doc_id
        for name, columns in rows.tables.items():
            self._append(name, columns)
        self.n_documents += 1
        self._chars += len(rows.document.text)
        if self._chars >= self._limits[1]:
            self._write_groups("documents", whole=True)
        if rows.spill is not None:
            if rows.count("mentions"):
                raise ValueError(f"{doc_id}: spilled mentions must come alone")
            for columns in spilled_columns(rows.spill):
                self._append("mentions", columns)

    def _append(self, name: str, columns: Columns) -> None:
        buffer = self._buffers[name]
        for column, values in columns.items():
            if buffer[column]:
                buffer[column].extend(values)
            else:  # taken over, not copied: a long document's columns are big
                buffer[column] = values
        if len(buffer["doc_id"]) >= self._limits[0]:
            self._write_groups(name)

    def _write_groups(self, name: str, whole: bool = False) -> None:
        """Write the buffer of `name` as row groups of exactly ROW_GROUP_ROWS rows (all of
        it with `whole`); the rest waits. So the row groups of a table depend only on its
        rows (and, for `documents`, their text), never on how they arrived: one or many
        workers, the cache, a long document's rows in one piece or spilled in chunks give
        the same files, byte for byte, and Arrow never holds a long document at once."""
        table = BY_NAME[name]
        buffer = self._buffers[name]
        n, step = len(buffer["doc_id"]), self._limits[0]
        start = 0
        while n - start >= step or (whole and start < n):
            part = {c: values[start:start + step] for c, values in buffer.items()}
            self._writers[name].write_table(self.encoder.encode_columns(table, part))
            start += len(part["doc_id"])
            self.n_rows[name] += len(part["doc_id"])
            if not self._flushed_once:
                self._flushed_once = True
                publish.checkpoint("row-group")
        if start:
            self._buffers[name] = {c: values[start:] for c, values in buffer.items()}
        if name == "documents" and whole:
            self._chars = 0

    def write_arrow(self, name: str, table: pa.Table) -> None:
        """Write a table built elsewhere (`extractions_to_tables`) as the set's `name`."""
        self._check_open()
        self._writers[name].write_table(table.cast(file_schema(name)))
        self.n_rows[name] += table.num_rows

    # ----------------------------------------------------------------- publishing

    def commit(self) -> list[Path]:
        """Finish the tables, build the derived ones and the data package, and publish the
        set in one switch; returns the paths users read (`<out>/<name>.parquet`, …)."""
        self._check_open()
        try:
            for table in BASE_TABLES:
                self._write_groups(table.name, whole=True)
            for name in list(self._writers):
                self._writers.pop(name).close()
            publish.checkpoint("written")
            for table in DERIVED_TABLES:
                self._write_derived(table)
            self._write_descriptor()
            written = publish.publish(self.out_dir, self.generation)
        except BaseException:
            if publish.current_generation(self.out_dir) != self.generation:
                self.abort()
            else:
                self._release()
            raise
        self._release()
        return written

    def _write_derived(self, table: Table) -> None:
        assert table.derive is not None
        rows = table.derive(self.generation)
        path = self.generation / f"{table.name}.parquet"
        pq.write_table(self.encoder.encode(table, rows), path)
        self.n_rows[table.name] = len(rows)

    def _write_descriptor(self) -> None:
        unknown = {key: sorted(values) for key, values in self.encoder.unknown_codes.items()}
        text = json.dumps(descriptor(self.encoder.scheme, unknown), indent=2,
                          ensure_ascii=False)
        (self.generation / DESCRIPTOR).write_text(text + "\n", encoding="utf-8")

    def abort(self) -> None:
        """Drop the unpublished set; the previous tables stay as they were."""
        for writer in self._writers.values():
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the set is being thrown away anyway
                pass
        self._writers = {}
        generation = getattr(self, "generation", None)
        if generation is not None and publish.current_generation(self.out_dir) != generation:
            shutil.rmtree(generation, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _check_open(self) -> None:
        if self._lock is None:
            raise RuntimeError("this TableSetWriter was already committed or aborted")

    def __enter__(self) -> TableSetWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._lock is not None:
            self.abort()
