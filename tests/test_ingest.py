"""Tests for the ingest stage (pipeline.ingest.read) and the country vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.countries import country_vote, find_cities, find_countries
from pipeline.ingest.read import (
    discover_inputs,
    extract_doc_type,
    extract_report_year,
    extract_title,
    normalise_text,
    read_document,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


# --------------------------------------------------------------------------- helpers


def build_pdf(pages: list[str], encrypt: bool = False) -> bytes:
    """A minimal valid PDF, one Helvetica text line per page, with a correct xref table.

    `encrypt` adds a Standard security handler whose password hashes match no password,
    which is what a user-password-protected PDF looks like to a reader without the password.
    """
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    num = 4
    for text in pages:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = b"BT /F1 12 Tf 72 720 Td (" + escaped.encode("latin-1") + b") Tj ET"
        objs[num] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objs[num + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % num
        )
        kids.append(num + 1)
        num += 2
    kid_refs = b" ".join(b"%d 0 R" % k for k in kids)
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kid_refs, len(kids))
    if encrypt:
        objs[num] = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (
            b"11" * 32,
            b"22" * 32,
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n]
    trailer = b"<< /Size %d /Root 1 0 R" % size
    if encrypt:
        trailer += b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (num, b"ab" * 16, b"ab" * 16)
    out += b"trailer\n%s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- normalisation

NORMALISATION_CASES = [
    # (raw, expected text, expected source offsets)
    ("1\u00a0605", "1 605", (0, 1, 2, 3, 4)),
    ("1\u2009605", "1 605", (0, 1, 2, 3, 4)),
    ("1\u202f605", "1 605", (0, 1, 2, 3, 4)),
    ("1\u2007605", "1 605", (0, 1, 2, 3, 4)),
    ("e\ufb03cient", "efficient", (0, 1, 1, 1, 2, 3, 4, 5, 6)),
    ("\ufb01ve \ufb02ow", "five flow", (0, 0, 1, 2, 3, 4, 4, 5, 6)),
    ("o\ufb00er", "offer", (0, 1, 1, 2, 3)),
    ("\u201cquoted\u201d", '"quoted"', tuple(range(8))),
    ("facility\u2019s", "facility's", tuple(range(10))),
    ("\u2018a\u2019", "'a'", (0, 1, 2)),
    ("a\r\nb\rc", "a\nb\nc", (0, 1, 3, 4, 5)),
    ("\ufeffText", "Text", (1, 2, 3, 4)),
    ("co\u00adop\u200beration", "cooperation", (0, 1, 3, 4, 6, 7, 8, 9, 10, 11, 12)),
    ("Cafe\u0301 x", "Caf\u00e9 x", (0, 1, 2, 3, 5, 6)),
    ("2015\u20132019 \u2014 x", "2015\u20132019 \u2014 x", tuple(range(13))),
    ("a  b", "a  b", (0, 1, 2, 3)),
    ("", "", ()),
]


@pytest.mark.parametrize(("raw", "text", "offsets"), NORMALISATION_CASES)
def test_normalise_text(raw: str, text: str, offsets: tuple[int, ...]) -> None:
    got_text, got_offsets = normalise_text(raw)
    assert got_text == text
    assert tuple(got_offsets) == offsets


def test_source_offsets_point_at_the_raw_characters() -> None:
    raw = "The \ufb01rst \u201cof\ufb01ce\u201d had 1\u00a0605 clients."
    text, offsets = normalise_text(raw)
    assert text == 'The first "office" had 1 605 clients.'
    assert len(offsets) == len(text)
    assert list(offsets) == sorted(offsets)
    first = text.index("first")
    assert raw[offsets[first]] == "\ufb01"
    assert raw[offsets[first + 1]] == "\ufb01"
    assert raw[offsets[first + 2]] == "r"
    office = text.index("office")
    assert raw[offsets[office + 2]] == "\ufb01"
    assert raw[offsets[office + 4]] == "c"
    number = text.index("1 605")
    assert raw[offsets[number] : offsets[number + 4] + 1] == "1\u00a0605"


# --------------------------------------------------------------------------- text files


def test_utf8_file(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "report.txt", "Caf\u00e9 in Paris\n".encode()))
    assert (doc.status, doc.encoding, doc.text) == ("ok", "utf-8", "Caf\u00e9 in Paris\n")
    assert doc.doc_id == "report"
    assert doc.format == "txt"
    assert doc.n_pages is None
    assert doc.page_starts == ()
    assert doc.page_of(3) is None


def test_utf8_bom_file(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "bom.text", b"\xef\xbb\xbfHello\r\nworld"))
    assert (doc.status, doc.encoding, doc.text, doc.format) == (
        "ok",
        "utf-8-sig",
        "Hello\nworld",
        "txt",
    )


def test_utf16_file(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "wide.txt", "Drug report\n".encode("utf-16")))
    assert (doc.status, doc.encoding, doc.text) == ("ok", "utf-16", "Drug report\n")


def test_cp1252_file(tmp_path: Path) -> None:
    data = b"Caf\xe9 r\xe9sum\xe9 \x93quoted\x94"
    doc = read_document(write(tmp_path, "legacy.txt", data))
    assert doc.status == "ok"
    assert doc.encoding == "cp1252"
    assert doc.text == 'Caf\u00e9 r\u00e9sum\u00e9 "quoted"'
    assert list(doc.source_offsets) == list(range(len(doc.text)))


def test_cp1252_portuguese_not_read_as_cp1250(tmp_path: Path) -> None:
    data = "Tratamento n\u00e3o \u00e9 S\u00e3o Paulo \u2013 cora\u00e7\u00e3o".encode("cp1252")
    doc = read_document(write(tmp_path, "pt.txt", data))
    assert doc.text == "Tratamento n\u00e3o \u00e9 S\u00e3o Paulo \u2013 cora\u00e7\u00e3o"


def test_sha256_is_of_raw_bytes(tmp_path: Path) -> None:
    import hashlib

    data = b"Luxembourg\xa0report"
    doc = read_document(write(tmp_path, "x.txt", data))
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- bad input

ERROR_CASES = [
    # (file name, bytes, expected error)
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\r\n   \n", "file contains only whitespace"),
    ("nbsp.txt", "\u00a0\u2009\n".encode(), "file contains only whitespace"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary content, not text"),
    ("controls.txt", bytes(range(1, 9)) * 20 + b"some text", "binary content, not text"),
    ("notes.docx", b"PK\x03\x04 not really", "unsupported file type: .docx"),
    ("noext", b"plain words", "unsupported file type: (no extension)"),
    ("empty.pdf", b"", "empty file"),
    ("encrypted.pdf", build_pdf(["Secret figures for 2015"], encrypt=True),
     "encrypted PDF (password-protected): cannot read its text"),
    ("scanned.pdf", build_pdf(["", "", ""]), "no text layer — scanned PDF? OCR is not supported"),
]


@pytest.mark.parametrize(("name", "data", "error"), ERROR_CASES)
def test_bad_input_becomes_error_document(
    tmp_path: Path, name: str, data: bytes, error: str
) -> None:
    doc = read_document(write(tmp_path, name, data))
    assert (doc.status, doc.error, doc.text) == ("error", error, "")
    assert doc.doc_id == Path(name).stem


def test_corrupt_pdf(tmp_path: Path) -> None:
    data = bytes((i * 97 + 13) % 256 for i in range(2000))
    doc = read_document(write(tmp_path, "broken.PDF", data))
    assert doc.status == "error"
    assert doc.format == "pdf"
    assert doc.error is not None
    assert doc.error.startswith("corrupt or unreadable PDF: ")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = read_document(tmp_path / "gone.txt")
    assert (missing.status, missing.error, missing.sha256) == ("error", "file not found", "")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert read_document(folder).error == "not a file (a directory)"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "locked.txt", b"text")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    doc = read_document(path)
    assert (doc.status, doc.error) == ("error", "cannot read file: permission denied")


# --------------------------------------------------------------------------- PDF


def test_pdf_pages_and_metadata(tmp_path: Path) -> None:
    pages = [
        "Luxembourg Country Drug Report 2017",
        "In 2015 approximately 361 400 syringes were distributed.",
    ]
    doc = read_document(write(tmp_path, "lu.pdf", build_pdf(pages)))
    assert doc.status == "ok", doc.error
    assert doc.text == "\n\n".join(pages)
    assert (doc.format, doc.n_pages, doc.page_starts) == ("pdf", 2, (len(pages[0]) + 2,))
    assert doc.page_of(0) == 1
    assert doc.page_of(doc.text.index("syringes")) == 2
    assert (doc.title, doc.country, doc.report_year, doc.doc_type) == (
        "Luxembourg Country Drug Report 2017",
        "LU",
        2017,
        "country_drug_report",
    )
    assert doc.encoding is None


# --------------------------------------------------------------------------- discovery


def test_discover_inputs(tmp_path: Path) -> None:
    for rel in [
        "b.txt",
        "a.TEXT",
        "c.PDF",
        "d.docx",
        ".hidden.txt",
        "README.txt",
        "README.md",
        "sub/e.txt",
        "sub/deeper/f.pdf",
        ".git/g.txt",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    explicit = tmp_path / "d.docx"
    found = discover_inputs([tmp_path, explicit])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.TEXT",
        "b.txt",
        "c.PDF",
        "d.docx",
        "sub/deeper/f.pdf",
        "sub/e.txt",
    ]


def test_discover_inputs_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        discover_inputs([tmp_path / "nope"])


# --------------------------------------------------------------------------- metadata

CORPUS_CASES = [
    # (doc_id, title, country, report_year, doc_type)
    (
        "000_289c31b38d7f41f3",
        "Luxembourg Country Drug Report 2017",
        "LU",
        2017,
        "country_drug_report",
    ),
    (
        "001_749362847081e4e7",
        "Luxembourg's Ministry of Health has presented the national illicit drugs action plan "
        "for 2020 to 2024.",
        "LU",
        2020,
        "strategy",
    ),
    (
        "002_c9379cc76a820296",
        "International Network of Drug Consumption Rooms",
        "LU",
        None,
        "web_page",
    ),
    (
        "003_8667847c9eb49577",
        "Harm reduction services in the Netherlands: recent developments and challenges.",
        "NL",
        None,
        "web_page",
    ),
    (
        "004_c7154b8c85e4e643",
        "Netherlands Country Drug Report 2017",
        "NL",
        2017,
        "country_drug_report",
    ),
]


@pytest.mark.parametrize(("doc_id", "title", "country", "year", "doc_type"), CORPUS_CASES)
def test_corpus_metadata(
    doc_id: str, title: str, country: str, year: int | None, doc_type: str
) -> None:
    doc = read_document(CORPUS / f"{doc_id}.txt")
    assert doc.status == "ok"
    assert (doc.doc_id, doc.format, doc.encoding) == (doc_id, "txt", "utf-8")
    assert (doc.title, doc.country, doc.report_year, doc.doc_type) == (
        title,
        country,
        year,
        doc_type,
    )
    assert len(doc.source_offsets) == len(doc.text)


TITLE_CASES = [
    ("\n\n  Harm reduction  \nrest", "Harm reduction"),
    ('"Quoted opening sentence."\nrest', "Quoted opening sentence."),
    ("", None),
    (" \n ", None),
    ("word " * 60, ("word " * 40).strip()),
]


@pytest.mark.parametrize(("text", "title"), TITLE_CASES)
def test_extract_title(text: str, title: str | None) -> None:
    assert extract_title(text) == title


YEAR_CASES = [
    # (title, text, year)
    ("Austria Country Drug Report 2019", "", 2019),
    ("Harm reduction in Austria 2017", "", 2017),
    ("National Strategy to Prevent and Reduce the Harm 2019-2027", "", 2019),
    ("Report 2019 on the strategy 2013-2020", "", 2019),
    ("Drug law of 1975", "", None),
    ("Harm reduction", "", None),
    ("Italy", "Italy\nCountry Drug Report 2017\nDrug use", 2017),
    (None, "", None),
]


@pytest.mark.parametrize(("title", "text", "year"), YEAR_CASES)
def test_extract_report_year(title: str | None, text: str, year: int | None) -> None:
    assert extract_report_year(title, text) == year


DOC_TYPE_CASES = [
    # (title, text, doc_type)
    ("Germany Country Drug Report 2018", "", "country_drug_report"),
    ("Harm reduction in Spain 2017", "x\nSpain Country Drug Report 2017", "country_drug_report"),
    ("National Strategy on Drugs 2019-2027", "", "strategy"),
    ("Government programme 2018-23", "", "strategy"),
    ("national drugs action plan for 2020 to 2024", "", "strategy"),
    ("Drug situation 2011", "Drug situation 2011\nAnnual Report Summary\n", "annual_report"),
    ("Availability of syringe exchange", "", "web_page"),
    (None, "", "web_page"),
]


@pytest.mark.parametrize(("title", "text", "doc_type"), DOC_TYPE_CASES)
def test_extract_doc_type(title: str | None, text: str, doc_type: str) -> None:
    assert extract_doc_type(title, text) == doc_type


def test_paragraph_first_line_gives_no_year_or_type(tmp_path: Path) -> None:
    text = (
        "The public health approach has long been a feature in Spanish drugs policy. "
        "The current National Strategy 2017-24 includes the reduction of harm among its "
        "key objectives, and seeks to maintain and extend the services on offer.\n"
    )
    doc = read_document(write(tmp_path, "es.txt", text.encode()))
    assert (doc.country, doc.report_year, doc.doc_type) == ("ES", None, "web_page")


# --------------------------------------------------------------------------- countries

FIND_COUNTRY_CASES = [
    # (text, [(matched text, code)])
    ("the Czech Republic and Czechia", [("Czech Republic", "CZ"), ("Czechia", "CZ")]),
    ("Czech\nRepublic", [("Czech\nRepublic", "CZ")]),
    ("a Czech-German project", [("Czech", "CZ"), ("German", "DE")]),
    ("in Northern Ireland and Ireland", [("Northern Ireland", "GB"), ("Ireland", "IE")]),
    (
        "The Netherlands, Dutch, Holland",
        [("The Netherlands", "NL"), ("Dutch", "NL"), ("Holland", "NL")],
    ),
    ("THE DRUG PROBLEM IN ITALY", [("ITALY", "IT")]),
    ("Luxembourg's plan", [("Luxembourg", "LU")]),
    ("Germanic Dutchman", []),
    ("in the EU and the European Union", [("EU", "EU"), ("European Union", "EU")]),
    ("Publications Office of the European Union", []),
    ("European Monitoring Centre for Drugs", []),
    ("Flemish and Walloon communities", []),
    ("ABOUT US | CONTACT US", []),
]


@pytest.mark.parametrize(("text", "expected"), FIND_COUNTRY_CASES)
def test_find_countries(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(text[s:e], code) for s, e, code in find_countries(text)] == expected


def test_find_cities() -> None:
    text = "Rooms in Li\u00e8ge, The Hague and Berlin; Parisian cafes."
    assert [(name, code) for _, _, name, code in find_cities(text)] == [
        ("Li\u00e8ge", "BE"),
        ("The Hague", "NL"),
        ("Berlin", "DE"),
    ]
    start, end, _, _ = find_cities(text)[1]
    assert text[start:end] == "The Hague"


VOTE_CASES = [
    # (text, title, country)
    ("Germany Germany Germany", "Luxembourg report", "LU"),
    ("Spain, then France, then France.", None, "FR"),
    ("Spain and France.", "Harm reduction", "ES"),
    ("the EU, the EU, the EU and Austria", None, "AT"),
    ("EU policy", "EU drug markets", None),
    ("Clinics in Berlin, Berlin and Vienna", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("text", "title", "country"), VOTE_CASES)
def test_country_vote(text: str, title: str | None, country: str | None) -> None:
    assert country_vote(text, title) == country


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("are not avail-\nable in Estonia", "are not available in Estonia"),
        ("drug- related deaths", "drug-related deaths"),  # compound first word: hyphen kept
        ("pre- and post-test counselling", "pre- and post-test counselling"),
        ("the 2015-\n19 strategy", "the 2015-\n19 strategy"),  # a period, not a word
        ("socio-\nprofessional or socio-professional",
         "socio-professional or socio-professional"),  # the document writes it hyphenated
        ("no hyphen at all", "no hyphen at all"),
    ],
)
def test_words_broken_by_a_hyphen_are_rejoined(tmp_path: Path, raw: str, text: str) -> None:
    doc = read_document(write(tmp_path, "xx.txt", raw.encode()))
    assert doc.text == text
    # Every character still points at the raw character it came from.
    assert all(raw[o] == c for o, c in zip(doc.source_offsets, doc.text, strict=True))
