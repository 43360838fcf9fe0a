"""`TableSetWriter`: stream documents' rows into Parquet row groups, publish the set at once.

    with TableSetWriter(out_dir) as writer:      # lock, writable check, stale clean-up
        for ext in extractions_in_doc_id_order:
            writer.add(ext)                      # rows buffered, flushed as row groups
        paths = writer.commit()                  # derived tables, datapackage, one switch

Memory stays flat in the number of documents: rows wait in a small buffer per table and go
to a `pyarrow.parquet.ParquetWriter` as a row group when the buffer is full. Rows and ids
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
from pipeline.output.rows import Columns, DocumentRows, Encoder, document_columns
from pipeline.output.tables import BASE_TABLES, DERIVED_TABLES, SCHEMA_VERSION, SCHEMAS, Table
from pipeline.types import Extraction

__all__ = ["OutputBusy", "TableSetWriter", "file_schema"]

# A table's buffer becomes a row group at this many rows, or at this many characters of
# document text (documents hold whole texts).
ROW_GROUP_ROWS = 16_000
ROW_GROUP_CHARS = 32_000_000
# A row group holds at most this many times ROW_GROUP_ROWS rows (one long document's rows
# are split; documents of ordinary size never reach it).
ROW_GROUP_SLICES = 4


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
        rows_limit, chars_limit = self._limits
        full = False
        for name, columns in rows.tables.items():
            buffer = self._buffers[name]
            for column, values in columns.items():
                if buffer[column]:
                    buffer[column].extend(values)
                else:  # taken over, not copied: a long document's columns are big
                    buffer[column] = values
            full = full or len(buffer["doc_id"]) >= rows_limit
        self._chars += len(rows.document.text)
        self.n_documents += 1
        if full or self._chars >= chars_limit:
            self._flush()

    def write_arrow(self, name: str, table: pa.Table) -> None:
        """Write a table built elsewhere (`extractions_to_tables`) as the set's `name`."""
        self._check_open()
        self._writers[name].write_table(table.cast(file_schema(name)))
        self.n_rows[name] += table.num_rows

    def _flush(self) -> None:
        for table in BASE_TABLES:
            columns = self._buffers[table.name]
            n = len(columns["doc_id"])
            # A long document can fill a buffer far past the limit: it is encoded and
            # written a slice at a time, so Arrow never holds all of it at once.
            step = self._limits[0] * ROW_GROUP_SLICES
            for start in range(0, n, step):
                part = columns if n <= step else {
                    name: values[start:start + step] for name, values in columns.items()}
                self._writers[table.name].write_table(self.encoder.encode_columns(table, part))
            self.n_rows[table.name] += n
            self._buffers[table.name] = _empty(table)
        self._chars = 0
        if not self._flushed_once:
            self._flushed_once = True
            publish.checkpoint("row-group")

    # ----------------------------------------------------------------- publishing

    def commit(self) -> list[Path]:
        """Finish the tables, build the derived ones and the data package, and publish the
        set in one switch; returns the paths users read (`<out>/<name>.parquet`, …)."""
        self._check_open()
        try:
            self._flush()
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
