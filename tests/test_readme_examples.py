"""The README's pandas and DuckDB examples run, on tables extracted from the seed reports,
and answer the three cross-report questions the way the README says."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]


def _blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """A folder holding `outputs/` extracted from corpus/, as the examples expect."""
    here = tmp_path_factory.mktemp("readme")
    run([ROOT / "corpus"], here / "outputs", progress=None)
    return here


def test_the_readme_has_the_examples() -> None:
    assert len(_blocks("python")) >= 1 and len(_blocks("sql")) >= 1


def test_pandas_examples_run_and_answer(outputs: Path, monkeypatch) -> None:
    monkeypatch.chdir(outputs)
    names: dict = {}
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), names)  # noqa: S102 - the README's own code
    latest, disagree, rooms = names["latest"], names["disagree"], names["rooms"]
    assert len(latest) > 0 and latest.country.is_unique
    assert latest.period_start.isna().all()
    assert set(latest.qualifier) <= {"exact", "approx", "range", "at_least", "more_than",
                                     "up_to", "less_than"}
    assert disagree.conflict.all()
    assert (rooms.status == "available").all() and len(rooms) > 0
    assert rooms.start_year.notna().any()


def test_duckdb_examples_run_and_agree_with_pandas(outputs: Path, monkeypatch) -> None:
    monkeypatch.chdir(outputs)
    statements = [s.strip() for block in _blocks("sql") for s in block.split(";")]
    statements = [s for s in statements
                  if "\n".join(ln for ln in s.splitlines() if not ln.startswith("--")).strip()]
    results = [duckdb.sql(s).fetchall() for s in statements]
    assert all(isinstance(r, list) for r in results)
    series = pd.read_parquet("outputs/series.parquet", dtype_backend="numpy_nullable")
    syringe = next(r for s, r in zip(statements, results, strict=True)
                   if "QUALIFY" in s)
    annual = series[(series.indicator == "nsp.syringes_distributed")
                    & series.period_start.isna() & series.region.isna()]
    assert [row[0] for row in syringe] == sorted(set(annual.country))
    for country, year, *_ in syringe:
        assert year == annual[annual.country == country].year.max()
