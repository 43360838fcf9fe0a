"""Every service, event, status and plan code the rules use exists in the contract.

The codes are RECORDS.md's controlled vocabularies; the rules name them in data files
(`services.yaml`, `cues.yaml`, `token_patterns.jsonl`, `indicators.yaml`, `plans.yaml`) and,
for the event and status logic, as literals in code. A code that is not in the contract would
give rows no analyst can query, so this test reads the contract and checks every use.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from pathlib import Path

import pytest

from pipeline.vocab import DATA_DIR, load

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT.parent / "shared" / "spec" / "RECORDS.md"


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 3)
    return text[start : end if end != -1 else len(text)]


@pytest.fixture(scope="module")
def contract() -> dict[str, set[str]]:
    if not RECORDS.exists():
        pytest.skip("the shared spec is not beside the repository")
    text = RECORDS.read_text(encoding="utf-8")
    services = _section(text, "Services")
    events = _section(text, "Events")
    plans = _section(text, "Plans")
    first_column = re.compile(r"^\| `([a-z_]+)` \|", re.M)
    status_line = services[services.index("`services.status`"):]
    return {
        "service": set(first_column.findall(services)),
        "event": set(first_column.findall(events)),
        "status": set(re.findall(r"`([a-z_]+)` \(", status_line)),
        "plan": set(re.findall(r"`([a-z_]+)` \(", plans)),
    }


def test_the_contract_is_read(contract: dict[str, set[str]]) -> None:
    assert len(contract["service"]) == 15
    assert contract["event"] == {"started", "planned", "expanded", "ended", "legal_basis"}
    assert contract["status"] == {"available", "planned", "discontinued", "unavailable",
                                  "legal_only"}
    assert {"strategy", "action_plan", "government_programme", "law", "other"} <= contract["plan"]


def test_data_files_use_contract_codes(contract: dict[str, set[str]]) -> None:
    cues, indicators = load("cues"), load("indicators")
    services = contract["service"]
    assert set(load("services")) <= services
    assert set(cues["medicines"]) <= services
    assert set(indicators["channel_services"]) <= services
    for mapping in indicators["by_service"].values():
        assert set(mapping) <= services
    aliases = cues["event_aliases"]
    assert set(aliases.values()) <= contract["event"]
    assert set(cues["events"]) <= contract["event"] | set(aliases)
    assert {h["kind"] for h in load("plans")["heads"]} <= contract["plan"]
    with open(DATA_DIR / "token_patterns.jsonl", encoding="utf-8") as fh:
        labels = [json.loads(line)["label"] for line in fh if line.strip()]
    assert {label.split("|")[1] for label in labels if label.startswith("service|")} <= services


def _code_literals() -> set[str]:
    """Every snake_case string literal in the package's code."""
    out = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(
                r"[a-z]+(?:_[a-z]+)+", node.value
            ):
                out.add(node.value)
    return out


def test_code_literals_that_look_like_codes_are_codes(contract: dict[str, set[str]]) -> None:
    """A literal one letter off a contract code ("needle_syringe_program") is a typo."""
    codes = set().union(*contract.values())
    near_misses = {
        literal: difflib.get_close_matches(literal, codes, n=1, cutoff=0.85)
        for literal in _code_literals() - codes
    }
    assert {k: v for k, v in near_misses.items() if v} == {}

