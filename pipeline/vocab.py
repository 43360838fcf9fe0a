"""Loads the vocabularies and patterns kept as data files under `pipeline/data/`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"


@cache
def load(name: str) -> Any:
    """Parsed `data/<name>.yaml` (cached: files are read once per process)."""
    with open(DATA_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def phrases_regex(phrases: tuple[str, ...], before: str = r"\b", after: str = "") -> re.Pattern:
    """One compiled alternation of literal phrases, `before` and `after` around it (cached:
    rules match word lists on hot paths)."""
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(f"{before}(?:{alternation}){after}", re.I)
