"""Regression: the pipeline reproduces the hand-curated seed gold exactly.

Fails when precision or recall of any table drops below 1.0 on the required gold rows of the
seed reports in corpus/ (gold: corpus/gold/seeds.csv).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.check.evaluate import load_gold, score
from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("seeds-out")
    result = run([ROOT / "corpus"], out, progress=None)
    assert not result.failed
    return score(out, load_gold([ROOT / "corpus" / "gold" / "seeds.csv"]))


@pytest.mark.parametrize("table", ["facts", "events", "plans", "services"])
def test_seed_gold_precision_and_recall(seed_report, table: str) -> None:
    s = seed_report.tables[table]
    assert s.n_required > 0
    assert [m for m in s.misses] == [], f"{table}: missed gold rows"
    assert [e for e in s.extras] == [], f"{table}: extracted rows outside the gold"
    assert (s.precision, s.recall) == (1.0, 1.0)


def test_every_seed_is_scored(seed_report) -> None:
    assert len(seed_report.scored_docs) == 5
    assert seed_report.skipped_docs == []
