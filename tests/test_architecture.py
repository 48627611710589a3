"""The architecture's promises that the import linter cannot see (issue 20).

- One writer of level changes: ``CustomerRating`` and ``RatingHistory`` rows are created or updated
  only in ``ratings/changes.py``.
- Notifications never evaluate a customer: no call of the rules' evaluation, no facts reader.
- A lower app's question to an upper app is a declared hook: unanswered, start-up fails and a call raises.
"""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from credit_portal import hooks

ROOT = Path(__file__).resolve().parent.parent
APPS = ("credit_portal", "archives", "ratings", "commitments", "notifications")
#: What writes a row: a manager's or queryset's writes, a model's save, raw SQL naming the tables.
WRITES = {"create", "bulk_create", "bulk_update", "update", "update_or_create", "get_or_create", "save", "delete"}
WRITTEN_MODELS = {"CustomerRating", "RatingHistory"}
TABLES = ("ratings_customerrating", "ratings_ratinghistory")


def _sources(*apps: str):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def _rating_writes(tree: ast.AST) -> list[int]:
    """Lines that write through the managers of CustomerRating/RatingHistory (``….objects….create(…)``),
    build a history row (``RatingHistory(…)``: never built but to be written; an unsaved
    ``CustomerRating`` may be shown), or name their tables in SQL."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            chain = ast.unparse(node.func.value)
            if any(f"{model}.objects" in chain for model in WRITTEN_MODELS):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "RatingHistory"
            or isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(t in node.value for t in TABLES)
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_one_writer_writes_ratings_and_their_history():
    writers = {}
    for path, text in _sources(*APPS):
        found = _rating_writes(ast.parse(text))
        if found:
            writers[str(path.relative_to(ROOT))] = found
    assert set(writers) == {"ratings/changes.py"}, writers


def test_the_scan_finds_a_second_writer(tmp_path):
    """The scan itself can fail: a history row written elsewhere is seen."""
    tree = ast.parse(
        "RatingHistory.objects.create(customer_id=1)\nCustomerRating.objects.filter(pk=1).update(level='red')\n"
    )
    assert sorted(_rating_writes(tree)) == [1, 2]


#: The rules' evaluation and the readers of a customer's facts.
EVALUATION = {
    *("evaluate", "evaluate_level", "explain"),
    *("customer_facts", "customer_facts_and_next", "facts_of_customers", "facts_stream", "facts_from_rows"),
}


def _evaluations(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ratings"):
            found += [alias.name for alias in node.names if alias.name in EVALUATION]
        elif isinstance(node, ast.Attribute) and node.attr in EVALUATION:
            found.append(ast.unparse(node))
    return found


def test_notifications_never_evaluate_a_customer():
    used = {}
    for path, text in _sources("notifications"):
        found = _evaluations(ast.parse(text))
        if found:
            used[str(path.relative_to(ROOT))] = found
    assert used == {}


def test_the_evaluation_scan_finds_a_call():
    tree = ast.parse("from ratings.facts import customer_facts\nrules.evaluate(customer_facts(customer=c, as_of=d))\n")
    assert sorted(_evaluations(tree)) == ["customer_facts", "rules.evaluate"]


def test_every_declared_hook_is_answered_at_start_up():
    hooks.hooks_verify()
    assert hooks.hooks_unanswered() == []
    assert {
        "archives.credit_information_allowed",
        "archives.customers_with_level",
        "archives.customers_of_level",
        "archives.class_thresholds",
        "archives.objected_events",
    } <= set(hooks._DECLARED)


def test_an_unanswered_hook_fails_start_up_and_refuses_to_pass_silently():
    hook = hooks.Hook("tests.unanswered", "A question nobody answers.")
    try:
        with pytest.raises(ImproperlyConfigured, match="tests.unanswered"):
            hooks.hooks_verify()
        assert [error.msg for error in hooks.hooks_check()] == ["Hook tests.unanswered has no answer"]
        with pytest.raises(ImproperlyConfigured, match="no answer"):
            hook(customer=None)
    finally:
        del hooks._DECLARED["tests.unanswered"]
