"""Table facts: a PDF table whose row header names an indicator and whose column header is
a year gives one fact per filled cell (rule `table:…`).

The row label is read with the same vocabularies as sentences (indicators.yaml noun classes
and their service mapping, services.yaml), so "Clients of drug consumption rooms" is
`dcr.clients` and "Syringes distributed" is `nsp.syringes_distributed`. A row, column or
cell that cannot be read this way gives no fact, and a NOT_A_FIGURE mention says why.
"""

from __future__ import annotations

import re

from pipeline.extract.numbers import scan
from pipeline.link.indicators import implausible, label_indicator, phrase_codes
from pipeline.types import Document, Fact, Mention, Provenance, TableCell
from pipeline.vocab import load

_YEAR_HEADER = re.compile(r"^\s*((?:19|20)\d\d)\s*$")


def cell_qualifier(prefix: str) -> str | None:
    """Qualifier of the text before a cell's figure; None when that text is not a hedge."""
    prefix = prefix.strip().lower()
    if not prefix:
        return "exact"
    symbols = load("pdf")["table_qualifier_symbols"]
    if prefix in symbols:
        return symbols[prefix]
    return phrase_codes("cues", "qualifiers").get(prefix)


def _grid(cells: list[TableCell]) -> dict[tuple[int, int], TableCell]:
    return {(c.row, c.column): c for c in cells}


def _header(grid: dict[tuple[int, int], TableCell]) -> tuple[int, dict[int, int]] | None:
    """(header row, {column: year}) of the first row that names years over the columns."""
    rows = sorted({r for r, _ in grid})
    for r in rows[:3]:
        years = {c: int(m.group(1)) for (rr, c), cell in grid.items()
                 if rr == r and c > 0 and (m := _YEAR_HEADER.match(cell.text))}
        if years:
            return r, years
    return None


def _row_text(doc: Document, row: list[TableCell]) -> str:
    return doc.text[min(c.start for c in row): max(c.end for c in row)]


def table_facts(doc: Document) -> tuple[list[Fact], list[Mention]]:
    """Facts from the document's tables, and NOT_A_FIGURE mentions for skipped cells."""
    facts: list[Fact] = []
    skipped: list[Mention] = []
    by_table: dict[int, list[TableCell]] = {}
    for cell in doc.table_cells:
        by_table.setdefault(cell.table, []).append(cell)
    empty = set(load("pdf")["table_empty_cells"])
    for cells in by_table.values():
        grid = _grid(cells)
        header = _header(grid)
        if header is None:
            continue
        head_row, years = header
        head = [grid[k] for k in sorted(grid) if k[0] == head_row]
        for r in sorted({r for r, _ in grid if r > head_row}):
            row = [grid[k] for k in sorted(grid) if k[0] == r]
            label = grid.get((r, 0))
            if label is None:
                continue
            indicator, how = label_indicator(label.text)
            for column, year in sorted(years.items()):
                cell = grid.get((r, column))
                if cell is None or cell.text.strip().lower() in empty:
                    continue
                if indicator is None:
                    skipped.append(_skip(cell, how))
                    continue
                evidence = f"{_row_text(doc, head)}\n{_row_text(doc, row)}"
                fact, reason = _cell_fact(doc, cell, indicator, year, how, evidence)
                if fact is None:
                    skipped.append(_skip(cell, reason))
                else:
                    facts.append(fact)
    return facts, skipped


def _cell_fact(doc: Document, cell: TableCell, indicator: str, year: int, how: str,
               row_text: str) -> tuple[Fact | None, str]:
    found = scan(cell.text)
    if len(found.figures) != 1:
        return None, "table cell holds no single figure"
    fig = found.figures[0]
    if cell.text[fig.end:].strip():
        return None, "table cell has text after its figure"
    qualifier = fig.qualifier or cell_qualifier(cell.text[: fig.start])
    if qualifier is None:
        return None, "table cell has text before its figure"
    if fig.unit != "count":
        return None, f"table cell is a {fig.unit} value"
    reason = implausible(indicator, fig.value)
    if reason:
        return None, reason
    start, end = cell.start + fig.start, cell.start + fig.end
    prov = Provenance(start, end, row_text, f"table:{how};year:column", page=cell.page)
    return Fact(doc.doc_id, doc.country, indicator, year, fig.value,
                "range" if fig.value_high is not None and qualifier == "exact" else qualifier,
                fig.unit, prov,
                value_high=fig.value_high), ""


def _skip(cell: TableCell, reason: str) -> Mention:
    return Mention("NOT_A_FIGURE", cell.start, cell.end, cell.text, reason, -1, "tables")
