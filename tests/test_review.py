"""`review`: the static site, its highlighting (checked in a real browser, headless
Chromium, when one is installed) and its escaping."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.output.write import read_table
from pipeline.review.highlight import Span, highlight
from pipeline.review.site import page_name
from pipeline.run.batch import run

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Marks(HTMLParser):
    """data-id → the classes of every <mark> carrying it; the text inside marks."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "mark" and "data-id" in attrs:
            self.ids.setdefault(attrs["data-id"], set()).add(attrs.get("class", ""))


def _marks(html: str) -> dict[str, set[str]]:
    parser = _Marks()
    parser.feed(html)
    return parser.ids


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "out"
    run([ROOT / "corpus"], out, progress=None)
    assert main(["review", "--out", str(out)]) == 0
    return out


def _row_ids(out: Path, doc_id: str) -> dict[str, set[str]]:
    tables = {name: read_table(out, name) for name in ("facts", "events", "plans")}
    return {name: set(t[t.doc_id == doc_id]["id"]) for name, t in tables.items()}


def test_every_document_page_highlights_every_row_by_id(site: Path) -> None:
    docs = read_table(site, "documents")
    layer = {"facts": "hl fact", "events": "hl event", "plans": "hl plan"}
    for doc_id in docs.doc_id:
        html = (site / "review" / "doc" / page_name(doc_id)).read_text(encoding="utf-8")
        marks = _marks(html)
        for name, ids in _row_ids(site, doc_id).items():
            for row_id in ids:
                assert marks.get(row_id) == {layer[name]}, (doc_id, name, row_id)
    index = (site / "review" / "index.html").read_text(encoding="utf-8")
    for doc_id in docs.doc_id:
        assert f'href="doc/{page_name(doc_id)}"' in index
    assert "<svg" in index and "<script" not in index


def test_skipped_figures_show_with_their_reason(site: Path) -> None:
    mentions = read_table(site, "mentions")
    skipped = mentions[mentions.label == "SKIPPED_FIGURE"].iloc[0]
    html = (site / "review" / "doc" / page_name(skipped.doc_id)).read_text(encoding="utf-8")
    assert _marks(html)[skipped.id] == {"hl skipped"}
    assert f": {skipped.normalised}" in html


@pytest.mark.parametrize(("spans", "expected"), [
    ([], "a&lt;b&amp;c"),
    ([Span(1, 2, "fact", "f_1", 'say "<x>"')],
     'a<mark class="hl fact" id="f_1" data-id="f_1" title="say &quot;&lt;x&gt;&quot;">'
     "&lt;</mark>b&amp;c"),
    # crossing spans: the second is split around the first's end, both pieces keep its id
    ([Span(0, 3, "fact", "f_1", "t"), Span(2, 5, "event", "e_1", "u")],
     '<mark class="hl fact" id="f_1" data-id="f_1" title="t">a&lt;'
     '<mark class="hl event" id="e_1" data-id="e_1" title="u">b</mark></mark>'
     '<mark class="hl event" data-id="e_1" title="u">&amp;c</mark>'),
])
def test_highlight_escapes_and_nests(spans: list[Span], expected: str) -> None:
    assert highlight("a<b&c", spans) == expected


def test_review_without_tables_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["review", "--out", str(tmp_path)]) == 2
    assert "run extract first" in capsys.readouterr().err
    assert not (tmp_path / "review").exists()


def _chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_rendered_page_in_headless_chromium(site: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium); "
                    "the browser check of the review site did not run")
    facts = read_table(site, "facts")
    doc_id = facts.doc_id.value_counts().index[0]   # the document with the most facts
    page = (site / "review" / "doc" / page_name(doc_id)).resolve().as_uri()
    dom = _chromium("--dump-dom", page, tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    marks = _marks(dom.stdout)
    ids = _row_ids(site, doc_id)
    assert ids["facts"] and ids["events"] and ids["plans"]
    for rows in ids.values():
        assert rows <= set(marks), sorted(rows - set(marks))
    shot = ROOT / ".pytest_cache" / "review-screenshot.png"
    shot.parent.mkdir(exist_ok=True)
    png = _chromium(f"--screenshot={shot}", "--window-size=1200,1400", page,
                    tmp_path=tmp_path)
    assert png.returncode == 0, png.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
