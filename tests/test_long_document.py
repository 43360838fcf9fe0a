"""A long document: its mention rows go to a temporary file a chunk of sentences at a time
(`MentionSpill`), and the tables are byte for byte those of the same document held whole,
and those of a two-worker run (which never spills)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.output.rows import MentionSpill
from pipeline.run import batch
from pipeline.run.runner import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """One document of the seeds 16 times over (two chunks of paragraphs), and one seed."""
    folder = tmp_path / "reports"
    folder.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    (folder / "long.txt").write_text("\n\n".join(texts * 16), encoding="utf-8")
    (folder / "short.txt").write_text(texts[0], encoding="utf-8")
    return folder


def _tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.parquet"))}


def _spills() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("drugreport-mentions-*")}


def test_spilled_mentions_give_the_same_tables(corpus: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    chunks: list[int] = []
    real_add = MentionSpill.add

    def counted(self: MentionSpill, mentions: list, sentences: list) -> None:
        chunks.append(len(mentions))
        real_add(self, mentions, sentences)

    monkeypatch.setattr(MentionSpill, "add", counted)
    before = _spills()
    monkeypatch.setattr(batch, "SPILL_CHARS", 100_000)
    spilled = run([corpus], tmp_path / "spilled", progress=None, options=RunOptions(workers=1))
    assert len(chunks) == 2 and all(chunks)  # the long document only, in two chunks
    assert _spills() == before  # the temporary file is removed once written
    two = run([corpus], tmp_path / "two", progress=None, options=RunOptions(workers=2))
    monkeypatch.setattr(batch, "SPILL_CHARS", 10**12)
    whole = run([corpus], tmp_path / "whole", progress=None, options=RunOptions(workers=1))
    assert len(chunks) == 2
    assert spilled.stats.rows == whole.stats.rows == two.stats.rows
    assert _tables(tmp_path / "spilled") == _tables(tmp_path / "whole") \
        == _tables(tmp_path / "two")
    doc_ids = pq.read_table(tmp_path / "spilled" / "mentions.parquet").column("doc_id")
    assert doc_ids.to_pylist().count("long") == sum(chunks)
