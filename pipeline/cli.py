"""Command line: `python -m pipeline extract …` and `python -m pipeline evaluate …`.

Exit codes: 0 when every document was processed, 1 when some failed (the others are still
written), 2 on a usage error (bad option, missing input path, no tables to score).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.ingest.pdf import PdfSettings
from pipeline.run.document import MAX_CHARS

DEFAULT_OUT = Path("outputs")
DEFAULT_GOLD_DIR = Path("corpus/gold")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn country drug reports (text or PDF) into traceable Parquet tables.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ext = sub.add_parser(
        "extract",
        help="extract records from report files or folders and write the Parquet tables",
        description="Read every .txt/.pdf file given (folders are searched recursively) and "
        "write documents, facts, events, plans, services and mentions tables.",
    )
    ext.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                     help="report files or folders of reports")
    ext.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                     help="folder for the Parquet tables (default: outputs)")
    ext.add_argument("--quiet", action="store_true",
                     help="do not print per-document progress to stderr")
    ext.add_argument("--max-pages", type=_positive_int, default=PdfSettings.max_pages,
                     metavar="N", help="refuse PDFs with more pages than this (error row; "
                     f"default: {PdfSettings.max_pages})")
    ext.add_argument("--pdf-time-limit", type=_positive_float,
                     default=PdfSettings.time_limit_s, metavar="SECONDS",
                     help="give up on a PDF that takes longer to read (error row; "
                     f"default: {PdfSettings.time_limit_s:g})")
    ext.add_argument("--no-tables", action="store_true",
                     help="do not look for tables in PDFs (faster; no tables rows or "
                     "table facts)")
    ext.add_argument("--max-chars", type=_positive_int, default=MAX_CHARS, metavar="N",
                     help="refuse a document whose text is longer (error row; default: "
                     f"{MAX_CHARS})")
    ext.add_argument("--follow-symlinks", action="store_true",
                     help="read files and folders that symbolic links lead to outside the "
                     "folders given (default: such files are error rows)")
    ext.add_argument("--sources", type=Path, metavar="FILE.csv",
                     help="CSV of document metadata (file, title, country, report_year, url) "
                     "that fills or overrides what ingest guessed")
    ext.add_argument("--country-codes", choices=("iso", "eu"), default="iso",
                     help="country codes in the tables: iso (ISO 3166-1, default) or eu "
                     "(EL for Greece, UK for the United Kingdom)")
    ext.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                     help="worker processes (default: the number of cores; the tables are "
                     "the same for any N)")
    ext.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="local: a process pool on this machine (default); dask: a Dask "
                     "cluster (--scheduler), else a LocalCluster of --workers processes")
    ext.add_argument("--scheduler", metavar="ADDRESS",
                     help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --engine "
                     "dask)")
    ext.add_argument("--no-cache", action="store_true",
                     help="re-extract every file: neither use nor update the result cache "
                     "in DIR/.cache/")

    ev = sub.add_parser(
        "evaluate",
        help="score the tables in --out against hand-curated gold CSV files",
        description="Precision, recall and F1 per table against gold files (see the spec's "
        "annotation rules). Only documents present in the tables are scored.",
    )
    ev.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                    help="folder holding the Parquet tables (default: outputs)")
    ev.add_argument("--gold", type=Path, nargs="+", metavar="CSV",
                    help="gold CSV files (default: every corpus/gold/*.csv)")
    ev.add_argument("--show", action="store_true",
                    help="list each missed gold row and each extra extracted row with its sentence")
    ev.add_argument("--by-rule", action="store_true",
                    help="count, per rule id, the rows it made, how many matched gold and how "
                    "many were extra")
    rev = sub.add_parser(
        "review", help="write a static review site of the tables in --out to DIR/review/",
        description="An index of the documents and per-country series, and one page per "
        "document with every fact, event and plan highlighted in its text.")
    rev.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                     help="folder holding the Parquet tables (default: outputs)")

    exp = sub.add_parser(
        "export", help="write the tables in --out as CSV files or one Excel workbook",
        description="Tidy CSV (UTF-8 with BOM) or one .xlsx workbook with a sheet per table, "
        "into DIR/export/.")
    exp.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                     help="folder holding the Parquet tables (default: outputs)")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                     help="csv: one file per table; xlsx: one workbook (default: csv)")
    return parser


def _review(args: argparse.Namespace) -> int:
    from pipeline.review.site import MissingTables, build_site

    try:
        index = build_site(args.out)
    except MissingTables as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"review site written: {index}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from pipeline.export.tables import export_tables
    from pipeline.review.site import MissingTables

    try:
        written = export_tables(args.out, args.format)
    except MissingTables as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"written: {path}", file=sys.stderr)
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _extract(args: argparse.Namespace) -> int:
    from pipeline.output.publish import OutputBusy
    from pipeline.run.engines import default_workers
    from pipeline.run.runner import RunOptions, run

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"error: input not found: {missing[0]}", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    if args.engine == "dask" and importlib.util.find_spec("distributed") is None:
        print("error: --engine dask needs Dask: pip install -e '.[dask]'", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"error: --out {args.out} exists and is not a folder", file=sys.stderr)
        return 2
    sources = _sources(args)
    if sources is None:
        return 2
    try:
        settings = PdfSettings(max_pages=args.max_pages, time_limit_s=args.pdf_time_limit,
                               tables=not args.no_tables)
        options = RunOptions(workers=args.workers or default_workers(), engine=args.engine,
                             scheduler=args.scheduler, cache=not args.no_cache,
                             country_codes=args.country_codes)
        result = run(args.paths, args.out, progress=None if args.quiet else _progress(),
                     pdf=settings, max_chars=args.max_chars,
                     follow_symlinks=args.follow_symlinks, options=options, sources=sources)
    except OutputBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the tables to {args.out}/: {exc}", file=sys.stderr)
        return 2
    n = result.stats.documents
    failed = result.failed
    print(f"{n - len(failed)} of {n} documents processed; tables written to {args.out}/",
          file=sys.stderr)
    print(result.stats.summary(), file=sys.stderr)
    for doc in failed:
        print(f"  failed: {doc.path}: {doc.error}", file=sys.stderr)
    return 1 if failed else 0


def _sources(args: argparse.Namespace) -> tuple | None:
    """The `--sources` rows (a warning for rows naming no input), or None after an error."""
    from pipeline.ingest.read import discover_inputs
    from pipeline.ingest.sources import SourcesError, load_sources, unmatched

    if args.sources is None:
        return ()
    try:
        sources = load_sources(args.sources)
    except SourcesError as exc:
        print(f"error: --sources: {exc}", file=sys.stderr)
        return None
    for row in unmatched(sources, discover_inputs(args.paths, args.follow_symlinks)):
        print(f"warning: --sources {args.sources}:{row.line}: `{row.file}` is not among the "
              "inputs", file=sys.stderr)
    return sources


def _progress():  # noqa: ANN202 - a callable(i, n, doc, ext)
    """A redrawn bar with rate and ETA on a terminal, a plain line per document elsewhere."""
    from pipeline.run.progress import ProgressBar, report_line

    return ProgressBar() if sys.stderr.isatty() else report_line


def _evaluate(args: argparse.Namespace) -> int:
    from pipeline.check.evaluate import format_report, load_gold, score

    gold_paths = args.gold or sorted(DEFAULT_GOLD_DIR.glob("*.csv"))
    if not gold_paths:
        print(f"error: no gold files given and none in {DEFAULT_GOLD_DIR}/", file=sys.stderr)
        return 2
    if not (args.out / "documents.parquet").exists():
        print(f"error: no tables in {args.out}/ (run extract first)", file=sys.stderr)
        return 2
    missing = [p for p in gold_paths if not p.exists()]
    if missing:
        print(f"error: gold file not found: {missing[0]}", file=sys.stderr)
        return 2
    try:
        gold = load_gold(gold_paths)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = score(args.out, gold)
    print(format_report(report, show=args.show, by_rule=args.by_rule))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "review":
            return _review(args)
        if args.command == "export":
            return _export(args)
        return _evaluate(args)
    except KeyboardInterrupt as exc:
        print(f"interrupted: {str(exc) or 'no table was replaced'}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `evaluate --show | head`: the reader left; say nothing more (Python's advice:
        # point stdout at devnull so the interpreter's final flush cannot fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
