"""PDF reports end to end: text by page, records carry the page their figure is on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.run.batch import run
from tests.test_ingest import build_pdf


def test_pdf_figures_keep_their_page(tmp_path: Path) -> None:
    pdf = tmp_path / "reports" / "xx-made-up.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(
        build_pdf(
            [
                "Sweden Country Drug Report 2030",
                "In 2029, 1 234 clients were in opioid substitution treatment.",
                "Heroin-assisted treatment was introduced in 2027.",
            ]
        )
    )
    out = tmp_path / "out"
    result = run([pdf.parent], out, progress=None)
    assert not result.failed

    docs = pd.read_parquet(out / "documents.parquet")
    assert docs.loc[0, "format"] == "pdf"
    assert docs.loc[0, "n_pages"] == 3
    text = docs.loc[0, "text"]

    facts = pd.read_parquet(out / "facts.parquet")
    assert facts[["indicator", "year", "value", "page"]].values.tolist() == [
        ["ost.clients", 2029, 1234.0, 2]
    ]
    row = facts.iloc[0]
    assert text[row.start_char : row.end_char] == "1 234"
    assert "1 234" in row.sentence

    events = pd.read_parquet(out / "events.parquet")
    assert events[["event", "service", "year", "page"]].values.tolist() == [
        ["started", "heroin_assisted_treatment", 2027, 3]
    ]
    mentions = pd.read_parquet(out / "mentions.parquet")
    assert set(mentions["page"].dropna().astype(int)) == {1, 2, 3}
