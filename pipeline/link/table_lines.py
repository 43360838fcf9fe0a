"""Tables flattened to lines of text: a markdown or copied web table ("Label | cell | cell"),
or columns set apart by tabs or runs of spaces, in a text document.

A sentence reader cannot read such a block: a line holds one label and a figure per column,
and the column says whose figure it is. So a block whose header names countries (or years)
over its columns is read here instead, and its lines are kept out of the sentences
(`spans`). Each filled cell under a row label that names an indicator (the same
vocabularies as sentences and PDF tables, `link/indicators.py`) is a fact of the column's
country; its year is the one stated in the cell ("812 (end 2021)", "430 (September 2022)"),
else the column's, else the label's, else none. A bracketed note that restates the figure at
another date ("27 432 (December 2022) [20 331 in February 2022]") is a fact of its own; a
bracketed reference number ("(2022)[38]") is not. Patterns are in `data/table_lines.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.countries import EU_CODE, find_countries
from pipeline.extract.numbers import Figure, scan
from pipeline.link.indicators import implausible, label_indicator, label_services
from pipeline.link.tables import cell_qualifier
from pipeline.types import Document, Fact, Mention, Provenance, ServiceStatus
from pipeline.vocab import load, phrases_regex

_LINE = re.compile(r"[^\n]+")
_SEPARATOR = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")
_SPACED_GAP = re.compile(r"\t+|\s{2,}")
_YEAR_CELL = re.compile(r"(?:19|20)\d\d")
_REFERENCE = re.compile(r"\s*(?:\[\d{1,3}\]|\(\d{1,3}\))\s*$")
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_BARE_NUMBER = re.compile(r"\s*\d{1,3}\s*")


@dataclass(frozen=True)
class LineCell:
    """One cell of a flattened table; `start`/`end` locate its stripped text in the text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Column:
    """What a header cell says about the cells under it."""

    index: int  # cell index in the data rows
    country: str | None
    year: int | None


@dataclass(frozen=True)
class LineTable:
    """A block of table lines with a header naming countries or years over its columns."""

    rows: tuple[tuple[LineCell, ...], ...]  # every row of the block, separators left out
    header: int  # index in `rows` of the header row
    columns: tuple[Column, ...]
    span: tuple[int, int]  # the whole block in the document text

    def row_text(self, text: str, row: tuple[LineCell, ...]) -> str:
        return text[row[0].start : row[-1].end]


def _cells(line: str, base: int, parts: Iterator[re.Match[str]]) -> list[LineCell]:
    """Cells between the separators `parts` of a line (offsets absolute, text stripped)."""
    cells, pos = [], 0
    bounds = [(m.start(), m.end()) for m in parts] + [(len(line), len(line))]
    for s, e in bounds:
        raw = line[pos:s]
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        cells.append(LineCell(base + pos + lead, base + pos + lead + len(stripped), stripped))
        pos = e
    return cells


def _split(line: str, base: int) -> tuple[str, list[LineCell]] | None:
    """('pipe' | 'spaced', cells) of a line that holds at least two cells, else None."""
    if "|" in line:
        cells = _cells(line, base, re.finditer(r"\|", line))
        if line.lstrip().startswith("|"):
            cells = cells[1:]
        if line.rstrip().endswith("|"):
            cells = cells[:-1]
        return ("pipe", cells) if len(cells) >= 2 else None
    body = line.strip()
    if not body:
        return None
    lead = line.index(body[0])
    cells = _cells(body, base + lead, _SPACED_GAP.finditer(body))
    return ("spaced", cells) if len(cells) >= 2 else None


def _blocks(text: str, skip: tuple[tuple[int, int], ...]) -> list[list[list[LineCell]]]:
    """Runs of consecutive table lines of one kind (separator rows dropped)."""
    blocks: list[list[list[LineCell]]] = []
    current: list[list[LineCell]] = []
    kind = None
    end = -1
    for m in _LINE.finditer(text):
        line, base = m.group(), m.start()
        if any(base < b and a < m.end() for a, b in skip):
            split = None  # a PDF table's own row: read from its cells (link/tables.py)
        elif _SEPARATOR.fullmatch(line) and current and kind == "pipe":
            end = m.end()
            continue
        else:
            split = _split(line, base)
        adjacent = current and text[end:base].count("\n") <= 1
        if split is not None and adjacent and split[0] == kind:
            current.append(split[1])
        else:
            if current:
                blocks.append(current)
            current, kind = ([split[1]], split[0]) if split else ([], None)
        end = m.end()
    if current:
        blocks.append(current)
    return [b for b in blocks if len(b) >= load("table_lines")["min_rows"]]


def _header_key(cell: str) -> tuple[str | None, int | None] | None:
    """(country, year) a header cell names as a whole, or None."""
    marks = "".join(load("table_lines")["header_marks"])
    name = _REFERENCE.sub("", cell).strip().strip(marks).strip()
    if _YEAR_CELL.fullmatch(name):
        return None, int(name)
    found = find_countries(name)
    if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(name):
        return found[0][2], None
    return None


def _header(rows: list[list[LineCell]]) -> tuple[int, tuple[Column, ...]] | None:
    """(header row, columns) of the first row that names countries or years over columns."""
    vocab = load("table_lines")
    for r, row in enumerate(rows[: vocab["header_rows"]]):
        keys = {i: k for i, c in enumerate(row) if (k := _header_key(c.text))}
        if len(keys) < vocab["min_header_columns"]:
            continue
        # "Belarus | Moldova | …" over "Label | cell | cell | …": the header has no cell
        # for the label column, so its i-th cell stands over the data rows' (i+1)-th.
        shift = 1 if 0 in keys else 0
        return r, tuple(Column(i + shift, c, y) for i, (c, y) in sorted(keys.items()))
    return None


def find_tables(doc: Document) -> list[LineTable]:
    """The document's flattened tables that have a country or year header."""
    if "|" not in doc.text and "\t" not in doc.text and "  " not in doc.text:
        return []
    out = []
    for rows in _blocks(doc.text, doc.table_spans):
        header = _header(rows)
        if header is None:
            continue
        span = (rows[0][0].start, rows[-1][-1].end)
        out.append(LineTable(tuple(tuple(r) for r in rows), header[0], header[1], span))
    return out


def spans(tables: list[LineTable]) -> tuple[tuple[int, int], ...]:
    """Text spans the sentence reader must skip: the tables read here."""
    return tuple(t.span for t in tables)


@dataclass(frozen=True)
class _Read:
    """A figure read from a cell part: value, hedge, upper bound and the year it states."""

    fig: Figure
    qualifier: str
    value_high: float | None
    year: int | None


def _parts(cell: LineCell) -> list[tuple[int, str]]:
    """(offset in the cell, text) of the cell outside brackets, then of each bracketed note
    that states a figure (not a reference number such as "[38]")."""
    main = _BRACKETED.sub(lambda m: " " * len(m.group()), cell.text)
    notes = [(m.start(1), m.group(1)) for m in _BRACKETED.finditer(cell.text)
             if not _BARE_NUMBER.fullmatch(m.group(1))]
    return [(0, main), *notes]


def _read(text: str) -> tuple[_Read | None, str]:
    """The figure a cell part states (its first), or None and why."""
    found = scan(text)
    if not found.figures:
        return None, "table cell holds no figure"
    fig = found.figures[0]
    qualifier = fig.qualifier or cell_qualifier(text[: fig.start])
    if qualifier is None:
        return None, "table cell has text before its figure"
    if fig.unit != "count":
        return None, f"table cell is a {fig.unit} value"
    high = fig.value_high
    joiners = phrases_regex(tuple(load("table_lines")["range_joiners"]), before=r"^\s*",
                            after=r"\s*$")
    if high is None and len(found.figures) > 1:
        nxt = found.figures[1]
        if joiners.match(text[fig.end : nxt.start]) and nxt.value > fig.value:
            high = nxt.value  # "73 800 and 87 000 people"
    if high is not None and qualifier == "exact":
        qualifier = "range"
    years = {t.year for t in found.times if t.kind != "citation"}
    return _Read(fig, qualifier, high, years.pop() if len(years) == 1 else None), ""


def _label_year(label: str) -> int | None:
    years = {t.year for t in scan(label).times if t.kind != "citation"}
    return years.pop() if len(years) == 1 else None


def _filled(cell: LineCell) -> bool:
    empty = set(load("pdf")["table_empty_cells"])
    return cell.text.strip().lower() not in empty


def _data_rows(table: LineTable) -> Iterator[tuple[tuple[LineCell, ...], str]]:
    for row in table.rows[table.header + 1 :]:
        if row and row[0].text:
            yield row, row[0].text


def table_facts(doc: Document, tables: list[LineTable]) -> tuple[list[Fact], list[Mention]]:
    """Facts of every filled cell under an indicator label, and NOT_A_FIGURE mentions for
    the cells that hold a figure no fact was made of (with the reason)."""
    facts: list[Fact] = []
    skipped: list[Mention] = []
    for table in tables:
        head = table.row_text(doc.text, table.rows[table.header])
        for row, label in _data_rows(table):
            indicator, how = label_indicator(label)
            label_year = _label_year(label)
            evidence = f"{head}\n{table.row_text(doc.text, row)}"
            for col in table.columns:
                if col.index >= len(row) or not _filled(row[col.index]):
                    continue
                cell = row[col.index]
                for offset, text in _parts(cell):
                    read, reason = _read(text) if indicator else (None, how)
                    if read is None:
                        if scan(text).figures:
                            skipped.append(Mention("NOT_A_FIGURE", cell.start, cell.end,
                                                   cell.text, reason, -1, "table_lines"))
                        continue
                    value = read.fig.value
                    problem = implausible(indicator, value)
                    if problem:
                        skipped.append(Mention("NOT_A_FIGURE", cell.start, cell.end,
                                               cell.text, problem, -1, "table_lines"))
                        continue
                    year, year_rule = read.year, "cell"
                    if year is None:
                        year, year_rule = (col.year, "column") if col.year else (
                            label_year, "label" if label_year else "none")
                    start = cell.start + offset + read.fig.start
                    end = cell.start + offset + read.fig.end
                    rule = f"table_line:{how};year:{year_rule}"
                    facts.append(Fact(doc.doc_id, col.country or doc.country, indicator, year,
                                      value, read.qualifier, read.fig.unit,
                                      Provenance(start, end, evidence, rule),
                                      value_high=read.value_high))
    return facts, skipped


def table_services(doc: Document, tables: list[LineTable]) -> list[ServiceStatus]:
    """A row label naming a service over a filled, not negative cell: the service is
    available in the column's country ("Number of OAT clients | 812 | 430")."""
    negative = {c.lower() for c in load("table_lines")["negative_cells"]}
    rows: dict[tuple[str | None, str], ServiceStatus] = {}
    for table in tables:
        for row, label in _data_rows(table):
            codes = label_services(label)
            for col in table.columns:
                if col.index >= len(row) or not _filled(row[col.index]):
                    continue
                cell = row[col.index]
                country = col.country or doc.country
                if cell.text.strip().lower() in negative or country == EU_CODE:
                    continue
                for code in codes:
                    prov = Provenance(cell.start, cell.end, table.row_text(doc.text, row),
                                      "service:available:table")
                    rows.setdefault((country, code),
                                    ServiceStatus(doc.doc_id, country, code, "available", prov))
    return list(rows.values())


def add_services(found: list[ServiceStatus], more: list[ServiceStatus]) -> list[ServiceStatus]:
    """`found` plus the rows of `more` whose country, service and status it lacks."""
    have = {(s.country, s.service, s.status) for s in found}
    return found + [s for s in more if (s.country, s.service, s.status) not in have]
