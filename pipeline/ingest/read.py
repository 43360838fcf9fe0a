"""Ingest stage: find input files, read them (text or PDF) into normalised `Document`s.

Reading never raises for bad input: a file that cannot be used becomes a Document with
status "error" and a human-readable reason, so one bad file never stops a batch.
Every later offset points into `Document.text`; `source_offsets` maps each of its characters
back to the raw decoded source, so normalisation never loses provenance.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.countries import country_names, country_vote
from pipeline.ingest.pdf import PdfError, PdfSettings, PdfText, read_pdf
from pipeline.ingest.pdf_layout import dehyphenate, hyphenated_forms
from pipeline.types import Document, TableCell
from pipeline.vocab import load

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DOC_TYPES_FILE = DATA_DIR / "doc_types.yaml"

TEXT_SUFFIXES = frozenset({".txt", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
INPUT_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES

TITLE_MAX_CHARS = 200
# Share of control bytes above which a ".txt" file is taken as binary.
MAX_CONTROL_SHARE = 0.05
# Heading lines: the first few non-empty lines, when short, carry the title/doc-type words.
HEADING_LINES = 5
HEADING_MAX_CHARS = 150

YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20[0-3]\d)(?!\d)")
REPORT_YEAR_RE = re.compile(r"\bReport\s+(19[89]\d|20[0-3]\d)(?!\d)", re.IGNORECASE)


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class InputFile:
    """A file to read, its `doc_id` (unique in the batch) and, when it must not be read, why."""

    path: Path
    doc_id: str
    refused: str | None = None


def _wanted(name: str) -> bool:
    """A file name found while walking a folder that the pipeline should read."""
    return (not name.startswith(".") and not name.upper().startswith("README")
            and Path(name).suffix.lower() in INPUT_SUFFIXES)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk(root: Path, follow_symlinks: bool) -> Iterator[tuple[Path, str | None]]:
    """(file, reason it is refused or None) under `root`, hidden folders skipped. Links to
    folders are followed only with `follow_symlinks`, each real folder once (no loops);
    a file link that leaves `root` is refused unless `follow_symlinks`."""
    real_root = os.path.realpath(root)
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=follow_symlinks):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not _wanted(name):
                continue
            path = Path(folder, name)
            target = os.path.realpath(path)
            if not os.path.isfile(target):
                if os.path.islink(path):
                    yield path, "broken or looping symbolic link"
                continue
            if not follow_symlinks and not _inside(target, real_root):
                yield path, (f"symbolic link to a file outside {root} ({target}); not read "
                             "(--follow-symlinks reads it)")
            else:
                yield path, None


def find_inputs(paths: list[Path], follow_symlinks: bool = False) -> list[InputFile]:
    """Files to read with their unique doc_ids, in doc_id order: files as given, folders
    walked recursively (see `_walk`); a file found twice is read once.

    Raises FileNotFoundError for a path that does not exist (the CLI makes it a usage error).
    """
    found: dict[Path, tuple[str, str | None]] = {}  # path -> (path relative to its root, refused)
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"input not found: {path}")
        if path.is_dir():
            for file, refused in _walk(path, follow_symlinks):
                found.setdefault(file, (file.relative_to(path).as_posix(), refused))
        else:
            found.setdefault(path, (path.name, None))
    ids = unique_doc_ids({p: rel for p, (rel, _) in found.items()})
    return sorted((InputFile(p, ids[p], refused) for p, (_, refused) in found.items()),
                  key=lambda f: (f.doc_id, str(f.path)))


def unique_doc_ids(relative: dict[Path, str]) -> dict[Path, str]:
    """A doc_id per file, unique in the batch and stable across runs: the file name without
    extension when no other file has that stem (the gold files use these ids); where stems
    collide, the file name with extension ("report.txt", "report.pdf"); where those collide
    too, the path relative to the folder given ("a/report.txt"), then the path as given.
    Every file of a colliding group moves to the longer form, so no file wins by order."""
    forms = [
        lambda p: p.stem,
        lambda p: p.name,
        lambda p: relative[p],
        lambda p: p.as_posix(),
    ]
    ids: dict[Path, str] = {}
    left = sorted(relative)
    for form in forms:
        counts = Counter(form(p) for p in left)
        taken = set(ids.values())
        for p in left:
            if counts[form(p)] == 1 and form(p) not in taken:
                ids[p] = form(p)
        left = [p for p in left if p not in ids]
    for n, p in enumerate(left, 2):  # the same path given twice in two spellings
        ids[p] = f"{p.as_posix()}#{n}"
    return ids


def discover_inputs(paths: list[Path], follow_symlinks: bool = False) -> list[Path]:
    """Files to read (see `find_inputs`), sorted by path."""
    return sorted(f.path for f in find_inputs(paths, follow_symlinks))


# --------------------------------------------------------------------------- normalisation

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
}
# Soft hyphen, zero-width space/joiners, word joiner, BOM (zero-width no-break space).
_REMOVED = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n", "\u0085": "\n"}
# Unicode "Zs" spaces other than the plain space (NBSP, narrow NBSP, thin, figure, em ...).
_SPACES = "\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u202f\u205f\u3000"


@cache
def _char_map() -> dict[str, str]:
    """Single-character replacements applied after NFC ('' removes the character)."""
    table: dict[str, str] = {**_LIGATURES, **_QUOTES, **_LINE_BREAKS}
    table.update(dict.fromkeys(_SPACES, " "))
    table.update(dict.fromkeys(_REMOVED, ""))
    return table


_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# What needs work: line breaks with CR, a character followed by combining marks (NFC may
# compose them), or any single non-ASCII character. Plain ASCII runs are copied in bulk.
_SPECIAL_RE = re.compile(rf"\r\n?|(?s:.)[{_COMBINING}]+|[^\x00-\x7f]")
# The same for a text without combining marks (most): the middle branch, tried at every
# position, can never match there.
_HAS_COMBINING = re.compile(rf"[{_COMBINING}]")
_SPECIAL_NO_COMBINING_RE = re.compile(r"\r\n?|[^\x00-\x7f]")


def _normalise_piece(piece: str) -> str:
    """NFC a cluster, then apply the single-character table."""
    if piece[0] == "\r":
        return "\n"
    table = _char_map()
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFC", piece))


def normalise_text(raw: str) -> tuple[str, array[int]]:
    """Normalised text and, per output character, the offset of the raw character it came from.

    Length-faithful except where a character expands (ligatures), is removed (soft hyphen,
    zero-width, BOM, a footnote marker glued to the text) or merges (CRLF, NFC composition);
    runs of spaces are kept. The offsets are a compact array (4 bytes a character, not a
    Python int each), so memory stays small for long reports.
    """
    out: list[str] = []
    offsets: array[int] = array("i")
    pos = 0
    special = _SPECIAL_RE if _HAS_COMBINING.search(raw) else _SPECIAL_NO_COMBINING_RE
    for m in special.finditer(raw):
        if m.start() > pos:
            out.append(raw[pos : m.start()])
            offsets.extend(range(pos, m.start()))
        replacement = _normalise_piece(m.group())
        out.append(replacement)
        offsets.extend([m.start()] * len(replacement))
        pos = m.end()
    out.append(raw[pos:])
    offsets.extend(range(pos, len(raw)))
    text, kept = strip_footnote_markers("".join(out))
    if kept is not None:
        offsets = array("i", (offsets[i] for i in kept))
    return text, offsets


# A word broken by a hyphen at a line end ("avail-\nable") or, in PDF-to-text transcripts,
# before a space ("drug- related"); not "pre- and post-test".
_BROKEN_WORD = re.compile(
    r"(?<![\w-])([A-Za-z]+)-(?:[ \t]*\n[ \t]*|[ ](?!(?:and|or|nor|to)\b))([a-z]+)"
)


def rejoin_broken_words(text: str) -> tuple[str, array[int] | None]:
    """Text with words broken by a hyphen re-joined (the hyphen kept where the document
    writes the word with one, or the first part starts compounds: see pdf.dehyphenate),
    and per output character its offset in `text` (None when nothing was re-joined)."""
    # A hyphen before a blank or line break is a necessary condition (a cheap pre-check).
    if not any(gap in text for gap in ("-\n", "- ", "-\t")) or not _BROKEN_WORD.search(text):
        return text, None
    seen = hyphenated_forms(text)
    out: list[str] = []
    offsets: array[int] = array("i")
    pos = 0
    for m in _BROKEN_WORD.finditer(text):
        joined = dehyphenate(m.group(1), m.group(2), seen)
        out.append(text[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        out.append(joined)
        offsets.extend(range(m.start(1), m.end(1)))
        if len(joined) > len(m.group(1)) + len(m.group(2)):
            offsets.append(m.end(1))  # the kept hyphen
        offsets.extend(range(m.start(2), m.end(2)))
        pos = m.end()
    out.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    return "".join(out), offsets


@cache
def _footnote_rules() -> tuple[re.Pattern[str], frozenset[str]]:
    """The footnote-marker patterns of `footnotes.yaml` as one regex, and the words a marker
    never follows (abbreviations that carry a number: "art.5", and `words_kept`)."""
    rules = load("footnotes")
    # Every marker starts with a digit or a bracket: checked first, the lookbehinds of the
    # patterns run only there (eight times faster on report text).
    pattern = re.compile(r"(?=[\d⁰¹²³⁴⁵⁶⁷⁸⁹\[])(?:"
                         + "|".join(f"(?:{p})" for p in rules["patterns"].values()) + ")")
    kept = {w.rstrip(".").lower() for w in load("segment")["abbreviations"]}
    return pattern, frozenset(kept | {w.lower() for w in rules["words_kept"]})


_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?$")


def strip_footnote_markers(text: str) -> tuple[str, array[int] | None]:
    """Text without footnote markers glued to it ("people.1 The", "clients2 in", "syringes¹",
    "services.[12]"), and per output character its offset in `text` (None when there were
    none): a marker is no figure and hides no sentence end."""
    pattern, kept_words = _footnote_rules()
    out: list[str] = []
    offsets: array[int] = array("i")
    pos = 0
    for m in pattern.finditer(text):
        word = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if word and word.group(1).lower() in kept_words and not m.group().startswith("["):
            continue  # "art.5", "covid19"
        out.append(text[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        pos = m.end()
    if not pos:
        return text, None
    out.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    return "".join(out), offsets


# --------------------------------------------------------------------------- decoding


# Control bytes other than tab, line feed, form feed and carriage return, and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes: an image, archive or office file renamed to .txt."""
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C
    return controls > MAX_CONTROL_SHARE * len(sample)


def _detect_encoding(data: bytes) -> str | None:
    """charset_normalizer's guess, preferring cp1252 when it fits the bytes as well.

    On short Western European texts the detector often ties cp1252 with cp1250 and returns
    the latter, which turns "não" into "năo"; cp1252 is the likelier source for this corpus.
    """
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"
    for match in results:
        if (
            match.encoding == "cp1252"
            and match.chaos <= best.chaos
            and match.coherence >= best.coherence
        ):
            return "cp1252"
    return best.encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding): strict UTF-8 (BOM-aware), then detection, then cp1252, then latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    candidates = [_detect_encoding(data), "cp1252"]
    for encoding in candidates:
        if encoding is None:
            continue
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


# --------------------------------------------------------------------------- readers


class InputError(Exception):
    """A reason why a file cannot be used; becomes Document.error."""


def _read_text(data: bytes) -> tuple[str, str]:
    """(raw decoded text, encoding) of a text file's bytes, or InputError."""
    if not data:
        raise InputError("empty file")
    is_utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not is_utf16 and _looks_binary(data):
        raise InputError("binary content, not text")
    return decode_bytes(data)


def _to_normalised(raw_offsets: Iterable[int], source_offsets: Sequence[int]) -> tuple[int, ...]:
    """Raw offsets → offsets in the normalised text (first character at or after each)."""
    return tuple(bisect_left(source_offsets, off) for off in raw_offsets)


# --------------------------------------------------------------------------- metadata


@cache
def _doc_type_rules() -> tuple[list[tuple[str, re.Pattern[str]]], str]:
    """(code, keyword regex) in priority order, and the default code, from doc_types.yaml."""
    with DOC_TYPES_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    rules = []
    for entry in data["doc_types"]:
        words = "|".join(r"\s+".join(map(re.escape, k.split())) for k in entry["keywords"])
        rules.append((str(entry["code"]), re.compile(rf"\b(?:{words})\b", re.IGNORECASE)))
    return rules, str(data["default"])


def _non_empty_lines(text: str, limit: int) -> list[str]:
    lines = []
    for line in text.split("\n"):
        if line.strip():
            lines.append(line.strip())
            if len(lines) == limit:
                break
    return lines


def heading_lines(text: str) -> list[str]:
    """The short lines among the first non-empty ones: where a title and its subtitle live."""
    return [ln for ln in _non_empty_lines(text, HEADING_LINES) if len(ln) <= HEADING_MAX_CHARS]


def extract_title(text: str) -> str | None:
    """First non-empty line, without surrounding quotes, cut to 200 chars at a word boundary."""
    lines = _non_empty_lines(text, 1)
    if not lines:
        return None
    title = lines[0].strip().strip("\"'").strip()
    if len(title) > TITLE_MAX_CHARS:
        cut = title[:TITLE_MAX_CHARS]
        title = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return title or None


def extract_report_year(title: str | None, text: str = "") -> int | None:
    """Publication year from the title: the year after "Report", else its first year.

    A title split over lines ("Italy" / "Country Drug Report 2017") is completed from the
    "Report <year>" of a heading line. A strategy titled with its period ("… 2019-2027")
    is dated by the year it starts, not by the end of the period it plans for.
    """
    if title:
        after_report = REPORT_YEAR_RE.search(title)
        if after_report:
            return int(after_report.group(1))
        years = [int(y) for y in YEAR_RE.findall(title)]
        if years:
            return years[0]
    for line in heading_lines(text):
        after_report = REPORT_YEAR_RE.search(line)
        if after_report:
            return int(after_report.group(1))
    return None


def extract_doc_type(title: str | None, text: str = "") -> str:
    """Document type code by keyword: the title decides first, then the other heading lines."""
    rules, default = _doc_type_rules()
    places = ([title] if title else []) + heading_lines(text)
    for place in places:
        for code, regex in rules:
            if regex.search(place):
                return code
    return default


def title_is_heading(text: str) -> bool:
    """Whether the first line is a real title and not the first paragraph of a bare excerpt.

    Only a heading's years and keywords describe the document: a paragraph that opens with
    "... the current National Strategy 2017-24 ..." is no strategy published in 2017.
    """
    lines = _non_empty_lines(text, 1)
    return bool(lines) and len(lines[0]) <= HEADING_MAX_CHARS


def country_from_name(doc_id: str) -> str | None:
    """'pt-cdr-2018-harm-reduction' → PT: the common file-naming convention, used only when
    the text names no country."""
    m = re.match(r"([a-z]{2})[-_]", doc_id, re.IGNORECASE)
    if m and country_names(m.group(1).upper()):
        return m.group(1).upper()
    return None


def with_metadata(doc: Document) -> Document:
    """Fill title, country, report_year and doc_type from the normalised text."""
    title = extract_title(doc.text)
    heading = title if title_is_heading(doc.text) else None
    return replace(
        doc,
        title=title,
        country=country_vote(doc.text, title) or country_from_name(doc.doc_id),
        report_year=extract_report_year(heading, doc.text),
        doc_type=extract_doc_type(heading, doc.text),
    )


# --------------------------------------------------------------------------- entry point


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    return "txt" if fmt == "text" else fmt


def _error(path: Path, doc_id: str, fmt: str, sha: str, reason: str,
           **extra: Any) -> Document:
    return Document(
        doc_id=doc_id,
        path=str(path),
        sha256=sha,
        format=fmt,
        text="",
        status="error",
        error=reason,
        **extra,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError("not a file (a directory)") from exc
    except FileNotFoundError as exc:
        raise InputError("file not found") from exc
    except PermissionError as exc:
        raise InputError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from exc


def _check_size(path: Path, max_chars: int | None) -> None:
    """Refuse a text file that must hold more than `max_chars` characters before reading
    it: a character takes at most 4 bytes, whatever the encoding."""
    if max_chars is None or path.suffix.lower() not in TEXT_SUFFIXES:
        return
    try:
        size = path.stat().st_size
    except OSError:
        return  # _read_bytes gives the reason
    if size > 4 * max_chars:
        raise InputError(f"file of {size:,} bytes holds more than the limit of {max_chars:,} "
                         "characters (--max-chars)".replace(",", " "))


def read_document(path: Path, pdf_settings: PdfSettings | None = None,
                  doc_id: str | None = None, max_chars: int | None = None) -> Document:
    """Read one input file into a normalised Document; never raises for bad input.
    `doc_id` defaults to the file name without extension; a text longer than `max_chars`
    characters is an error."""
    path = Path(path)
    doc_id = path.stem if doc_id is None else doc_id
    fmt = _format_of(path)
    sha = ""
    encoding: str | None = None
    n_pages: int | None = None
    try:
        _check_size(path, max_chars)
        data = _read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        suffix = path.suffix.lower()
        pdf: PdfText | None = None
        if suffix in TEXT_SUFFIXES:
            raw, encoding = _read_text(data)
        elif suffix in PDF_SUFFIXES:
            if not data:
                raise InputError("empty file")
            try:
                pdf = read_pdf(path, pdf_settings)
            except PdfError as exc:
                raise InputError(str(exc)) from exc
            n_pages, raw = pdf.n_pages, pdf.text
        else:
            raise InputError(f"unsupported file type: {suffix or '(no extension)'}")
        del data
        if max_chars is not None and len(raw) > max_chars:
            raise InputError(f"text of {len(raw):,} characters is longer than the limit of "
                             f"{max_chars:,} (--max-chars)".replace(",", " "))
        text, offsets = normalise_text(raw)
        del raw
        text, kept = rejoin_broken_words(text)
        if kept is not None:
            offsets = array("i", (offsets[i] for i in kept))
        if not text.strip():
            raise InputError("file contains only whitespace")
    except InputError as exc:
        return _error(path, doc_id, fmt, sha, str(exc), encoding=encoding, n_pages=n_pages)
    doc = Document(
        doc_id=doc_id,
        path=str(path),
        sha256=sha,
        format=fmt,
        text=text,
        n_pages=n_pages,
        encoding=encoding,
        warning=pdf.warning if pdf else None,
        page_starts=_to_normalised(pdf.page_starts if pdf else [], offsets),
        source_offsets=offsets,
        **(_tables_to_normalised(pdf, text, offsets) if pdf else {}),
    )
    return with_metadata(doc)


def _tables_to_normalised(pdf: PdfText, text: str, offsets: Sequence[int]) -> dict[str, Any]:
    """Table cells and spans with offsets moved into the normalised text."""
    def move(start: int, end: int) -> tuple[int, int]:
        a, b = _to_normalised((start, end), offsets)
        return a, max(a, b)

    cells = []
    for c in pdf.cells:
        start, end = move(c.start, c.end)
        cells.append(TableCell(c.page, c.table, c.row, c.column, text[start:end], start, end))
    spans = tuple(move(s, e) for s, e in pdf.table_spans)
    return {"table_cells": tuple(cells), "table_spans": spans}
