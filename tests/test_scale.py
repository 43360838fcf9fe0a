"""Scale: the tables do not depend on the engine, the number of workers or the cache.

Runs the real pipeline end to end on the seed reports plus an unreadable file and a
duplicate, and compares the written Parquet files byte for byte.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.output.tables import TABLE_NAMES
from pipeline.run import batch, cache
from pipeline.run.batch import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The five seeds, one of them twice (a duplicate) and an empty file (an error row)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(SEEDS[1], folder / "zz_copy_of_second.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def table_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.parquet"))}


def test_one_and_two_workers_write_identical_tables(corpus: Path, tmp_path: Path) -> None:
    one = run([corpus], tmp_path / "one", progress=None, options=RunOptions(workers=1))
    two = run([corpus], tmp_path / "two", progress=None, options=RunOptions(workers=2))
    assert len(table_bytes(tmp_path / "one")) == len(TABLE_NAMES)
    assert table_bytes(tmp_path / "one") == table_bytes(tmp_path / "two")
    assert [d.doc_id for d in one.failed] == [d.doc_id for d in two.failed] == ["empty"]
    for stats in (one.stats, two.stats):
        assert (stats.documents, stats.errors, stats.duplicates, stats.cached) == (7, 1, 1, 0)
    assert one.stats.rows == two.stats.rows


def test_duplicates_are_read_once_and_named(corpus: Path, tmp_path: Path) -> None:
    result = run([corpus], tmp_path / "out", progress=None)
    assert result.stats.duplicates == 1
    assert result.stats.documents == 7
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    copy, first = docs.loc["zz_copy_of_second"], docs.loc[SEEDS[1].stem]
    assert copy["warning"].startswith(f"duplicate of {SEEDS[1].stem}: the same bytes")
    assert copy["sha256"] == first["sha256"]
    assert copy["text"] == first["text"] and copy["status"] == "ok"
    assert copy["path"].endswith("zz_copy_of_second.txt")
    for name in ("facts", "events", "plans", "services", "mentions"):
        frame = pd.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert "zz_copy_of_second" not in set(frame["doc_id"]), name
    services = pd.read_parquet(tmp_path / "out" / "services.parquet")
    assert SEEDS[1].stem in set(services["doc_id"])


def _cached_run(corpus: Path, out: Path):  # noqa: ANN202
    return run([corpus], out, progress=None, options=RunOptions(workers=1, cache=True))


def test_warm_run_uses_the_cache_and_writes_the_same_tables(corpus: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    cold = _cached_run(corpus, out)
    cold_tables = table_bytes(out)
    assert cold.stats.cached == 0
    warm = _cached_run(corpus, out)
    # Five seeds from the cache; the duplicate is never extracted, the empty file (an
    # error) is not cached but retried.
    assert (warm.stats.cached, warm.stats.duplicates) == (5, 1)
    assert table_bytes(out) == cold_tables
    shutil.rmtree(out / ".cache")
    assert _cached_run(corpus, out).stats.cached == 0
    assert table_bytes(out) == cold_tables


def test_changed_file_is_re_extracted_alone(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _cached_run(corpus, out)
    changed = corpus / SEEDS[0].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("2017", "2016"),
                       encoding="utf-8")
    again = _cached_run(corpus, out)
    assert again.stats.cached == 4
    run([corpus], tmp_path / "fresh", progress=None)
    assert table_bytes(out) == table_bytes(tmp_path / "fresh")


def test_rule_change_invalidates_every_entry(corpus: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _cached_run(corpus, out)
    old = {p.name for p in (out / ".cache").iterdir()}
    monkeypatch.setattr(cache, "rules_fingerprint", lambda: "a changed vocabulary")
    assert _cached_run(corpus, out).stats.cached == 0
    new = {p.name for p in (out / ".cache").iterdir()}
    assert len(new) == 1 and not new & old  # the old generation is removed


def test_rules_fingerprint_covers_vocabularies_and_rule_code() -> None:
    names = {p.relative_to(cache.PACKAGE).as_posix() for p in cache._rule_files()}
    assert {"data/services.yaml", "data/token_patterns.jsonl", "link/facts.py",
            "extract/match.py", "ingest/read.py", "run/batch.py"} <= names
    assert not any(n.startswith(("output/", "bench/", "check/")) for n in names)


def test_a_crashing_worker_becomes_an_error_row(corpus: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-file (here: it exits) costs that file only; forked workers
    inherit the patched function."""
    real = batch.path_to_extraction

    def dies_on_one(item, pdf, max_chars, sources=()):  # noqa: ANN001, ANN202
        if item.path.name == SEEDS[2].name:
            os._exit(3)
        return real(item, pdf, max_chars, sources)

    monkeypatch.setattr(batch, "path_to_extraction", dies_on_one)
    result = run([corpus], tmp_path / "out", progress=None, options=RunOptions(workers=2))
    assert sorted(d.doc_id for d in result.failed) == sorted(["empty", SEEDS[2].stem])
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("doc_id")
    assert "worker process died" in docs.loc[SEEDS[2].stem, "error"]
    assert (docs.drop(index=["empty", SEEDS[2].stem])["status"] == "ok").all()


def test_dask_local_cluster_writes_the_local_engine_tables(corpus: Path,
                                                           tmp_path: Path) -> None:
    run([corpus], tmp_path / "local", progress=None, options=RunOptions(workers=1))
    run([corpus], tmp_path / "dask", progress=None,
        options=RunOptions(workers=2, engine="dask"))
    assert table_bytes(tmp_path / "dask") == table_bytes(tmp_path / "local")
