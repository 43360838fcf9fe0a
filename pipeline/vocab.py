"""Loads the vocabularies and patterns kept as data files under `pipeline/data/`."""

from __future__ import annotations

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
