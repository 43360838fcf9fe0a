"""All-or-nothing output: a writer killed (SIGKILL) at every step of a run leaves a reader a
complete old or new set, and the next run cleans up; one run per folder; Ctrl-C around the
switch says the truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.output.publish import KILL_AT_ENV, OutputBusy
from pipeline.output.tables import TABLE_NAMES
from pipeline.output.writer import TableSetWriter

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))

# Writes LABEL-000 … LABEL-(N-1), one made-up fact each, two rows a row group.
WRITER_SCRIPT = """
import sys
from pathlib import Path
from pipeline.output.writer import TableSetWriter
from pipeline.types import Document, Extraction, Fact, Provenance

out, label, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with TableSetWriter(out, row_group_rows=2) as writer:
    for i in range(n):
        doc_id = f"{label}-{i:03d}"
        text = f"In 2020 there were {i + 1} rooms."
        doc = Document(doc_id, doc_id + ".txt", "0" * 64, "txt", text, country="AT")
        prov = Provenance(19, 19 + len(str(i + 1)), text, "made-up")
        fact = Fact(doc_id, "AT", "dcr.facilities", 2020, float(i + 1), "exact", "count", prov)
        writer.add(Extraction(doc, facts=[fact]))
    writer.commit()
"""

HOLD_SCRIPT = """
import sys, time
from pipeline.output.writer import TableSetWriter
with TableSetWriter(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""

SIZES = {"old": 3, "new": 5}
# The steps of a run in order; a kill from "switched" on leaves the new set published.
STEPS = ["row-group", "written", "synced", "adopted", "linked", "switched", "cleaned"]


def _env(kill_at: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop(KILL_AT_ENV, None)
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    return env


def write_set(out: Path, label: str, kill_at: str | None = None) -> int:
    result = subprocess.run(
        [sys.executable, "-c", WRITER_SCRIPT, str(out), label, str(SIZES[label])],
        env=_env(kill_at), capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, -9), result.stderr
    return result.returncode


def read_set(out: Path) -> str:
    """What a reader sees through the names users read: one complete set, old or new."""
    docs = pd.read_parquet(out / "documents.parquet")
    labels = {d.split("-")[0] for d in docs["doc_id"]}
    assert len(labels) == 1, f"a mix of sets: {sorted(docs['doc_id'])}"
    label = labels.pop()
    assert len(docs) == SIZES[label]
    for name in TABLE_NAMES:
        ids = set(pq.read_table(out / f"{name}.parquet").column("doc_id").to_pylist())
        assert ids <= set(docs["doc_id"]), name
    facts = duckdb.sql(f"SELECT count(*), min(doc_id) FROM '{out / 'facts.parquet'}'")
    assert facts.fetchall() == [(SIZES[label], f"{label}-000")]
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == list(TABLE_NAMES)
    return label


def assert_clean(out: Path) -> None:
    """After a complete run: one generation, the links, no leftovers."""
    assert [p.name for p in (out / ".generations").iterdir()] == [
        os.readlink(out / ".current").split("/")[-1]]
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name]
    for name in TABLE_NAMES:
        assert os.readlink(out / f"{name}.parquet") == f".current/{name}.parquet"


@pytest.mark.parametrize("step", STEPS)
def test_kill_at_each_step_leaves_old_or_new_set(tmp_path: Path, step: str) -> None:
    out = tmp_path / "out"
    assert write_set(out, "old") == 0
    assert write_set(out, "new", kill_at=step) == -9
    expected = "new" if STEPS.index(step) >= STEPS.index("switched") else "old"
    assert read_set(out) == expected
    assert write_set(out, "new") == 0
    assert read_set(out) == "new"
    assert_clean(out)


def _write_plain_old_set(out: Path) -> None:
    """Tables as the earlier writer left them: plain files (and a temporary it left)."""
    from pipeline.output.write import extractions_to_tables
    from pipeline.types import Document, Extraction

    docs = [Extraction(Document(f"old-{i:03d}", "x.txt", "", "txt", "text", country="AT"))
            for i in range(SIZES["old"])]
    out.mkdir()
    for name, table in extractions_to_tables(docs).items():
        pq.write_table(table, out / f"{name}.parquet")
    (out / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": n} for n in TABLE_NAMES]}), encoding="utf-8")
    (out / ".facts.parquet.tmp-4242").write_bytes(b"partial")


@pytest.mark.parametrize("step", ["synced", "adopted", "linked", "switched"])
def test_plain_files_of_the_earlier_writer_are_adopted(tmp_path: Path, step: str) -> None:
    out = tmp_path / "out"
    _write_plain_old_set(out)
    before = (out / "facts.parquet").read_bytes()
    assert write_set(out, "new", kill_at=step) == -9
    if step in ("synced", "adopted", "linked"):
        docs = pd.read_parquet(out / "documents.parquet")
        assert sorted(docs["doc_id"]) == ["old-000", "old-001", "old-002"]
        assert (out / "facts.parquet").read_bytes() == before
    else:
        assert read_set(out) == "new"
    assert write_set(out, "new") == 0
    assert read_set(out) == "new"
    assert_clean(out)
    assert not (out / ".facts.parquet.tmp-4242").exists()


def test_second_writer_on_a_folder_is_refused(tmp_path: Path) -> None:
    with TableSetWriter(tmp_path):
        with pytest.raises(OutputBusy, match="another run is writing"):
            TableSetWriter(tmp_path)
    with TableSetWriter(tmp_path) as writer:  # released on exit
        writer.commit()
    assert read_set_empty(tmp_path)


def read_set_empty(out: Path) -> bool:
    return pd.read_parquet(out / "documents.parquet").empty


def test_two_runs_one_folder_second_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, str(out)], env=_env(),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(SEEDS[0]),
                                 "--out", str(out), "--quiet"], env=_env(), cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        assert "another run is writing to" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.kill()  # SIGKILL: the OS releases the lock
        holder.wait()
    with TableSetWriter(out) as writer:
        writer.commit()


def _extract(out: Path, seed: Path, hook: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", str(seed), "--out",
                           str(out), "--quiet"], env=_env(hook), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_ctrl_c_before_and_during_the_switch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _extract(out, SEEDS[0]).returncode == 0
    first = SEEDS[0].stem
    before = _extract(out, SEEDS[1], hook="linked:INT")
    assert before.returncode == 130
    assert "interrupted: no table was replaced" in before.stderr
    assert pd.read_parquet(out / "documents.parquet")["doc_id"].tolist() == [first]
    during = _extract(out, SEEDS[1], hook="switched:INT")
    assert during.returncode == 130
    assert "the new tables had been published" in during.stderr
    assert pd.read_parquet(out / "documents.parquet")["doc_id"].tolist() == [SEEDS[1].stem]
    assert_clean(out)
