"""The worked cases (tests/data/rating-cases, a copy of the design's rating-cases that .ci/run keeps equal):
level and rules exactly as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratings import rules

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "rating-cases"


def _case_files() -> list[Path]:
    # Fail loudly: a missing folder must not silently turn into zero tests.
    if not CASES_DIR.is_dir():
        raise RuntimeError(f"rating cases folder not found: {CASES_DIR}")
    files = sorted(CASES_DIR.glob("*.json"))
    if not files:
        raise RuntimeError(f"no *.json rating cases in {CASES_DIR}")
    return files


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: p.stem)
def test_shared_case_gets_the_expected_level_and_rules(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    facts = rules.parse_facts(case["facts"])

    result = rules.evaluate(facts)

    assert result.level == case["expect"]["level"]
    assert list(result.rules) == case["expect"]["rules"]
    assert rules.evaluate_level(facts) == (result.level, result.rules)
    assert rules.result_to_json(result)["rules"] == case["expect"]["rules"]
