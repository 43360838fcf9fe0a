"""PDF ingest benchmark: `python -m pipeline.bench.pdf [--pages 32] [--repeat 3]`.

Renders a report-like PDF of about `--pages` pages from the seed reports (the test
fixture renderer, `pipeline/bench/render_pdf.py`: A4, title page, running header and footer,
two-column pages, hyphenated words, one ruled table), and times over the same file, in one
process:

- bare pypdfium2 text extraction (`get_textpage().get_text_range()` per page);
- bare pdfplumber `extract_text()` per page (with `page.close()`);
- the ingest stage, `read_document` (text layer, layout repairs, tables, normalising);
- the ingest stage without the table finder, and read + extract (the whole pipeline).

Peak memory of the ingest stage is measured in fresh child processes on the file and on
one four times as long, to show whether memory stays flat as pages grow.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.bench.text import SEED, bench_parser, best_of, vary_figures

TARGET_PAGES_PER_S = 150.0
TARGET_PEAK_MIB = 200.0
FLAT_KIB_PER_PAGE = 100.0
_CHILD = """
import json, resource, sys
from pathlib import Path
from pipeline.ingest.read import read_document
doc = read_document(Path(sys.argv[1]))
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork and exec).
try:
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"status": doc.status, "pages": doc.n_pages, "peak_mib": peak}))
"""


def render_fixture(corpus: Path, pages: int, folder: Path) -> Path:
    """A report-like PDF of at least `pages` pages built from the seed texts."""
    try:
        from pipeline.bench.render_pdf import render_report, table_from_gold
    except ImportError as exc:  # fpdf2 is a dev dependency; `make venv` installs it
        raise SystemExit(f"error: the PDF fixture renderer needs the dev extras ({exc}); "
                         "run `make venv`") from exc
    seeds = sorted(corpus.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"error: no seed reports (*.txt) in {corpus}")
    rng = random.Random(SEED)
    title = "Benchmark Country Drug Report 2030"
    bodies: list[str] = []
    rendered = None
    while rendered is None or rendered.n_pages < pages:
        for seed in seeds:
            text = seed.read_text(encoding="utf-8").split("\n", 1)[-1]
            bodies.append(vary_figures(text, rng))
        rendered = render_report("\n\n".join([title, *bodies]), table_from_gold(seeds[0].stem))
    path = folder / f"report-{rendered.n_pages}p.pdf"
    path.write_bytes(rendered.data)
    return path


def _pdfium_text(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    n = 0
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        n += len(textpage.get_text_range())
        textpage.close()
        page.close()
    doc.close()
    return n


def _pdfplumber_text(path: Path) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n += len(page.extract_text() or "")
            page.close()
    return n


def child_peak(path: Path) -> dict:
    """Peak memory of `read_document` on one file, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout)


def run_bench(pages: int, repeat: int, corpus: Path) -> int:
    from pipeline.ingest.pdf import PdfSettings
    from pipeline.ingest.read import read_document
    from pipeline.run.batch import document_to_extraction, load_rules

    with tempfile.TemporaryDirectory(prefix="drugreport-bench-pdf-") as tmp:
        folder = Path(tmp)
        path = render_fixture(corpus, pages, folder)
        long_path = render_fixture(corpus, pages * 4, folder)
        doc = read_document(path)
        if doc.status != "ok":
            raise SystemExit(f"error: the fixture could not be read: {doc.error}")
        n_pages = doc.n_pages or 0
        words = len(doc.text.split())
        load_rules()
        no_tables = PdfSettings(tables=False)
        runs: list[tuple[str, Callable[[], object], str]] = [
            ("pypdfium2: bare text", lambda: _pdfium_text(path), "get_text_range per page"),
            ("pdfplumber: bare extract_text", lambda: _pdfplumber_text(path),
             "extract_text + page.close"),
            ("ingest: read_document", lambda: read_document(path),
             "text layer, layout, tables, normalise"),
            ("ingest without tables", lambda: read_document(path, no_tables),
             "--no-tables"),
            ("pipeline: read + extract", lambda: document_to_extraction(read_document(path)),
             "every stage but writing"),
        ]
        seconds = {name: best_of(repeat, fn)[0] for name, fn, _ in runs}
        peaks = [child_peak(path), child_peak(long_path)]

    print(f"fixture: {n_pages} pages, {words:,} words (seed reports rendered as a report-like "
          f"PDF: title page, header/footer, two columns, hyphenation, one table)")
    print(f"timings: best of {repeat}, one process, one core\n")
    header = f"{'stage':<32} {'seconds':>8} {'pages/s':>9} {'words/s':>10} {'x pdfium':>9} " \
             f"{'x plumber':>10}  note"
    print(header)
    print("-" * len(header))
    base_pdfium = seconds["pypdfium2: bare text"]
    base_plumber = seconds["pdfplumber: bare extract_text"]
    for name, _fn, note in runs:
        secs = max(seconds[name], 1e-9)
        print(f"{name:<32} {secs:>8.3f} {n_pages / secs:>9,.1f} {words / secs:>10,.0f} "
              f"{secs / base_pdfium:>9.2f} {secs / base_plumber:>10.3f}  {note}")
    print("-" * len(header))
    for peak in peaks:
        print(f"peak memory, ingest of {peak['pages']} pages in a fresh process: "
              f"{peak['peak_mib']:.0f} MiB")
    rate = n_pages / seconds["ingest: read_document"]
    peak_mib = max(p["peak_mib"] for p in peaks)
    growth = peaks[1]["peak_mib"] - peaks[0]["peak_mib"]
    per_page_kib = 1024 * growth / max(peaks[1]["pages"] - peaks[0]["pages"], 1)
    # What must grow is the kept text and its offset map (a few KiB a page); pages held
    # open would add megabytes a page.
    flat = per_page_kib <= FLAT_KIB_PER_PAGE
    print(f"target: ingest >= {TARGET_PAGES_PER_S:.0f} pages/s per core: {rate:,.0f} pages/s -> "
          f"{'PASS' if rate >= TARGET_PAGES_PER_S else 'BELOW'}")
    print(f"target: peak <= {TARGET_PEAK_MIB:.0f} MiB: {peak_mib:.0f} MiB -> "
          f"{'PASS' if peak_mib <= TARGET_PEAK_MIB else 'ABOVE'}; "
          f"{peaks[0]['pages']} -> {peaks[1]['pages']} pages adds {growth:+.0f} MiB "
          f"({per_page_kib:.0f} KiB a page, the text kept) -> {'flat' if flat else 'GROWS'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(
        "python -m pipeline.bench.pdf",
        "Time the PDF ingest stage against bare pypdfium2 and pdfplumber text extraction on a "
        "report-like PDF rendered from the seed reports.",
    )
    parser.add_argument("--pages", type=int, default=32, metavar="N",
                        help="pages of the rendered report (default: 32)")
    args = parser.parse_args(argv)
    if args.pages < 2 or args.repeat < 1:
        parser.error("--pages must be >= 2 and --repeat >= 1")
    started = time.perf_counter()
    code = run_bench(args.pages, args.repeat, args.corpus)
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
