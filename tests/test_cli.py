"""End to end through the command line: `python -m pipeline extract|evaluate` as a user runs it.

Exit codes, the six tables, bad files recorded in `documents`, determinism, provenance that
points at the evidence, and a README that documents every subcommand and option.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import build_parser
from pipeline.output.tables import KEY_COLUMNS, TABLE_NAMES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = CORPUS / "gold" / "seeds.csv"
README = ROOT / "README.md"
TABLES = TABLE_NAMES
ROW_TABLES = tuple(KEY_COLUMNS)  # the tables scored against gold
SEEDS = sorted(CORPUS.glob("*.txt"))[:2]
NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|billion|dozen|single|first|both)\b",
    re.IGNORECASE,
)
PLAIN_NUMBER = re.compile(r"\d{1,3}(?:[ ,]\d{3})+|\d+(?:\.\d+)?")


def run_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline ARGS` in a child process, importing this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seed reports, an empty file and a binary file renamed to .txt."""
    folder = tmp_path_factory.mktemp("mixed") / "reports"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return folder


@pytest.fixture(scope="module")
def mixed_run(
    mixed_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("mixed-out") / "out"
    return run_cli("extract", mixed_corpus, "--out", out, "--quiet"), out


@pytest.fixture(scope="module")
def tables(mixed_run: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, pd.DataFrame]:
    return read_tables(mixed_run[1])


# --------------------------------------------------------------------------- extract


def test_some_failed_exits_1_and_writes_every_table(mixed_run) -> None:
    result, out = mixed_run
    assert result.returncode == 1, result.stderr
    assert "2 of 4 documents processed" in result.stderr
    for name in TABLES:
        assert (out / f"{name}.parquet").is_file(), name
    assert not list(out.glob(".*.tmp-*")), "temporary files left behind"


def test_every_declared_table_readable(tables: dict[str, pd.DataFrame]) -> None:
    assert set(tables) == set(TABLES)
    for name in ROW_TABLES + ("mentions",):
        frame = tables[name]
        assert {"id", "doc_id", "country", "start_char", "end_char", "sentence", "rule"} <= set(
            frame.columns
        ), name
        assert frame["id"].is_unique, name
    assert len(tables["facts"]) > 0
    assert len(tables["mentions"]) > 0


def test_documents_record_bad_files_with_reasons(tables: dict[str, pd.DataFrame]) -> None:
    docs = tables["documents"].set_index("doc_id")
    assert sorted(docs.index) == sorted([s.stem for s in SEEDS] + ["empty", "image"])
    for seed in SEEDS:
        row = docs.loc[seed.stem]
        assert row["status"] == "ok"
        assert pd.isna(row["error"])
        assert row["n_chars"] == len(row["text"]) > 0
    for doc_id, reason in (("empty", "empty"), ("image", "binary")):
        row = docs.loc[doc_id]
        assert row["status"] == "error"
        assert reason in row["error"].lower()
        assert row["text"] == ""
    bad = {"empty", "image"}
    for name in ROW_TABLES:
        assert not set(tables[name]["doc_id"]) & bad, name


def test_failures_are_reported_on_stderr(mixed_run) -> None:
    stderr = mixed_run[0].stderr
    assert re.search(r"failed: .*empty\.txt: .*empty", stderr)
    assert re.search(r"failed: .*image\.txt: .*binary", stderr)


def test_good_input_exits_0(tmp_path: Path) -> None:
    result = run_cli("extract", SEEDS[0], "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "1 of 1 documents processed" in result.stderr
    assert f"[1/1] {SEEDS[0].stem}" in result.stderr  # progress without --quiet
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["status"].tolist() == ["ok"]


def test_summary_counts_documents_cache_and_rows(tmp_path: Path) -> None:
    """Two workers, then an unchanged re-run served from the cache, with the summary lines."""
    out = tmp_path / "out"
    cold = run_cli("extract", *SEEDS, "--out", out, "--workers", "2", "--quiet")
    assert cold.returncode == 0, cold.stderr
    assert "2 documents (0 errors, 0 duplicates, 0 from the cache) in " in cold.stderr
    facts = len(pd.read_parquet(out / "facts.parquet"))
    assert re.search(rf"^rows: documents 2, facts {facts}, events \d+", cold.stderr, re.M)
    warm = run_cli("extract", *SEEDS, "--out", out, "--quiet")
    assert "2 documents (0 errors, 0 duplicates, 2 from the cache)" in warm.stderr
    uncached = run_cli("extract", *SEEDS, "--out", out, "--quiet", "--no-cache")
    assert "2 documents (0 errors, 0 duplicates, 0 from the cache)" in uncached.stderr


def test_scheduler_without_dask_engine_exits_2(tmp_path: Path) -> None:
    result = run_cli("extract", SEEDS[0], "--out", tmp_path / "out", "--scheduler",
                     "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert "--scheduler needs --engine dask" in result.stderr


def test_help_and_version_do_not_import_spacy_or_pandas() -> None:
    """Start-up: `--help` and `--version` stay light (lazy imports)."""
    code = ("import sys\nfrom pipeline.cli import main\n"
            "for argv in (['--version'], ['extract', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "heavy = sorted(m for m in ('spacy', 'pandas', 'pyarrow') if m in sys.modules)\n"
            "print('heavy:', heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.stdout.strip().endswith("heavy: []"), proc.stdout + proc.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cli("extract", tmp_path / "no-such-report.txt", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "not found" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "corpus", "--no-such-option"],
        ["extract"],
        ["evaluate", "--bogus"],
        ["no-such-command"],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_evaluate_without_tables_exits_2(tmp_path: Path) -> None:
    result = run_cli("evaluate", "--out", tmp_path / "nothing", "--gold", GOLD)
    assert result.returncode == 2
    assert "run extract first" in result.stderr


# --------------------------------------------------------------------------- determinism


def test_two_runs_are_identical(
    mixed_corpus: Path, tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    result = run_cli("extract", mixed_corpus, "--out", tmp_path / "again", "--quiet")
    assert result.returncode == 1
    again = read_tables(tmp_path / "again")
    for name in TABLES:
        pd.testing.assert_frame_equal(tables[name], again[name], obj=name)
        if name != "documents":
            assert tables[name]["id"].tolist() == again[name]["id"].tolist(), name


# --------------------------------------------------------------------------- provenance


def _evidence(tables: dict[str, pd.DataFrame], name: str) -> list[tuple[dict, str]]:
    text = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"], strict=True))
    return [
        (row, text[row["doc_id"]][row["start_char"] : row["end_char"]])
        for row in tables[name].to_dict(orient="records")
    ]


@pytest.mark.parametrize("name", ROW_TABLES)
def test_sentence_contains_the_evidence(tables: dict[str, pd.DataFrame], name: str) -> None:
    for row, span in _evidence(tables, name):
        assert 0 <= row["start_char"] < row["end_char"], row
        assert span.strip(), row
        assert span in row["sentence"], (span, row["sentence"])


def _plain_number(span: str) -> float | None:
    """The value of a span written as a plain number ("76 000", "1,605", "5.1"), else None."""
    if not PLAIN_NUMBER.fullmatch(span.strip()):
        return None
    return float(re.sub(r"[ ,]", "", span.strip()))


def test_fact_evidence_is_the_figure(tables: dict[str, pd.DataFrame]) -> None:
    assert len(tables["facts"]) > 0
    for row, span in _evidence(tables, "facts"):
        assert re.search(r"\d", span) or NUMBER_WORDS.search(span), (span, row["sentence"])
        number = _plain_number(span)
        if number is not None:
            assert number in (row["value"], row["value_high"]), (span, row["value"])


# --------------------------------------------------------------------------- evaluate


def test_evaluate_prints_per_table_scores(mixed_run) -> None:
    result = run_cli("evaluate", "--out", mixed_run[1], "--gold", GOLD)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(r"table\s+P\s+R\s+F1\b", lines[0])
    for name in (*ROW_TABLES, "micro"):
        assert any(re.match(rf"{name}\s+\d\.\d{{3}}\s+\d\.\d{{3}}\s+\d\.\d{{3}}", ln)
                   for ln in lines), name


def test_evaluate_show_lists_details_or_nothing(mixed_run) -> None:
    result = run_cli("evaluate", "--out", mixed_run[1], "--gold", GOLD, "--show")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("table")


# --------------------------------------------------------------------------- help and docs


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI has no subcommands")


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [
        opt
        for action in parser._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    ]


def _all_options() -> list[tuple[str, str]]:
    top = [("", opt) for opt in _options(build_parser())]
    return top + [(cmd, opt) for cmd, sub in _subparsers().items() for opt in _options(sub)]


def test_cli_has_the_documented_subcommands() -> None:
    assert {"extract", "evaluate"} <= set(_subparsers())


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_help_lists_every_option(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    for opt in _options(_subparsers()[command]):
        assert opt in result.stdout, (command, opt)


def _readme_section(command: str) -> str:
    """The README text under the heading that names `python -m pipeline COMMAND`."""
    lines = README.read_text(encoding="utf-8").splitlines()
    heading = re.compile(rf"^(#+) .*python -m pipeline {re.escape(command)}\b")
    for i, line in enumerate(lines):
        m = heading.match(line)
        if m:
            level = len(m.group(1))
            end = next(
                (j for j in range(i + 1, len(lines))
                 if re.match(rf"^#{{1,{level}}} ", lines[j])),
                len(lines),
            )
            return "\n".join(lines[i:end])
    raise AssertionError(f"README has no heading for `python -m pipeline {command}`")


@pytest.mark.parametrize("command", sorted(_subparsers()))
def test_readme_documents_subcommand(command: str) -> None:
    assert _readme_section(command)


@pytest.mark.parametrize(("command", "option"), _all_options())
def test_readme_documents_option(command: str, option: str) -> None:
    text = _readme_section(command) if command else README.read_text(encoding="utf-8")
    where = f"section `python -m pipeline {command}`" if command else "README"
    assert re.search(rf"(?<![\w-]){re.escape(option)}\b", text), f"{option} not in {where}"


def test_evaluate_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`evaluate --show | head -1`: no traceback when the reader stops early. The gold lists
    thousands of made-up misses, so the report is far larger than the pipe's buffer."""
    out = tmp_path / "out"
    assert run_cli("extract", SEEDS[0], "--out", out, "--quiet").returncode == 0
    gold = tmp_path / "gold.csv"
    header = ("table,doc_id,country,indicator,year,value,event,service,status,kind,"
              "start_year,end_year")
    rows = [f"facts,{SEEDS[0].stem},XX,ost.clients,2000,{n},,,,,," for n in range(1, 6001)]
    gold.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "pipeline", "evaluate", "--out", str(out), "--gold", str(gold),
           "--show"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env=env)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err and proc.returncode == 1
