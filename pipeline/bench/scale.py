"""Scale benchmark: `python -m pipeline.bench.scale [--reports 2000] [--small 200] [--workers N]`.

Builds a corpus of `--reports` report files from the seed reports (figures varied with a
seeded generator, as `bench/text.py` does) and runs the real `run()` (discovery, planning,
engine, writer) in fresh child processes, each timed from inside (`RunStats.elapsed_s`:
rule building included, interpreter start-up not) with its peak memory:

- 1 worker and N workers (`--no-cache`): words/s and their ratio;
- bare `spacy.blank("en")` tokenisation of the same texts (this process): the ratio of the
  one-worker run to it;
- the floor of the fixed stack (this process): paragraphs, spaCy tokens and sentences, and the
  spaCy matchers over the same texts, with no figure scan, linking, reading or writing, and
  the start-up it needs (importing spaCy and building the matchers, in a fresh process): what
  any run of these rules costs at least, as a ratio to the bare tokenisation;
- a cold run that fills the cache, then an unchanged warm re-run: their ratio;
- peak memory (ru_maxrss of the one-worker run) at `--small` and `--reports` reports;
- with `--long-mb MB`, the peak memory of one run on a single text file of about MB
  megabytes (the seeds over and over).

The load average of the machine is printed before and after: other processes slow the
runs, the parallel one most.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.bench.text import DEFAULT_CORPUS, SEED, best_of, vary_figures
from pipeline.run.engines import default_workers

TARGET_SPEEDUP = 1.8
TARGET_WARM_SHARE = 0.20
TARGET_MEMORY_GROWTH = 1.5

# A fresh interpreter per measurement: its peak memory is its own, its rules built once.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.run.runner import RunOptions, run
folder, out, workers, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
t0 = time.perf_counter()
result = run([Path(folder)], Path(out), progress=None,
             options=RunOptions(workers=workers, cache=cache))
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"elapsed": result.stats.elapsed_s, "wall": wall, "rss_mb": rss,
                  "documents": result.stats.documents, "cached": result.stats.cached,
                  "errors": result.stats.errors}))
"""

# Start-up of the fixed stack: importing spaCy and building the blank pipeline and matchers.
_STARTUP = """
import time
t0 = time.perf_counter()
import spacy
from pipeline.extract.match import build_matchers
build_matchers()
print(time.perf_counter() - t0)
"""


def stack_floor(texts: list[str]) -> float:
    """Seconds to segment `texts` into paragraphs, tokens and sentences and run the spaCy
    matchers over them (rules built beforehand): the part of a run the stack fixes."""
    from pipeline.extract.match import build_matchers, match
    from pipeline.extract.segment import segments_to_sentences, text_to_segments

    matchers = build_matchers()
    t0 = time.perf_counter()
    for text in texts:
        segments, _ = segments_to_sentences(text, text_to_segments(text))
        for seg in segments:
            match(seg.doc, seg.start, matchers, text=seg.text, columns=seg.columns)
    return time.perf_counter() - t0


def stack_startup() -> float:
    proc = subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, text=True,
                          check=True)
    return float(proc.stdout.strip().splitlines()[-1])


def build_reports(seeds: list[Path], folder: Path, n: int) -> list[Path]:
    """`n` report files: the seeds in turn, each copy with its figures varied."""
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in seeds]
    if not texts:
        raise SystemExit("error: no seed reports (*.txt) found")
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        stem, text = texts[i % len(texts)]
        path = folder / f"bench{i:06d}_{stem}.txt"
        path.write_text(vary_figures(text, rng), encoding="utf-8")
        paths.append(path)
    return paths


def run_child(folder: Path, out: Path, workers: int, cache: bool) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), str(out), str(workers), "1" if cache else "0"],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"error: benchmark run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build_long(seeds: list[Path], folder: Path, megabytes: float) -> Path:
    """One text file of about `megabytes` MB: the seeds in turn, as they are."""
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    size = sum(len(t.encode()) + 2 for t in texts)
    copies = max(1, round(megabytes * 1e6 / size))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "long.txt"
    path.write_text("\n\n".join(texts * copies), encoding="utf-8")
    return path


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "BELOW"


def run_bench(n_reports: int, n_small: int, workers: int, repeat: int, corpus: Path,
              long_mb: float = 0) -> int:
    import spacy

    print(f"before: {_load()}")
    seeds = sorted(corpus.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="pipeline-scale-") as tmp:
        root = Path(tmp)
        big = build_reports(seeds, root / "big", n_reports)
        small = root / "small"
        build_reports(seeds, small, n_small)
        texts = [p.read_text(encoding="utf-8") for p in big]
        words = sum(len(t.split()) for t in texts)
        n_bytes = sum(len(t.encode()) for t in texts)
        blank = spacy.blank("en")
        baseline, _ = best_of(repeat, lambda: sum(len(d) for d in blank.pipe(texts)))
        floor, _ = best_of(repeat, lambda: stack_floor(texts))
        startup = min(stack_startup() for _ in range(repeat))

        def best_run(folder: Path, k: int) -> dict[str, float]:
            runs = [run_child(folder, root / f"out-{k}-{i}", k, cache=False)
                    for i in range(repeat)]
            return min(runs, key=lambda r: r["elapsed"])

        one = best_run(root / "big", 1)
        many = best_run(root / "big", workers)
        small_run = best_run(small, 1)
        cold = run_child(root / "big", root / "out-cached", workers, cache=True)
        warm = run_child(root / "big", root / "out-cached", workers, cache=True)
        long_run = None
        if long_mb > 0:
            long_file = build_long(seeds, root / "long", long_mb)
            long_size = long_file.stat().st_size
            long_run = run_child(long_file.parent, root / "out-long", workers, cache=False)

    speedup = one["elapsed"] / many["elapsed"]
    warm_share = warm["elapsed"] / cold["elapsed"]
    growth = one["rss_mb"] / small_run["rss_mb"]
    print(f"corpus: {n_reports:,} reports from {len(seeds)} seeds = {n_bytes / 1e6:.2f} MB, "
          f"{words:,} words; small corpus {n_small:,} reports")
    print(f"timings: run() in a fresh process each (rules built inside, interpreter start "
          f"not), best of {repeat}; machine cores: {default_workers()}\n")
    print(f"bare spacy.blank tokenisation (this process): {baseline:7.2f} s "
          f"{words / baseline:>11,.0f} words/s")
    print(f"floor: segment + spaCy matchers (this process): {floor:5.2f} s "
          f"{words / floor:>11,.0f} words/s   {floor / baseline:.1f}x the bare tokenisation; "
          f"with their start-up ({startup:.2f} s) {(floor + startup) / baseline:.1f}x")
    print(f"1 worker:                                     {one['elapsed']:7.2f} s "
          f"{words / one['elapsed']:>11,.0f} words/s   {one['elapsed'] / baseline:.1f}x "
          "the bare tokenisation (the whole run: rules, read, extract, rows, write)")
    print(f"{workers} workers:                                    {many['elapsed']:7.2f} s "
          f"{words / many['elapsed']:>11,.0f} words/s")
    print(f"speed-up {workers} workers / 1: {speedup:.2f}x "
          f"(target >= {TARGET_SPEEDUP}x with 2: {_verdict(speedup >= TARGET_SPEEDUP)})")
    print(f"cache: cold {cold['elapsed']:.2f} s, warm re-run {warm['elapsed']:.2f} s "
          f"({warm['cached']:.0f} of {warm['documents']:.0f} from the cache) = "
          f"{warm_share:.0%} of cold (target <= {TARGET_WARM_SHARE:.0%}: "
          f"{_verdict(warm_share <= TARGET_WARM_SHARE)}); whole processes {cold['wall']:.2f} s "
          f"vs {warm['wall']:.2f} s")
    print(f"peak memory, 1 worker: {n_small:,} reports {small_run['rss_mb']:.0f} MB, "
          f"{n_reports:,} reports {one['rss_mb']:.0f} MB = {growth:.2f}x "
          f"(target <= {TARGET_MEMORY_GROWTH}x: {_verdict(growth <= TARGET_MEMORY_GROWTH)})")
    if long_run is not None:
        print(f"one long document, {long_size / 1e6:.1f} MB: {long_run['elapsed']:.1f} s, "
              f"peak memory {long_run['rss_mb']:.0f} MB")
    print(f"after: {_load()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench.scale",
        description="Time 1 vs N workers, cold vs warm (cached) runs, and peak memory at two "
        "corpus sizes.")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each uncached measurement N times, keep the best (default: 1)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR",
                        help="folder of seed .txt reports (default: the repo's corpus/)")
    parser.add_argument("--reports", type=int, default=2000, metavar="N",
                        help="reports in the large corpus (default: 2000)")
    parser.add_argument("--small", type=int, default=200, metavar="N",
                        help="reports in the small corpus, for memory (default: 200)")
    parser.add_argument("--workers", type=int, default=max(2, default_workers()), metavar="N",
                        help="workers of the parallel run (default: the cores, at least 2)")
    parser.add_argument("--long-mb", type=float, default=0, metavar="MB",
                        help="also measure the peak memory of one text file of about MB "
                        "megabytes (default: 0, skipped; 50 takes a few minutes)")
    args = parser.parse_args(argv)
    if min(args.reports, args.small, args.workers, args.repeat) < 1:
        parser.error("--reports, --small, --workers and --repeat must be at least 1")
    t0 = time.perf_counter()
    code = run_bench(args.reports, args.small, args.workers, args.repeat, args.corpus,
                     args.long_mb)
    print(f"(benchmark took {time.perf_counter() - t0:.0f} s)")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
