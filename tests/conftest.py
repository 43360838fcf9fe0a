"""Shared helpers: run the real text pipeline on a string."""

from __future__ import annotations

import pytest

from pipeline.ingest.read import normalise_text, with_metadata
from pipeline.run.batch import document_to_extraction
from pipeline.types import Document, Extraction


def extract_text(text: str, doc_id: str = "xx-test") -> Extraction:
    """The whole segment → extract → link pipeline on an in-memory report."""
    normalised, offsets = normalise_text(text)
    doc = with_metadata(
        Document(doc_id=doc_id, path=f"{doc_id}.txt", sha256="", format="txt",
                 text=normalised, source_offsets=offsets)
    )
    return document_to_extraction(doc)


@pytest.fixture
def extract():
    return extract_text
