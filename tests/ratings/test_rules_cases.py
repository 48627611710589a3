"""The worked cases (tests/data/rating-cases, a copy of the design's rating-cases that .ci/run keeps equal,
and tests/data/repair-cases, the repository's own cases of repaired events in the same format): level
and rules exactly as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratings import rules

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CASES_DIR = DATA_DIR / "rating-cases"
REPAIR_CASES_DIR = DATA_DIR / "repair-cases"


def _case_files(folder: Path) -> list[Path]:
    # Fail loudly: a missing folder must not silently turn into zero tests.
    if not folder.is_dir():
        raise RuntimeError(f"rating cases folder not found: {folder}")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise RuntimeError(f"no *.json rating cases in {folder}")
    return files


@pytest.mark.parametrize("path", _case_files(CASES_DIR) + _case_files(REPAIR_CASES_DIR), ids=lambda p: p.stem)
def test_shared_case_gets_the_expected_level_and_rules(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    facts = rules.parse_facts(case["facts"])

    result = rules.evaluate(facts)

    assert result.level == case["expect"]["level"]
    assert list(result.rules) == case["expect"]["rules"]
    assert rules.evaluate_level(facts) == (result.level, result.rules)
    assert rules.result_to_json(result)["rules"] == case["expect"]["rules"]


@pytest.mark.parametrize("path", _case_files(REPAIR_CASES_DIR), ids=lambda p: p.stem)
def test_a_repair_case_is_judged_as_if_the_repaired_events_were_never_there_once_repaired(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))["facts"]
    as_of = case["as_of"]
    kept = [e for e in case["events"] if not ("repaired_on" in e and e["repaired_on"] <= as_of)]
    unrepaired = [{k: v for k, v in e.items() if k != "repaired_on"} for e in kept]

    with_repairs = rules.evaluate_level(rules.parse_facts(case))
    without_the_repaired = rules.evaluate_level(rules.parse_facts({**case, "events": unrepaired}))

    assert with_repairs == without_the_repaired
