"""Build the review site from the tables of an output folder: `DIR/review/index.html` and one
page per document under `DIR/review/doc/`. Everything is inline (CSS, SVG charts), every text
is escaped, and the same tables give byte-identical pages (no clock, no randomness)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template
from urllib.parse import quote

import pandas as pd

from pipeline.output.write import read_table
from pipeline.review.chart import series_chart
from pipeline.review.highlight import Span, highlight

NEEDED = ("documents", "facts", "events", "plans", "services", "mentions", "series",
          "service_status")


class MissingTables(FileNotFoundError):
    """The folder lacks tables the site is built from (the CLI makes it a usage error)."""


def _template(name: str) -> Template:
    return Template(files("pipeline.review").joinpath("templates", name).read_text("utf-8"))


def _v(value) -> str:
    """A cell as text: empty for null, integers without '.0', lists joined with '; '."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    if isinstance(value, list | tuple):
        return "; ".join(_v(v) for v in value)
    return str(value)


def page_name(doc_id: str) -> str:
    """A safe file name for a document's page (doc_ids are file stems)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", doc_id)
    return f"{safe}.html"


def _table(frame: pd.DataFrame, columns: list[str], link: dict[str, str] | None = None,
           row_class: pd.Series | None = None) -> str:
    """An HTML table; `link` maps a column to the column holding its href."""
    if frame.empty:
        return "<p>none</p>"
    link = link or {}
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, (_, row) in enumerate(frame.iterrows()):
        marked = row_class is not None and row_class.iloc[i]
        cls = f' class="{row_class.iloc[i]}"' if marked else ""
        cells = []
        for c in columns:
            text = escape(_v(row[c]))
            if c in link and _v(row[link[c]]):
                text = f'<a href="{escape(row[link[c]])}">{text}</a>'
            numeric = isinstance(row[c], int | float) and not isinstance(row[c], bool)
            num = ' class="num"' if numeric else ""
            cells.append(f"<td{num}>{text}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _fact_title(r) -> str:
    value = _v(r.value) + (f"–{_v(r.value_high)}" if _v(r.value_high) else "")
    period = f"{_v(r.period_start)}–{_v(r.year)}" if _v(r.period_start) else _v(r.year) or "none"
    return (f"fact {r.id} · {r.indicator} · value {value} {r.unit} · qualifier {r.qualifier} · "
            f"year {period} · rule {r.rule}")


def _event_title(r) -> str:
    return (f"event {r.id} · {r.event} · {_v(r.service) or 'no service'} · year "
            f"{_v(r.year) or 'none'} · rule {r.rule}")


def _plan_title(r) -> str:
    return (f"plan {r.id} · {r.kind} · {_v(r.start_year) or '?'}–{_v(r.end_year) or '?'} · "
            f"{_v(r.title)} · rule {r.rule}")


def _spans(tables: dict[str, pd.DataFrame]) -> list[Span]:
    spans = []
    for layer, name, title in (("fact", "facts", _fact_title), ("event", "events", _event_title),
                               ("plan", "plans", _plan_title)):
        spans += [Span(int(r.start_char), int(r.end_char), layer, r.id, title(r))
                  for r in tables[name].itertuples()]
    spans += [Span(int(r.start_char), int(r.end_char), "skipped", r.id,
                   f"skipped figure {r.text!r}: {r.normalised}")
              for r in tables["skipped"].itertuples()]
    return spans


def _document_page(doc, rows: dict[str, pd.DataFrame], style: str) -> str:
    meta = pd.DataFrame([{k: getattr(doc, k, None) for k in (
        "doc_id", "path", "country", "report_year", "doc_type", "url", "status", "error",
        "warning", "n_pages")}])
    anchors = {name: frame.assign(href="#" + frame["id"]) for name, frame in rows.items()}
    text = doc.text if isinstance(doc.text, str) else ""
    return _template("document.html").substitute(
        style=style, doc_id=escape(doc.doc_id), title=escape(_v(doc.title) or doc.doc_id),
        meta=_table(meta.T.reset_index().set_axis(["column", "value"], axis=1),
                    ["column", "value"]),
        text=highlight(text, _spans(rows)),
        n_facts=len(rows["facts"]), n_events=len(rows["events"]), n_plans=len(rows["plans"]),
        n_skipped=len(rows["skipped"]),
        facts=_table(anchors["facts"], ["id", "country", "indicator", "year", "value",
                                        "qualifier", "value_high", "unit", "period_start",
                                        "region", "page", "rule"], {"id": "href"}),
        events=_table(anchors["events"], ["id", "country", "event", "service", "year",
                                          "month", "region", "page", "rule"], {"id": "href"}),
        plans=_table(anchors["plans"], ["id", "country", "kind", "start_year", "end_year",
                                        "title", "page", "rule"], {"id": "href"}),
        skipped=_table(anchors["skipped"].rename(columns={"normalised": "reason"}),
                       ["id", "text", "reason", "page"], {"id": "href"}))


def _documents_table(tables: dict[str, pd.DataFrame]) -> str:
    docs = tables["documents"].copy()
    for name in ("facts", "events", "plans", "services", "skipped"):
        counts = tables[name].groupby("doc_id").size()
        docs[name] = docs["doc_id"].map(counts).fillna(0).astype(int)
    docs["href"] = "doc/" + docs["doc_id"].map(lambda d: quote(page_name(d)))
    return _table(docs, ["doc_id", "title", "country", "report_year", "doc_type", "status",
                         "error", "facts", "events", "plans", "services", "skipped"],
                  {"doc_id": "href"}, docs["status"].map({"error": "error"}).fillna(""))


def _country_section(country: str, series: pd.DataFrame, status: pd.DataFrame) -> str:
    series = series.assign(
        href="doc/" + series["doc_id"].map(lambda d: quote(page_name(d))) + "#" + series["fact_id"])
    charts = []
    annual = series[series["period_start"].isna() & series["region"].isna()]
    for (indicator, unit), group in annual.groupby(["indicator", "unit"], sort=True):
        points = [(int(r.year), float(r.value), r.qualifier)
                  for r in group.sort_values("year").itertuples()]
        caption = f"{indicator} ({unit})"
        charts.append(f"<figure>{series_chart(f'{country} {caption}', points)}"
                      f"<figcaption>{escape(caption)}</figcaption></figure>")
    return (f'<h3 id="country-{escape(country)}">{escape(country)}</h3>'
            f'<div class="charts">{"".join(charts)}</div>'
            + _table(series, ["indicator", "unit", "region", "period_start", "year", "value",
                              "qualifier", "value_high", "n_sources", "values", "conflict",
                              "rule", "doc_id"], {"value": "href"},
                     series["conflict"].map({True: "conflict"}).fillna(""))
            + (_table(status, ["service", "status", "statuses", "start_year", "n_sources",
                               "rule", "doc_id"]) if len(status) else ""))


def _load(out_dir: Path) -> dict[str, pd.DataFrame]:
    missing = [n for n in NEEDED if not (out_dir / f"{n}.parquet").is_file()]
    if missing:
        raise MissingTables(f"no {', '.join(f'{n}.parquet' for n in missing)} in {out_dir}/ "
                            "(run extract first)")
    tables = {n: read_table(out_dir, n) for n in NEEDED}
    for frame in tables.values():
        for c in frame.columns:
            if isinstance(frame[c].dtype, pd.CategoricalDtype):
                frame[c] = frame[c].astype(object)
    mentions = tables.pop("mentions")
    tables["skipped"] = mentions[mentions["label"] == "SKIPPED_FIGURE"]
    return tables


def _write(path: Path, html: str) -> None:
    path.write_text(html, encoding="utf-8")


def build_site(out_dir: Path) -> Path:
    """Write `out_dir/review/` from the tables in `out_dir`; returns the index page.

    The site is built in a hidden sibling folder and swapped in, so a failed build leaves the
    previous site as it was."""
    out_dir = Path(out_dir)
    tables = _load(out_dir)
    style = files("pipeline.review").joinpath("templates", "style.css").read_text("utf-8")
    final = out_dir / "review"
    tmp = out_dir / f".review.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "doc").mkdir(parents=True)
    try:
        for doc in tables["documents"].itertuples():
            rows = {n: tables[n][tables[n]["doc_id"] == doc.doc_id]
                    for n in ("facts", "events", "plans", "skipped")}
            _write(tmp / "doc" / page_name(doc.doc_id), _document_page(doc, rows, style))
        series, status = tables["series"], tables["service_status"]
        countries = sorted(set(series["country"]) | set(status["country"]))
        docs = tables["documents"]
        n_err = int((docs["status"] == "error").sum())
        _write(tmp / "index.html", _template("index.html").substitute(
            style=style, n_docs=len(docs),
            summary=escape(f"{len(docs) - n_err} documents read, {n_err} with errors; "
                           f"{len(tables['facts'])} facts, {len(series)} series, "
                           f"{int(series['conflict'].sum())} in conflict."),
            documents=_documents_table(tables),
            countries="".join(_country_section(c, series[series["country"] == c],
                                               status[status["country"] == c])
                              for c in countries) or "<p>none</p>"))
        old = out_dir / f".review.old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
    return final / "index.html"
