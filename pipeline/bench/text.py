"""Throughput benchmark: `python -m pipeline.bench.text [--size-mb 1.0] [--repeat 3]`.

Builds a synthetic corpus of about `--size-mb` MB in a temporary folder from the seed
reports in `corpus/*.txt`: the seeds are repeated, every digit run replaced by another
number of the same length drawn from a seeded `random.Random` (4-digit years stay plausible
years), so the work is realistic and the corpus identical from run to run. Then, in one
process, it times:

- start-up: importing the pipeline, building the blank spaCy pipeline, the matchers and
  loading the vocabularies (paid once per process, reported apart);
- baseline: bare `spacy.blank("en")` tokenisation of the same texts via `nlp.pipe`;
- pipeline: `document_to_extraction(read_document(path))` over every file, split into
  ingest / segment / extract / link;
- write: building the tables and writing the Parquet files.

Words are whitespace-separated tokens of the normalised text; a page of a .txt file is
3 000 characters. With `--repeat N` each measurement runs N times and the best is kept.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHARS_PER_PAGE = 3000
TARGET_WORDS_PER_S = 150_000
SEED = 20240601
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "corpus"

_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")


# --------------------------------------------------------------------------- corpus


def vary_figures(text: str, rng: random.Random) -> str:
    """Replace every digit run by a different number of the same length (deterministic)."""

    def repl(m: re.Match[str]) -> str:
        old = m.group()
        if len(old) == 4 and _YEAR.fullmatch(old):
            new = str(rng.randint(1990, 2029))
        else:
            first = old[0] if old[0] == "0" else str(rng.randint(1, 9))
            new = first + "".join(str(rng.randint(0, 9)) for _ in old[1:])
        if new == old and len(old) == 1:
            new = str((int(old) + 1) % 10)
        return new

    return _DIGITS.sub(repl, text)


def build_corpus(seeds: list[Path], folder: Path, size_bytes: int) -> list[Path]:
    """Write variants of the seeds into `folder` until they add up to `size_bytes`."""
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in seeds]
    if not texts:
        raise SystemExit("error: no seed reports (*.txt) found")
    rng = random.Random(SEED)
    paths: list[Path] = []
    total = 0
    while total < size_bytes:
        for stem, text in texts:
            path = folder / f"bench{len(paths):05d}_{stem}.txt"
            data = vary_figures(text, rng).encode("utf-8")
            path.write_bytes(data)
            paths.append(path)
            total += len(data)
            if total >= size_bytes:
                break
    return paths


# --------------------------------------------------------------------------- timing


@dataclass
class Timings:
    """Seconds spent per named stage (accumulated over calls)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t0)

        return timed

    def wrap_iter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """For a generator function: time each step of the iteration, where the work is."""
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = iter(func(*args, **kwargs))
            while True:
                t0 = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    self.add(name, time.perf_counter() - t0)
                    return
                self.add(name, time.perf_counter() - t0)
                yield item

        return timed


# Names `document_to_extraction` looks up in `pipeline.run.batch` → the stage they belong to.
# `text_to_chunks` is a generator (paragraphs, spaCy tokens and sentences a chunk at a time):
# each of its steps is timed; everything else inside `document_to_extraction` counts as link.
_GENERATORS = {"text_to_chunks"}
_STAGE_OF = {
    "text_to_chunks": "segment",
    "find": "extract",
    "finds_to_mentions": "extract",
}


@contextmanager
def stage_timers(timings: Timings) -> Iterator[None]:
    """Temporarily wrap the stage functions used by `pipeline.run.batch` with timers."""
    from pipeline.run import batch as module

    saved = {n: getattr(module, n) for n in _STAGE_OF if hasattr(module, n)}
    try:
        for name, func in saved.items():
            wrap = timings.wrap_iter if name in _GENERATORS else timings.wrap
            setattr(module, name, wrap(_STAGE_OF[name], func))
        yield
    finally:
        for name, func in saved.items():
            setattr(module, name, func)


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """(fastest wall time, result of the last run) over `repeat` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes vs KiB


# --------------------------------------------------------------------------- benchmark


@dataclass
class Row:
    name: str
    seconds: float
    note: str = ""


def run_bench(size_mb: float, repeat: int, corpus: Path, out: Path | None) -> int:
    t0 = time.perf_counter()
    import spacy

    from pipeline.ingest.read import read_document
    from pipeline.output.write import extractions_to_tables, write_tables
    from pipeline.run.batch import document_to_extraction, load_rules

    load_rules()  # spaCy, matchers, vocabularies: once, as `run` does
    blank = spacy.blank("en")
    startup = time.perf_counter() - t0

    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        seeds = sorted(corpus.glob("*.txt"))
        paths = build_corpus(seeds, folder, int(size_mb * 1024 * 1024))
        n_bytes = sum(p.stat().st_size for p in paths)

        # Warm-up on one file: first-call caches (vocabularies, country names, doc types).
        t0 = time.perf_counter()
        document_to_extraction(read_document(paths[0]))
        startup += time.perf_counter() - t0

        docs = [read_document(p) for p in paths]
        texts = [d.text for d in docs]
        failed = [d for d in docs if d.status != "ok"]
        words = sum(len(t.split()) for t in texts)
        chars = sum(len(t) for t in texts)
        pages = chars / CHARS_PER_PAGE

        baseline, _ = best_of(repeat, lambda: sum(len(d) for d in blank.pipe(texts)))

        best_split: Timings | None = None

        def whole_pipeline() -> list:
            nonlocal best_split
            timings = Timings()
            extractions = []
            with stage_timers(timings):
                for p in paths:
                    t1 = time.perf_counter()
                    doc = read_document(p)
                    t2 = time.perf_counter()
                    extractions.append(document_to_extraction(doc))
                    timings.add("ingest", t2 - t1)
                    timings.add("_doc", time.perf_counter() - t2)
            if best_split is None or sum(timings.seconds.values()) < sum(
                best_split.seconds.values()
            ):
                best_split = timings
            return extractions

        pipeline_s, extractions = best_of(repeat, whole_pipeline)
        out_dir = out or Path(tmp) / "out"
        table_s, tables = best_of(repeat, lambda: extractions_to_tables(extractions))
        parquet_s, _ = best_of(repeat, lambda: write_tables(tables, out_dir))

    assert best_split is not None
    split = best_split.seconds
    link = split.get("_doc", 0.0) - split.get("segment", 0.0) - split.get("extract", 0.0)
    counts = {name: tables[name].num_rows for name in ("facts", "events", "plans", "services")}

    print(
        f"corpus: {len(paths)} files ({len(seeds)} seeds varied) = {n_bytes / 1e6:.2f} MB, "
        f"{words:,} words, {pages:,.0f} pages ({CHARS_PER_PAGE:,} chars/page); "
        f"{len(failed)} failed"
    )
    print(f"output: {', '.join(f'{v:,} {k}' for k, v in counts.items())}, "
          f"{tables['mentions'].num_rows:,} mentions")
    print(f"start-up (imports, spaCy blank pipeline, matchers, vocabularies): {startup:.2f} s")
    print(f"timings: best of {repeat}, one process, one core\n")

    rows = [
        Row("baseline: spacy.blank tokenise", baseline, "nlp.pipe, no matching"),
        Row("pipeline: read + extract", pipeline_s, "document_to_extraction(read_document)"),
        Row("  ingest", split.get("ingest", 0.0), "read, decode, normalise, metadata"),
        Row("  segment", split.get("segment", 0.0), "paragraphs, spaCy tokens, sentences"),
        Row("  extract", split.get("extract", 0.0), "matchers, figures, years, mentions"),
        Row("  link", link, "facts, events, plans, services"),
        Row("write: build tables", table_s, "rows, sort, ids, Arrow"),
        Row("write: Parquet files", parquet_s, "atomic write of seven files"),
    ]
    header = f"{'stage':<32} {'seconds':>8} {'words/s':>11} {'pages/s':>9} {'x base':>7}  note"
    print(header)
    print("-" * len(header))
    for row in rows:
        secs = max(row.seconds, 1e-9)
        print(
            f"{row.name:<32} {row.seconds:>8.3f} {words / secs:>11,.0f} {pages / secs:>9,.1f}"
            f" {row.seconds / baseline:>7.2f}  {row.note}"
        )
    print("-" * len(header))
    print(f"ratio pipeline/baseline (time): {pipeline_s / baseline:.2f}x")
    print(f"peak memory (ru_maxrss): {peak_rss_mb():,.0f} MB")
    rate = words / pipeline_s
    verdict = "PASS" if rate >= TARGET_WORDS_PER_S else "BELOW"
    print(
        f"target: text pipeline >= {TARGET_WORDS_PER_S:,} words/s per core: "
        f"{rate:,.0f} words/s -> {verdict}"
    )
    return 0


def bench_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every benchmark shares: --repeat and --corpus."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="run each measurement N times and keep the best (default: 3)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR",
                        help="folder of seed .txt reports (default: the repo's corpus/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(
        "python -m pipeline.bench.text",
        "Time the text pipeline against bare spaCy tokenisation on a synthetic corpus built "
        "from the seed reports.",
    )
    parser.add_argument("--size-mb", type=float, default=1.0, metavar="MB",
                        help="size of the synthetic corpus (default: 1.0)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="keep the written tables here (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.size_mb <= 0 or args.repeat < 1:
        parser.error("--size-mb must be > 0 and --repeat >= 1")
    return run_bench(args.size_mb, args.repeat, args.corpus, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
