"""Document metadata given by the analyst: `extract --sources FILE.csv`.

Ingest guesses a report's title, country and year from its text, and some reports give no
year at all. A sources CSV (columns `file`, `title`, `country`, `report_year`, `url`; only
`file` is required) fills or overrides those guesses before the text is linked (so a given
country is also the default country of the report's rows), and `url` is kept in `documents`.

`file` names an input by its file name (`at-2019.txt`), by the end of its path
(`reports/at-2019.txt`) or by its doc_id (`at-2019`); when several rows fit one input, the
one naming more of its path wins. An empty cell keeps what ingest found.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from pipeline.types import Document

COLUMNS = ("file", "title", "country", "report_year", "url")
_COUNTRY = re.compile(r"[A-Z]{2}")


class SourcesError(ValueError):
    """The sources file cannot be used (the CLI makes this a usage error)."""


@dataclass(frozen=True)
class Source:
    """One row of the sources file; None where the cell is empty."""

    file: str
    line: int
    title: str | None = None
    country: str | None = None
    report_year: int | None = None
    url: str | None = None


def _cell(row: dict[str, str | None], column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return value or None


def _source(row: dict[str, str | None], line: int, where: str) -> Source:
    file = _cell(row, "file")
    if file is None:
        raise SourcesError(f"{where}:{line}: empty `file`")
    country = _cell(row, "country")
    if country is not None:
        country = country.upper()
        if not _COUNTRY.fullmatch(country):
            raise SourcesError(f"{where}:{line}: country {country!r} is not a two-letter code")
    year_text = _cell(row, "report_year")
    year = None
    if year_text is not None:
        if not re.fullmatch(r"\d{4}", year_text):
            raise SourcesError(f"{where}:{line}: report_year {year_text!r} is not a year")
        year = int(year_text)
    return Source(file.replace("\\", "/"), line, _cell(row, "title"), country, year,
                  _cell(row, "url"))


def load_sources(path: Path) -> tuple[Source, ...]:
    """Read and check a sources CSV (UTF-8, a BOM allowed); raises SourcesError."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [c.strip() for c in reader.fieldnames or []]
            reader.fieldnames = header
            if "file" not in header:
                raise SourcesError(f"{path}: no `file` column (columns: {', '.join(COLUMNS)})")
            unknown = sorted(set(header) - set(COLUMNS))
            if unknown:
                raise SourcesError(f"{path}: unknown column(s) {', '.join(unknown)} "
                                   f"(columns: {', '.join(COLUMNS)})")
            sources = tuple(_source(row, i, str(path)) for i, row in enumerate(reader, 2))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourcesError(f"cannot read {path}: {exc}") from exc
    seen: dict[str, int] = {}
    for s in sources:
        if s.file in seen:
            raise SourcesError(f"{path}:{s.line}: `{s.file}` is already on line {seen[s.file]}")
        seen[s.file] = s.line
    return sources


def _fit(source: Source, path: Path) -> int:
    """How many trailing parts of `path` the row names (0: it does not name this file)."""
    parts = PurePath(source.file).parts
    if len(parts) == 1 and path.stem == source.file:
        return 1
    return len(parts) if path.parts[-len(parts):] == parts else 0


def source_for(path: Path, sources: tuple[Source, ...]) -> Source | None:
    """The row that names this input best, if any."""
    fits = [(_fit(s, Path(path)), -s.line, s) for s in sources]
    best = max(fits, default=None, key=lambda f: (f[0], f[1]))
    return best[2] if best and best[0] > 0 else None


def apply_source(doc: Document, source: Source | None) -> Document:
    """The document with the row's non-empty cells in place of what ingest guessed."""
    if source is None:
        return doc
    given = {k: getattr(source, k) for k in ("title", "country", "report_year", "url")}
    return replace(doc, **{k: v for k, v in given.items() if v is not None})


def unmatched(sources: tuple[Source, ...], paths: list[Path]) -> list[Source]:
    """Rows that name none of the inputs (the CLI warns about them)."""
    used = {id(s) for p in paths if (s := source_for(p, sources)) is not None}
    return [s for s in sources if id(s) not in used]
