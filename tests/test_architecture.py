"""The architecture's promises that the import linter cannot see (issue 20).

- One writer of level changes: ``CustomerRating`` and ``RatingHistory`` rows are created or updated
  only in ``ratings/changes.py``.
- Notifications never evaluate a customer: no call of the rules' evaluation, no facts reader.
- A lower app's question to an upper app is a declared hook: unanswered, start-up fails and a call raises.
- No app module over ~500 lines without a reason: a longer one says why in its docstring ("Over 500 lines: …").
"""

import ast
import subprocess
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


#: How long an app module may grow before its docstring must say why it stays one module (issue 20).
MODULE_LINES = 500
LONG_MODULE_REASON = "Over 500 lines:"


def _tracked_modules(*apps: str) -> list[Path]:
    """The apps' modules in git (tracked, or new and not ignored) as they are on disk, not migrations;
    outside a git checkout, every module on disk."""
    try:
        listing = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"]
        listed = subprocess.run(
            [*listing, *(f"{app}/*.py" for app in apps)], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        return [path for path, _text in _sources(*apps)]
    paths = {ROOT / name for name in listed if name and "migrations" not in Path(name).parts}
    return sorted(path for path in paths if path.is_file())


def _long_without_reason(paths, *, root: Path = ROOT) -> dict[str, int]:
    """The modules over ``MODULE_LINES`` lines whose docstring does not say why, with their length."""
    found = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MODULE_LINES and LONG_MODULE_REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            found[str(path.relative_to(root))] = lines
    return found


def test_no_app_module_is_over_500_lines_without_a_reason_in_its_docstring():
    modules = _tracked_modules(*APPS)
    assert ROOT / "commitments" / "models.py" in modules
    assert not any("migrations" in path.parts for path in modules)
    long = _long_without_reason(modules)
    assert long == {}, f"Split these modules, or say why in their docstring ({LONG_MODULE_REASON} …): {long}"


def test_the_length_scan_finds_a_long_module_without_a_reason(tmp_path):
    """The scan itself can fail: a long module is named with its length, unless its docstring says why."""
    body = "x = 1\n" * MODULE_LINES
    (tmp_path / "long.py").write_text(f'"""A long module."""\n{body}', encoding="utf-8")
    (tmp_path / "reasoned.py").write_text(
        f'"""A table.\n\n{LONG_MODULE_REASON} one row a line."""\n{body}', encoding="utf-8"
    )
    (tmp_path / "short.py").write_text(body, encoding="utf-8")
    found = _long_without_reason(sorted(tmp_path.glob("*.py")), root=tmp_path)
    assert found == {"long.py": MODULE_LINES + 1}
