"""``manage.py evaluate_facts FILE|-``: results on stdout, one-line errors with exit status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.ratings.builders import FACTS_FILE_EXAMPLE as VALID

REPO_ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    "as_of": "2026-11-28",
    "customer": {"payment_method": "prepaid"},
    "public_credit_reports": [{"issued_on": "2026-06-01", "shows_dishonesty": False}],
}


def _write(tmp_path: Path, document: object) -> str:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the command expecting exit status 2; return its single stderr line."""
    with pytest.raises(SystemExit) as raised:
        call_command("evaluate_facts", *args)
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1
    return err.rstrip("\n")


def test_one_facts_object_prints_one_result_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("evaluate_facts", _write(tmp_path, VALID))
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert list(result) == ["level", "honest", "rules", "explanation"]
    assert (result["level"], result["honest"], result["rules"]) == ("red", False, ["red.3", "red.7", "red.8"])
    assert "信用等级：红色" in out  # not escaped: ensure_ascii=False
    assert err == ""


def test_an_array_prints_results_in_the_same_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("evaluate_facts", _write(tmp_path, [CLEAN, VALID, {**CLEAN, "public_credit_reports": []}]))
    results = json.loads(capsys.readouterr().out)
    assert [r["level"] for r in results] == ["green", "red", "unrated"]
    assert results[2]["rules"] == ["blue.3"]


def test_an_empty_array_prints_an_empty_array(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("evaluate_facts", _write(tmp_path, []))
    assert json.loads(capsys.readouterr().out) == []


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(CLEAN)))
    call_command("evaluate_facts", "-")
    result = json.loads(capsys.readouterr().out)
    assert (result["level"], result["honest"], result["rules"]) == (
        "green",
        True,
        ["green.1", "green.2", "green.3", "green.4"],
    )


def test_amounts_are_compared_exactly_from_the_json_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "facts.json"
    theft = '{"type": "theft", "occurred_on": "2026-02-10", "amount_yuan": 499999.999999999999999}'
    path.write_text(json.dumps(CLEAN)[:-1] + f', "events": [{theft}]}}', encoding="utf-8")
    call_command("evaluate_facts", str(path))
    assert json.loads(capsys.readouterr().out)["rules"] == ["red.3"]


def test_bad_json_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"as_of": "2026-11-28",\n', encoding="utf-8")
    assert "invalid JSON" in _fails(capsys, str(path))


def test_nan_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(CLEAN)[:-1] + ', "x": NaN}', encoding="utf-8")
    assert "invalid JSON" in _fails(capsys, str(path))


def test_bad_field_in_array_names_the_index_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**CLEAN, "events": [{"type": "foo", "occurred_on": "2026-01-01"}]}
    message = _fails(capsys, _write(tmp_path, [CLEAN, bad, CLEAN]))
    assert message == '[1].events[0].type: unknown event type "foo"'


def test_bad_field_in_a_single_object_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = _fails(capsys, _write(tmp_path, {**CLEAN, "as_of": "2026-1-5"}))
    assert message == "as_of: must be a date YYYY-MM-DD"


def test_array_element_that_is_not_an_object_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _fails(capsys, _write(tmp_path, [CLEAN, CLEAN, "x"])) == "[2]: must be an object"


def test_missing_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = _fails(capsys, str(tmp_path / "absent.json"))
    assert "absent.json" in message and "cannot read" in message


def test_manage_py_exits_with_status_2_and_one_stderr_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, [CLEAN, {**CLEAN, "customer": {}}])
    completed = subprocess.run(
        [sys.executable, "manage.py", "evaluate_facts", bad],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == '[1].customer.payment_method: must be "prepaid" or "postpaid"\n'


def test_manage_py_reads_standard_input_and_prints_json(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "evaluate_facts", "-"],
        cwd=REPO_ROOT,
        input=json.dumps([CLEAN]),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)[0]["level"] == "green"


def test_a_repaired_event_no_longer_counts_and_a_bad_repair_date_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theft = {"type": "theft", "occurred_on": "2026-02-10", "amount_yuan": 120000}
    repaired = {**CLEAN, "events": [{**theft, "repaired_on": "2026-09-01"}]}
    call_command("evaluate_facts", _write(tmp_path, [repaired, {**CLEAN, "events": [theft]}]))
    assert [r["level"] for r in json.loads(capsys.readouterr().out)] == ["green", "red"]

    bad = {**CLEAN, "events": [{**theft, "repaired_on": "2026/09/01"}]}
    message = _fails(capsys, _write(tmp_path, [CLEAN, bad]))
    assert message == "[1].events[0].repaired_on: must be a date YYYY-MM-DD"
