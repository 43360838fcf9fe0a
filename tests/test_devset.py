"""Regression guard on the shared dev set (read in place from ../shared/devset, never copied).

The scores recorded in tests/data/devset_scores.csv are the ones the README states; a rule
change that costs more than TOLERANCE on any of them fails here, as does an issue target
(F1 0.90 facts, 0.85 elsewhere, precision 0.90 everywhere). Skipped, with the reason, when
the dev set is not beside the repository.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipeline.check.evaluate import load_gold, score
from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset"
RECORDED = Path(__file__).parent / "data" / "devset_scores.csv"
TOLERANCE = 0.02
TARGET_F1 = {"facts": 0.90, "events": 0.85, "plans": 0.85, "services": 0.85}
TARGET_PRECISION = 0.90


def _recorded() -> dict[str, dict[str, float]]:
    with RECORDED.open(encoding="utf-8") as fh:
        return {r["table"]: {k: float(v) for k, v in r.items() if k != "table"}
                for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def dev_report(tmp_path_factory: pytest.TempPathFactory):
    if not (DEVSET / "gold.csv").exists():
        pytest.skip(f"dev set not found at {DEVSET} (clone the repo beside ../shared)")
    out = tmp_path_factory.mktemp("dev-out")
    result = run([DEVSET / "reports"], out, progress=None)
    assert not result.failed
    return score(out, load_gold([DEVSET / "gold.csv"]))


@pytest.mark.parametrize("table", list(TARGET_F1))
def test_dev_set_scores_hold_the_recorded_figures(dev_report, table: str) -> None:
    s = dev_report.tables[table]
    measured = {"precision": s.precision, "recall": s.recall, "f1": s.f1}
    for metric, recorded in _recorded()[table].items():
        assert measured[metric] >= recorded - TOLERANCE, (table, metric, measured, recorded)


def _meets_targets(table: str) -> bool:
    m = _recorded()[table]
    return m["f1"] >= TARGET_F1[table] and m["precision"] >= TARGET_PRECISION


@pytest.mark.parametrize("table", [
    t if _meets_targets(t) else pytest.param(t, marks=pytest.mark.xfail(
        strict=True, reason=f"recorded {t} scores are below the issue's target"))
    for t in TARGET_F1
])
def test_dev_set_meets_the_targets(dev_report, table: str) -> None:
    """A table whose recorded scores miss the target is an expected failure, strictly: once
    it meets the target this test fails until the CSV (and README) record the new figures."""
    s = dev_report.tables[table]
    assert s.f1 >= TARGET_F1[table] and s.precision >= TARGET_PRECISION, (table, s)


def test_readme_states_the_recorded_dev_scores() -> None:
    """The README's dev-set table and the recorded figures cannot drift apart."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table, m in _recorded().items():
        cells = [f"`{table}`"] + [f"{m[k]:.2f}" for k in ("precision", "recall", "f1")]
        row = r"\|\s*" + r"\s*\|\s*".join(map(re.escape, cells)) + r"\s*\|"
        assert re.search(row, readme), f"README lacks the dev-set row for {table}"
