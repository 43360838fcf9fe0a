"""One document's rows for every base table: built, sorted and given stable ids, then encoded
as Arrow columns with the full code vocabularies as dictionaries.

Rows are plain dicts keyed by the declared column names (`tables.py`). A document's rows are
sorted on their own: every sort order starts with `doc_id`, so documents written in
ascending `doc_id` order give exactly the globally sorted table.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.output import codes
from pipeline.output.tables import BY_NAME, Table
from pipeline.types import (
    Document,
    Event,
    Extraction,
    Fact,
    Mention,
    Plan,
    Sentence,
    ServiceStatus,
)

Row = dict[str, Any]

_PROVENANCE_COLUMNS = ("start_char", "end_char", "page", "sentence", "rule")
_DOCUMENT_COLUMNS = tuple(BY_NAME["documents"].column_names)
_OWN_COLUMNS = {name: tuple(c for c in BY_NAME[name].column_names
                            if c != "id" and c not in _PROVENANCE_COLUMNS)
                for name in ("facts", "events", "plans", "services")}


def document_row(doc: Document) -> Row:
    """The `documents` row: every declared column is the `Document` attribute of its name."""
    return {name: getattr(doc, name) for name in _DOCUMENT_COLUMNS}


def _prov_row(record: Fact | Event | Plan | ServiceStatus, doc: Document) -> Row:
    """Flatten `prov`; a page the extractor left empty is looked up from the document."""
    prov = record.prov
    page = prov.page if prov.page is not None else doc.page_of(prov.start_char)
    return {
        "start_char": prov.start_char,
        "end_char": prov.end_char,
        "page": page,
        "sentence": prov.sentence,
        "rule": prov.rule,
    }


def _record_rows(name: str, records: Iterable[Fact | Event | Plan | ServiceStatus],
                 doc: Document) -> list[Row]:
    """Rows of a record table: its declared columns (after `id`, before the provenance) are
    the record's attributes of the same names, then the flattened provenance."""
    own = _OWN_COLUMNS[name]
    return [{**{c: getattr(r, c) for c in own}, **_prov_row(r, doc)} for r in records]


def _mention_rows(ext: Extraction) -> Iterator[Row]:
    """Mentions carry a sentence index; the table stores the sentence text instead. A
    generator: a long document has millions of mentions, and only their rows' values are
    kept (`table_columns`), never all their dicts at once."""
    doc = ext.document
    sentence_text = {s.index: s.text for s in ext.sentences}
    return (_mention_row(m, doc, sentence_text.get(m.sentence)) for m in ext.mentions)


def _mention_row(mention: Mention, doc: Document, sentence: str | None) -> Row:
    return {
        "doc_id": doc.doc_id,
        "country": doc.country,
        "label": mention.label,
        "text": mention.text,
        "normalised": mention.normalised,
        "start_char": mention.start,
        "end_char": mention.end,
        "page": doc.page_of(mention.start),
        "sentence": sentence,
        "rule": mention.rule,
    }


def _cell_rows(ext: Extraction) -> list[Row]:
    """Table cells; `sentence` is the cell's whole row as it stands in the document text."""
    doc = ext.document
    rows: dict[tuple[int, int], tuple[int, int]] = {}
    for c in doc.table_cells:
        a, b = rows.get((c.table, c.row), (c.start, c.end))
        rows[(c.table, c.row)] = (min(a, c.start), max(b, c.end))
    return [
        {"doc_id": doc.doc_id, "country": doc.country, "table": c.table, "row": c.row,
         "column": c.column, "text": c.text, "start_char": c.start, "end_char": c.end,
         "page": c.page, "sentence": doc.text[slice(*rows[(c.table, c.row)])],
         "rule": "pdfplumber:find_tables"}
        for c in doc.table_cells
    ]


ROW_BUILDERS: dict[str, Callable[[Extraction], Iterable[Row]]] = {
    "documents": lambda ext: [document_row(ext.document)],
    "facts": lambda ext: _record_rows("facts", ext.facts, ext.document),
    "events": lambda ext: _record_rows("events", ext.events, ext.document),
    "plans": lambda ext: _record_rows("plans", ext.plans, ext.document),
    "services": lambda ext: _record_rows("services", ext.services, ext.document),
    "mentions": _mention_rows,
    "tables": _cell_rows,
}


# --------------------------------------------------------------------------- order and ids


def _nulls_last(value: Any) -> tuple[bool, Any]:
    """Sort key part that lets None sit after every real value of a column."""
    return (value is None, 0 if value is None else value)


def _json_float(value: float) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


# What `json.dumps(..., ensure_ascii=False)` writes for each scalar type, without its
# per-call encoder set-up (ids must stay byte-identical to the JSON-based ones).
_JSON_ATOMS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: _json_float,
    type(None): lambda _: "null",
    bool: lambda v: "true" if v else "false",
}


def _json_atom(value: Any) -> str:
    try:
        return _JSON_ATOMS[type(value)](value)
    except KeyError:
        raise TypeError(f"cannot build a row id from {type(value).__name__}: {value!r}") from None


def row_id(table: Table, row: Row, occurrence: int = 0) -> str:
    """Stable id from what identifies a row; `occurrence` separates exact duplicates.
    The hashed text is the JSON list [doc_id, table, start, end, *key(, occurrence)]."""
    parts = (row["doc_id"], row["start_char"], row["end_char"], *[row[c] for c in table.key])
    return _id(table, (*parts, occurrence) if occurrence else parts)


def _id(table: Table, parts: tuple) -> str:
    """The id of (doc_id, start, end, *key(, occurrence)); the table name goes second."""
    atoms = [_JSON_ATOMS[type(p)](p) if type(p) in _JSON_ATOMS else _json_atom(p)
             for p in parts]
    atoms.insert(1, encode_basestring(table.name))
    text = "[" + ", ".join(atoms) + "]"
    return table.id_prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- one document

Columns = dict[str, list[Any]]  # column name → values, in the table's declared order


def to_columns(table: Table, rows: list[Row]) -> Columns:
    return {name: [row[name] for row in rows] for name in table.column_names}


@dataclass
class DocumentRows:
    """One document's rows of every base table, column-wise, sorted and with ids.

    This is what a worker sends back, the cache keeps and the writer appends: the process
    that writes does no per-row work but extending lists, so it does not cap the speed-up
    of more workers. `document` is the read document (for progress, failures and
    duplicates) without what no table needs (source offsets, table cells); its `text` is
    the very string of the `documents` row, so it is pickled once. `spill`: a long
    document's mention rows, in a temporary file (`MentionSpill`), that come after
    `tables["mentions"]` (then empty)."""

    document: Document
    tables: dict[str, Columns]
    spill: Path | None = None

    def count(self, name: str) -> int:
        columns = self.tables.get(name)
        return len(columns["doc_id"]) if columns else 0


class MentionSpill:
    """A long document's mention rows, written to a temporary file a chunk of sentences
    at a time (each chunk's rows sorted, with ids) rather than held until the document is
    done; the writer reads them back a chunk at a time (`spilled_columns`).

    The chunks concatenated are the document's sorted rows: every mention lies inside its
    sentence, chunks hold consecutive sentences, and rows with the same identity (hence the
    same start) are in the same chunk, so occurrence counting per chunk gives the same ids.
    Only documents without table cells are spilled (cell mentions may sit anywhere)."""

    def __init__(self, doc: Document) -> None:
        fd, name = tempfile.mkstemp(prefix="drugreport-mentions-", suffix=".pickle")
        self.path = Path(name)
        self.document = doc
        self._file = os.fdopen(fd, "wb")

    def add(self, mentions: list[Mention], sentences: list[Sentence]) -> None:
        ext = Extraction(self.document, sentences=sentences, mentions=mentions)
        columns = table_columns(BY_NAME["mentions"], _mention_rows(ext))
        pickle.dump(columns, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def spilled_columns(path: Path) -> Iterator[Columns]:
    """The chunks of a `MentionSpill`, in order; the file is removed once read."""
    try:
        with open(path, "rb") as handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    return
    finally:
        path.unlink(missing_ok=True)


def _slim(doc: Document) -> Document:
    if not (doc.table_cells or doc.table_spans or doc.page_starts or doc.source_offsets):
        return doc
    return replace(doc, table_cells=(), table_spans=(), page_starts=(), source_offsets=())


def table_columns(table: Table, rows: Iterable[Row]) -> Columns:
    """One table's rows of one document as columns: sorted, with ids where it has them.

    Each row is kept as a tuple of its values in sort order (a third of a dict's memory),
    and the tuples are sorted as they are where no column mixes None with values (None
    beside None compares equal): the same order as `sorted_rows`, without a key per row."""
    if not table.id_prefix:
        return to_columns(table, list(rows))
    order = table.sort_columns
    get = itemgetter(*order)
    values = [get(row) for row in rows]
    mixed = [i for i in range(len(order))
             if any(v[i] is None for v in values) and any(v[i] is not None for v in values)]
    if mixed:
        wrap = [i in mixed for i in range(len(order))]
        values.sort(key=lambda v: tuple([_nulls_last(x) if w else x
                                         for x, w in zip(v, wrap, strict=True)]))
    else:
        values.sort()
    where = {name: i for i, name in enumerate(order)}
    identity = itemgetter(*[where[c] for c in ("doc_id", "start_char", "end_char", *table.key)])
    ids = _ids(table, [identity(v) for v in values])
    return {name: ids if name == "id" else [v[where[name]] for v in values]
            for name in table.column_names}


def _ids(table: Table, identities: list[tuple]) -> list[str]:
    """`row_ids` from each row's (doc_id, start, end, *key) in sorted order."""
    seen: dict[str, int] = {}
    out = []
    for parts in identities:
        base = _id(table, parts)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else _id(table, (*parts, n)))
    return out


def document_columns(ext: Extraction) -> DocumentRows:
    """Every base table's rows of one document, column-wise (ISO country codes)."""
    tables = {name: table_columns(BY_NAME[name], build(ext))
              for name, build in ROW_BUILDERS.items()}
    return DocumentRows(_slim(ext.document), tables)


def document_rows(ext: Extraction) -> dict[str, list[Row]]:
    """Every base table's rows of one document as dicts: sorted, with ids (ISO codes)."""
    out = {}
    for name, columns in document_columns(ext).tables.items():
        names = list(columns)
        out[name] = [dict(zip(names, values, strict=True))
                     for values in zip(*columns.values(), strict=True)]
    return out


# --------------------------------------------------------------------------- Arrow


class Encoder:
    """Turns rows into Arrow tables of the declared schema. Code columns are dictionary
    arrays over the column's full vocabulary; a code outside it (a rule ahead of
    `data/codes.yaml`) is appended after the vocabulary rather than lost, and recorded in
    `unknown_codes`. `scheme` rewrites country codes (`--country-codes eu`) after ids and
    order were fixed on ISO codes, so both schemes give the same ids and row order."""

    def __init__(self, schema_of: Callable[[str], pa.Schema], scheme: str = "iso") -> None:
        self._schema_of = schema_of
        self.scheme = scheme
        self._country = codes.country_map(scheme)
        self.unknown_codes: dict[tuple[str, str], set[str]] = {}
        self._dictionaries: dict[str, pa.Array] = {}

    def vocabulary(self, vocab: str) -> tuple[str, ...]:
        return codes.vocabulary(vocab, self.scheme)

    def _dictionary(self, vocab: str) -> pa.Array:
        if vocab not in self._dictionaries:
            self._dictionaries[vocab] = pa.array(self.vocabulary(vocab), pa.string())
        return self._dictionaries[vocab]

    def _codes(self, table: str, column: str, vocab: str, values: list[Any]) -> pa.Array:
        """Column-wise (Arrow compute): the indices of the values in the vocabulary."""
        if vocab == "country" and self._country:
            values = [self._country.get(v, v) for v in values]
        strings = pa.array(values, pa.string())
        dictionary = self._dictionary(vocab)
        indices = pc.index_in(strings, value_set=dictionary)
        if indices.null_count != strings.null_count:  # codes outside the vocabulary
            unknown = pc.and_(pc.is_null(indices), pc.is_valid(strings))
            extra = sorted(set(pc.filter(strings, unknown).to_pylist()))
            self.unknown_codes.setdefault((table, column), set()).update(extra)
            dictionary = pa.concat_arrays([dictionary, pa.array(extra, pa.string())])
            indices = pc.index_in(strings, value_set=dictionary)
        return pa.DictionaryArray.from_arrays(indices.cast(pa.int32()), dictionary)

    def encode(self, table: Table, rows: list[Row]) -> pa.Table:
        return self.encode_columns(table, to_columns(table, rows))

    def encode_columns(self, table: Table, columns: Columns) -> pa.Table:
        schema = self._schema_of(table.name)
        arrays = []
        for column in table.columns:
            values = columns[column.name]
            if column.codes:
                arrays.append(self._codes(table.name, column.name, column.codes, values))
            else:
                arrays.append(pa.array(values, column.type))
        return pa.Table.from_arrays(arrays, schema=schema)
