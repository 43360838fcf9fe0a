"""`extract --sources FILE.csv`: analyst-given metadata fills or overrides what ingest
guessed, `url` lands in `documents`, and a bad file is a clear usage error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.ingest.sources import Source, SourcesError, load_sources, source_for

REPORT = ("Drug report 2016: Luxembourg\n\n"
          "In 2015, 1 184 clients were in opioid substitution treatment.\n")
UNDATED = "Harm reduction overview\n\nIn 2014, 310 clients were in opioid substitution treatment.\n"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (folder / "lu-report.txt").write_text(REPORT, encoding="utf-8")
    (folder / "sub" / "undated.txt").write_text(UNDATED, encoding="utf-8")
    return folder


def test_sources_fill_and_override_metadata_and_keep_url(reports: Path, tmp_path: Path):
    csv = tmp_path / "sources.csv"
    csv.write_text(
        "\ufefffile,title,country,report_year,url\n"
        "lu-report.txt,,,2017,https://example.org/lu\n"      # year overridden, rest kept
        "sub/undated.txt,Overview,at,2015,\n"               # fills a missing year/country
        "missing.txt,,,2019,\n", encoding="utf-8")
    result = _cli("extract", str(reports), "--out", "out", "--quiet", "--sources", str(csv),
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"warning: --sources {csv}:4: `missing.txt` is not among the inputs" in result.stderr
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    got = {d: (r.title, r.country, int(r.report_year), None if pd.isna(r.url) else r.url)
           for d, r in docs.iterrows()}
    assert got == {
        "lu-report": ("Drug report 2016: Luxembourg", "LU", 2017, "https://example.org/lu"),
        "undated": ("Overview", "AT", 2015, None),
    }
    facts = pd.read_parquet(tmp_path / "out" / "facts.parquet").set_index("doc_id")
    assert facts.loc["undated", "country"] == "AT"   # the given country reaches the rows


def test_without_sources_nothing_changes(reports: Path, tmp_path: Path) -> None:
    result = _cli("extract", str(reports), "--out", "out", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert docs.loc["lu-report", "report_year"] == 2016
    assert docs["url"].isna().all()


@pytest.mark.parametrize(("content", "message"), [
    ("name,title\nx.txt,X\n", "no `file` column"),
    ("file,year\nx.txt,2019\n", "unknown column(s) year"),
    ("file,country\nx.txt,Austria\n", ":2: country 'AUSTRIA' is not a two-letter code"),
    ("file,report_year\nx.txt,19\n", ":2: report_year '19' is not a year"),
    ("file\nx.txt\nx.txt\n", ":3: `x.txt` is already on line 2"),
    ("file,title\n,X\n", ":2: empty `file`"),
])
def test_malformed_sources_are_refused(content: str, message: str, tmp_path: Path) -> None:
    csv = tmp_path / "sources.csv"
    csv.write_text(content, encoding="utf-8")
    with pytest.raises(SourcesError) as err:
        load_sources(csv)
    assert message in str(err.value)


def test_malformed_sources_are_a_usage_error_before_anything_is_read(reports: Path,
                                                                      tmp_path: Path) -> None:
    csv = tmp_path / "sources.csv"
    csv.write_text("file,country\nlu-report.txt,Luxembourg\n", encoding="utf-8")
    result = _cli("extract", str(reports), "--out", "out", "--sources", str(csv), cwd=tmp_path)
    assert result.returncode == 2
    assert "error: --sources: " in result.stderr and "not a two-letter code" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("files", "path", "expected"), [
    (["a.txt"], "in/a.txt", "a.txt"),
    (["a"], "in/a.txt", "a"),                           # by doc_id
    (["in/a.txt", "a.txt"], "in/a.txt", "in/a.txt"),    # more of the path wins
    (["x/a.txt"], "in/a.txt", None),
    (["b.txt"], "in/a.txt", None),
])
def test_which_row_names_an_input(files: list[str], path: str, expected: str | None) -> None:
    sources = tuple(Source(f, i) for i, f in enumerate(files, 2))
    found = source_for(Path(path), sources)
    assert (found.file if found else None) == expected
