"""Ties between the apps that the import linter cannot see (STYLE.md, "Apps talk one way").

A string can name an upper app as surely as an import: an ORM path through a relation into its
models (``"rating__level"``, ``select_related("rating")``, ``filter(rating__level=…)``), its URL
names (``"ratings:credit_services"``), its permissions (``"drc.view_drcreport"``), its modules. This
test reads the Python source of every lower app and fails on any such string; and it checks that no
module imports an app's tasks (tasks import services; services queue through a dispatch module).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

#: The apps from the bottom up; the apps of one line sit beside each other (.importlinter).
LAYERS: list[tuple[str, ...]] = [
    ("credit_portal",),
    ("archives",),
    ("ratings",),
    ("commitments",),
    ("notifications", "drc"),
]

#: Names of its own that start like another app's: the DRC lives in the notifications folder, and its
#: tasks keep their historical names (``notifications.tasks_report.*``) that beat and queued messages hold.
OWN_NAMES = {"drc": ("notifications.drc", "notifications.tasks_report")}

#: The composition root names every app by design: the settings (INSTALLED_APPS, the beat schedule,
#: backends by dotted path), the URL confs that include the apps' by name, and the role table.
COMPOSITION_ROOT = {"credit_portal/settings.py", "credit_portal/test_settings.py", "credit_portal/urls.py",
                    "credit_portal/api_urls.py", "credit_portal/roles.py"}  # fmt: skip

#: Query methods whose keyword arguments are lookups.
LOOKUP_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "annotate", "aggregate"}


@dataclass(frozen=True)
class Tie:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _labels_above(index: int) -> list[str]:
    return [label for layer in LAYERS[index + 1 :] for label in layer]


def _relations_into(labels: tuple[str, ...], upper: list[str]) -> set[str]:
    """The names by which the models of `labels` reach a model of an upper app (reverse relations)."""
    names: set[str] = set()
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            for relation in model._meta.related_objects:
                if relation.related_model._meta.app_label in upper:
                    names |= {relation.get_accessor_name(), relation.field.related_query_name()}
    return names


def _source_files(label: str) -> list[Path]:
    config = apps.get_app_config(label)
    folder = Path(config.path)
    nested = [Path(other.path) for other in apps.get_app_configs() if Path(other.path).parent == folder]
    return sorted(
        path
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts
        and not any(path.is_relative_to(inner) for inner in nested)
        and str(path.relative_to(ROOT)) not in COMPOSITION_ROOT
    )


def _docstrings(tree: ast.AST) -> set[int]:
    holders = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, holders)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def ties_in(source: str, *, path: str, upper: list[str], relations: set[str], own: tuple[str, ...] = ()) -> list[Tie]:
    """The strings of `source` that name an upper app: its label before '.' or ':' (modules, models,
    permissions, URL names), or a path through a relation into its models."""
    naming = re.compile(r"^-?(" + "|".join(map(re.escape, upper)) + r")[.:]\w")
    through = re.compile(r"^-?(" + "|".join(map(re.escape, sorted(relations))) + ")__") if relations else None
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    call_arguments = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call) for arg in node.args}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            orm = through is not None and (through.match(text) or (id(node) in call_arguments and text in relations))
            if (naming.match(text) and not text.startswith(own)) or orm:
                found.append(Tie(path, node.lineno, text))
        elif isinstance(node, ast.Call) and through is not None:
            method = getattr(node.func, "attr", getattr(node.func, "id", ""))
            for keyword in node.keywords:
                name = keyword.arg or ""
                if through.match(name) or (method in LOOKUP_METHODS and name in relations):
                    found.append(Tie(path, node.lineno, name))
    return found


def _lower_apps() -> list[tuple[int, str]]:
    return [(index, label) for index, layer in enumerate(LAYERS[:-1]) for label in layer]


@pytest.mark.parametrize(("index", "label"), _lower_apps(), ids=[label for _, label in _lower_apps()])
def test_no_lower_app_names_an_upper_apps_models_urls_or_permissions_in_a_string(index, label):
    upper = _labels_above(index)
    relations = _relations_into(LAYERS[index], upper)
    ties = [
        tie
        for path in _source_files(label)
        for tie in ties_in(
            path.read_text(encoding="utf-8"), path=str(path.relative_to(ROOT)), upper=upper, relations=relations
        )
    ]
    assert ties == [], "\n".join(map(str, ties))


def test_the_drc_and_the_notices_name_nothing_of_each_other():
    for label, other in (("notifications", "drc"), ("drc", "notifications")):
        ties = [
            tie
            for path in _source_files(label)
            for tie in ties_in(
                path.read_text(encoding="utf-8"),
                path=str(path.relative_to(ROOT)),
                upper=[other],
                relations=_relations_into((label,), [other]),
                own=OWN_NAMES.get(label, ()),
            )
        ]
        assert ties == [], "\n".join(map(str, ties))


@pytest.mark.parametrize(
    "source",
    [
        'customers.filter(rating__level="red")',
        'customers.select_related("rating")',
        'getattr(customer, "rating", None)',
        'rows.values_list("uscc", "rating__level")',
        'customers.order_by("-rating__changed_on")',
        'reverse("ratings:credit_services")',
        'user.has_perm("drc.view_drcreport")',
        'permission_required("notifications.view_notice")',
        'to = "commitments.CommitmentLetter"',
        "customers.filter(notices__isnull=True)",
    ],
)
def test_the_scan_catches_each_kind_of_tie(source):
    relations = _relations_into(("archives",), _labels_above(1))

    assert ties_in(source, path="example.py", upper=_labels_above(1), relations=relations) != []


@pytest.mark.parametrize(
    "source",
    [
        '"""Ratings re-rates when ratings.receivers hears of it."""',
        'fields = ["uscc", "rating"]',
        'Row(notices="短信")',
        'customers.filter(uscc__startswith="9132")',
        'user.has_perm("archives.view_all_archives")',
    ],
)
def test_the_scan_lets_the_apps_own_names_docstrings_and_plain_words_be(source):
    relations = _relations_into(("archives",), _labels_above(1))

    assert ties_in(source, path="example.py", upper=_labels_above(1), relations=relations) == []


#: The apps whose services queue their tasks by name (ratings: its own circle is being broken apart).
APPS_WITH_DISPATCH = ["archives", "ratings", "notifications", "notifications.drc", "credit_portal"]


def test_no_module_imports_a_tasks_module_so_tasks_and_services_form_no_circle():
    graph = grimp.build_graph("credit_portal", "archives", "ratings", "commitments", "notifications")
    importers = {
        package: sorted(graph.find_modules_that_directly_import(f"{package}.tasks"))
        for package in APPS_WITH_DISPATCH
        if f"{package}.tasks" in graph.modules
    }

    assert set(importers) == set(APPS_WITH_DISPATCH)
    assert importers == dict.fromkeys(importers, [])
