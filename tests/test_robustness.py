"""No input sinks a batch: the per-document guard, long text, limits, unique doc_ids, links.

Every case runs the real pipeline on real files; a fault is injected (monkeypatch) only to
prove that an exception in each stage becomes that document's error row naming the stage.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract import match, segment
from pipeline.ingest import read
from pipeline.ingest.pdf import PdfSettings
from pipeline.ingest.read import InputFile, find_inputs, unique_doc_ids
from pipeline.link import facts
from pipeline.run.batch import load_rules, path_to_extraction

FACT = "In 2019, {n} clients were in opioid substitution treatment. "
FILLER = "Services were offered to people who use drugs in the capital. "
# An error row names the stage that failed, or is one of the reading stage's own reasons.
STAGE_OR_READ = re.compile(r"(read|segment|extract|link|tables|run): \w+|empty file$|file contains "
                           r"only whitespace$|binary content|symbolic link|broken or looping")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fact_values(ext) -> list[float]:
    return sorted(f.value for f in ext.facts)


# --------------------------------------------------------------------------- the guard


def _boom(*_args, **_kwargs):
    raise RuntimeError("injected\nfault  on two lines")


@pytest.mark.parametrize(
    ("module", "name", "stage"),
    [
        (read, "normalise_text", "read"),
        (segment, "_sentence_bounds", "segment"),
        (match, "scan", "extract"),
        (facts, "sentence_facts", "link"),
    ],
)
def test_an_exception_in_any_stage_is_that_documents_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module, name: str, stage: str
) -> None:
    path = write(tmp_path / "xx-report.txt", FACT.format(n="1 234"))
    monkeypatch.setattr(module, name, _boom)
    ext = path_to_extraction(path)
    doc = ext.document
    assert (doc.doc_id, doc.status, doc.text) == ("xx-report", "error", "")
    assert doc.error == f"{stage}: RuntimeError: injected fault on two lines"
    assert doc.format == "txt" and ext.facts == [] and ext.mentions == []


def test_overflowing_figures_are_an_extract_error_or_parsed(tmp_path: Path) -> None:
    """A 400-digit run and 110 digit groups (issue 11): never an exception out of the
    document; until the parser is overflow-free, the guard names the extract stage."""
    good = FACT.format(n="1 234")
    for name, figure in [("digits", "1" * 400), ("groups", " ".join(["123"] * 110))]:
        ext = path_to_extraction(write(tmp_path / f"{name}.txt", good + FACT.format(n=figure)))
        doc = ext.document
        if doc.status == "error":
            assert doc.error.startswith("extract: OverflowError: "), doc.error
        else:
            assert 1234.0 in fact_values(ext)


def test_time_limit_covers_every_stage_of_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(paragraph_pdf(60_000))
    ext = path_to_extraction(path, PdfSettings(time_limit_s=1e-9))
    assert ext.document.status == "error"
    assert ext.document.error.startswith("reading took longer than 1e-09 s")


def test_max_chars_refuses_a_longer_text(tmp_path: Path) -> None:
    path = write(tmp_path / "xx.txt", FACT.format(n="1 234") * 10)
    assert path_to_extraction(path, max_chars=620).document.status == "ok"
    doc = path_to_extraction(path, max_chars=619).document
    assert (doc.status, doc.error) == (
        "error", "text of 620 characters is longer than the limit of 619 (--max-chars)")
    # More than 4 bytes a character allowed: refused before the file is read.
    doc = path_to_extraction(path, max_chars=10).document
    assert (doc.status, doc.error, doc.sha256) == (
        "error", "file of 620 bytes holds more than the limit of 10 characters (--max-chars)",
        "")


# --------------------------------------------------------------------------- long text


def test_a_paragraph_over_spacys_limit_is_read_in_blocks(tmp_path: Path) -> None:
    """1.1 M characters without a blank line: cut into blocks, figures found on both sides
    of every cut, offsets exact."""
    n = 1_100_000 // len(FILLER)
    text = FILLER * (n // 2) + FACT.format(n="1 111") + FILLER * (n // 2) + FACT.format(n="2 222")
    ext = path_to_extraction(write(tmp_path / "xx-long.txt", text))
    doc = ext.document
    assert doc.status == "ok" and len(doc.text) > 1_000_000
    assert fact_values(ext) == [1111.0, 2222.0]
    for f in ext.facts:
        assert doc.text[f.prov.start_char : f.prov.end_char] in {"1 111", "2 222"}
        assert f.prov.sentence.startswith("In 2019,")
    assert all(doc.text[s.start : s.end] == s.text for s in ext.sentences)
    assert len({s.index for s in ext.sentences}) == len(ext.sentences)


def paragraph_pdf(n_chars: int, per_line: int = 90, per_page: int = 60) -> bytes:
    """A PDF holding one paragraph of about `n_chars` characters, set in full-width lines of
    Courier (so every line is wrapped) over as many pages as it takes. The words are drawn
    by a seeded generator, so no line repeats at the same height (a running header)."""
    rng = random.Random(0)
    words = "the programme reached many clients in the region during that year".split()
    lines, line = [], ""
    size = 0  # characters of the paragraph so far (lines joined by spaces)
    while size + len(line) < n_chars:
        word = rng.choice(words)
        if len(line) + len(word) + 1 > per_line:
            lines.append(line)
            size += len(line) + 1
            line = ""
        line = f"{line} {word}" if line else word
    lines.append(line + ".")
    pages = [lines[k : k + per_page] for k in range(0, len(lines), per_page)]
    objs: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                              3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}
    kids, num = [], 4
    for page in pages:
        body = b" T* ".join(b"(" + ln.encode("latin-1") + b") Tj" for ln in page)
        stream = b"BT /F1 10 Tf 12 TL 36 780 Td " + body + b" ET"
        objs[num] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objs[num + 1] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 812] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % num)
        kids.append(num + 1)
        num += 2
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (num,)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, num))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (num, xref)
    return bytes(out)


def test_a_600k_character_paragraph_pdf_finishes_within_its_time_limit(tmp_path: Path) -> None:
    """Paragraph assembly is linear: it used to take ~45 s for 600 k characters."""
    path = tmp_path / "xx-long.pdf"
    path.write_bytes(paragraph_pdf(600_000))
    load_rules()
    limit = 20.0
    started = time.monotonic()
    ext = path_to_extraction(path, PdfSettings(time_limit_s=limit))
    elapsed = time.monotonic() - started
    doc = ext.document
    assert doc.status == "ok", doc.error
    assert doc.n_pages > 100 and 600_000 <= len(doc.text) < 610_000
    assert "\n" not in doc.text.strip()  # one paragraph
    assert elapsed < limit + 1


# --------------------------------------------------------------------------- doc_ids


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (["a.txt", "b.pdf"], ["a", "b"]),
        (["report.txt", "report.pdf"], ["report.pdf", "report.txt"]),
        (["a/report.txt", "b/report.txt", "c/other.txt"], ["a/report.txt", "b/report.txt",
                                                           "other"]),
        (["a/report.txt", "b/report.txt", "report.pdf"],
         ["a/report.txt", "b/report.txt", "report.pdf"]),
        # The stem "report.txt" of one file is another's name: the latter moves on.
        (["report.txt.txt", "x/report.txt", "report.pdf"],
         ["report.pdf", "report.txt", "x/report.txt"]),
    ],
)
def test_unique_doc_ids(relative: list[str], expected: list[str]) -> None:
    paths = {Path("root", r): r for r in relative}
    assert sorted(unique_doc_ids(paths).values()) == expected


def test_colliding_stems_get_unique_stable_doc_ids(tmp_path: Path) -> None:
    for rel in ["a/report.txt", "b/report.txt", "report.pdf", "xx-unique.txt"]:
        write(tmp_path / "in" / rel, FACT.format(n="1 234"))
    first = find_inputs([tmp_path / "in"])
    assert [(f.doc_id, f.path.relative_to(tmp_path / "in").as_posix()) for f in first] == [
        ("a/report.txt", "a/report.txt"),
        ("b/report.txt", "b/report.txt"),
        ("report.pdf", "report.pdf"),
        ("xx-unique", "xx-unique.txt"),
    ]
    assert find_inputs([tmp_path / "in"]) == first
    ext = path_to_extraction(first[0])
    assert ext.document.doc_id == "a/report.txt"
    assert {f.doc_id for f in ext.facts} == {"a/report.txt"}


# --------------------------------------------------------------------------- symlinks


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A folder with a good report, a link to a report outside it, a link to a report
    inside it, a link loop between two files, and a folder link back to its parent."""
    outside = write(tmp_path / "secret" / "private.txt", FACT.format(n="9 999"))
    folder = tmp_path / "in"
    write(folder / "good.txt", FACT.format(n="1 234"))
    (folder / "outside.txt").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "good.txt")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)
    return folder


def test_a_link_out_of_the_folder_is_not_read(linked: Path) -> None:
    found = {f.doc_id: f for f in find_inputs([linked])}
    assert sorted(found) == ["good", "inside", "loop1", "loop2", "outside"]
    assert found["good"].refused is None and found["inside"].refused is None
    assert found["loop1"].refused == "broken or looping symbolic link"
    ext = path_to_extraction(found["outside"])
    assert ext.document.status == "error" and ext.facts == []
    assert ext.document.error.startswith(f"symbolic link to a file outside {linked} (")
    assert ext.document.error.endswith("; not read (--follow-symlinks reads it)")
    assert "9 999" not in ext.document.text


def test_follow_symlinks_reads_it_and_never_loops(linked: Path) -> None:
    found = find_inputs([linked], follow_symlinks=True)
    ids = {f.doc_id: f for f in found}
    # sub/up leads back to the folder itself: walked once, no loop, nothing twice.
    assert sorted(ids) == ["good", "inside", "loop1", "loop2", "outside"]
    assert ids["outside"].refused is None
    assert fact_values(path_to_extraction(ids["outside"])) == [9999.0]


def test_a_file_given_by_name_is_read_even_through_a_link(linked: Path) -> None:
    (found,) = find_inputs([linked / "outside.txt"])
    assert found == InputFile(linked / "outside.txt", "outside")
    assert fact_values(path_to_extraction(found)) == [9999.0]



# --------------------------------------------------------------------------- the whole batch

HARSH = ["In", "2019", "2015-19", "approximately", "between", "and", "clients", "needles",
         "were", "distributed", "%", "EUR", "million", "No.", "1e99999", "–", "/", ".", ",",
         "(", ")", "NSP", "OST", "Law", "launched", "\u00a0", "\u200b", "ﬁ", "é", "\u2028",
         "•", "|", "\t", "\r\n", "\n", "\n\n"]


def harsh_text(rng: random.Random) -> str:
    """A small hostile document: genre words, digit runs, huge digit groups, odd unicode,
    bullets, `cell | cell` lines, broken paragraphs."""
    parts = []
    for _ in range(rng.randint(1, 120)):
        kind = rng.random()
        if kind < 0.1:
            parts.append("1" * rng.randint(1, 500))
        elif kind < 0.15:
            parts.append(" ".join(["123"] * rng.randint(1, 130)))
        elif kind < 0.2:
            parts.append("\n" + " | ".join(rng.choice(HARSH) for _ in range(4)) + "\n")
        elif kind < 0.25:
            parts.append(chr(rng.randint(0x20, 0x2FFF)))
        else:
            parts.append(rng.choice(HARSH))
    return " ".join(parts)


def test_done_when_a_hostile_batch_keeps_every_good_document(tmp_path: Path) -> None:
    """Issue 11's batch: the seeds beside a long paragraph, overflowing figures, colliding
    stems, a link out of the folder and 300 harsh documents. Exit 0 or 1, no traceback,
    every table written, the seeds' rows as when they run alone, unique doc_ids."""
    from pipeline.run.batch import run
    from tests.test_cli import CORPUS, TABLES, read_tables, run_cli
    from tests.test_ingest import build_pdf

    seeds = sorted(CORPUS.glob("*.txt"))
    folder = tmp_path / "in"
    for seed in seeds:
        write(folder / seed.name, seed.read_text(encoding="utf-8"))
    write(folder / "xx-long.txt", FILLER * (1_050_000 // len(FILLER)) + FACT.format(n="2 222"))
    write(folder / "xx-digits.txt", FACT.format(n="1" * 400) + FACT.format(n="1 234"))
    write(folder / "xx-groups.txt", FACT.format(n=" ".join(["123"] * 110)))
    write(folder / "a" / "report.txt", FACT.format(n="1 234"))
    write(folder / "b" / "report.txt", FACT.format(n="5 678"))
    (folder / "report.pdf").write_bytes(build_pdf(["Report", FACT.format(n="4 321")]))
    (folder / "xx-outside.txt").symlink_to(write(tmp_path / "secret.txt", FACT.format(n="9")))
    rng = random.Random(11)
    for i in range(300):
        write(folder / "harsh" / f"h{i:03d}.txt", harsh_text(rng))

    out = tmp_path / "out"
    proc = run_cli("extract", folder, "--out", out, "--quiet")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert all((out / f"{name}.parquet").exists() for name in [*TABLES, "tables"])
    tables = read_tables(out)
    docs = tables["documents"]
    n_inputs = len(seeds) + 3 + 3 + 1 + 300
    assert len(docs) == n_inputs and docs["doc_id"].is_unique
    assert {"a/report.txt", "b/report.txt", "report.pdf", "xx-outside"} <= set(docs["doc_id"])
    failed = docs[docs["status"] == "error"]
    assert proc.returncode == (1 if len(failed) else 0)
    assert proc.stderr.count("\n  failed: ") == len(failed)
    assert failed.set_index("doc_id").loc["xx-outside", "error"].startswith("symbolic link")
    assert all(STAGE_OR_READ.match(e) for e in failed["error"]), list(failed["error"])
    ok = set(docs.loc[docs["status"] == "ok", "doc_id"])
    assert {s.stem for s in seeds} | {"xx-long", "a/report.txt", "b/report.txt", "report.pdf"} <= ok

    alone = tmp_path / "alone"
    run(seeds, alone, progress=None)
    for name in ("facts", "events", "plans", "services"):
        mine = tables[name][tables[name]["doc_id"].isin({s.stem for s in seeds})]
        theirs = pd.read_parquet(alone / f"{name}.parquet")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs, obj=name,
                                      check_dtype=False, check_categorical=False)
    facts = tables["facts"].set_index("doc_id")
    assert facts.loc["xx-long", "value"] == 2222.0
    assert sorted(facts.loc[["a/report.txt", "b/report.txt"], "value"]) == [1234.0, 5678.0]
