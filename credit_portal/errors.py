"""One error type for expected failures, mapped once to API bodies and to form errors."""

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """An expected failure of a service: bad input or a forbidden state change.

    `field` names the input at fault (or None for the whole request); the message is shown to the
    user as it is, in Chinese.
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    status = 400

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}


class Conflict(ApplicationError):
    """The request collides with the records' state, not a mistake in it: a write already made (a unique
    rule, a key already used), a letter already awaiting review, an objection already decided. 409."""

    status = 409


DUPLICATE = "与已有记录重复：{what}。未重复保存；可能是重复提交，或他人刚刚办理了同一事项，请刷新页面查看。"


def _constraint_of(error: IntegrityError) -> tuple[str, str, list[str]]:
    """The rule the database enforced: its name (PostgreSQL), its table, and its columns (SQLite)."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name, diag.table_name or "", []
    text = str(error)
    if "UNIQUE constraint failed:" in text:  # SQLite names the columns ("table.column, ..."), not the rule
        qualified = [column.strip() for column in text.split("UNIQUE constraint failed:", 1)[1].split(",")]
        return "", qualified[0].split(".", 1)[0], [column.split(".", 1)[-1] for column in qualified]
    return "", "", []


def _unique_rule(name: str, table: str, columns: list[str]) -> tuple[str, str | None] | None:
    """What a unique rule of the models keeps single, in words, and the one field it names (or None)."""
    for model in apps.get_models():
        meta = model._meta
        if meta.db_table != table:
            continue
        rules = [
            ([meta.get_field(field_name) for field_name in constraint.fields], constraint.name)
            for constraint in meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields
        ]
        # PostgreSQL names a column's own rule <table>_<column>_key.
        rules += [([field], f"{table}_{field.column}_key") for field in meta.concrete_fields if field.unique]
        for fields, rule_name in rules:
            if (name and name == rule_name) or (not name and [field.column for field in fields] == columns):
                what = f"{meta.verbose_name}（{'、'.join(str(field.verbose_name) for field in fields)}）"
                return what, fields[0].name if len(fields) == 1 else None
    return None


def duplicate_refusal(error: IntegrityError) -> Conflict | None:
    """The refusal for a write a unique rule stopped (two requests raced past a service's check).

    None when the error is no unique rule's (a foreign key, a check): that one is a bug, not a race.
    """
    name, table, columns = _constraint_of(error)
    rule = _unique_rule(name, table, columns) if table else None
    if rule is None:
        return None
    what, field = rule
    return Conflict(DUPLICATE.format(what=what), field=field)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Answer every error with `{"message": ..., "errors": {field: [reasons]}}`."""
    if isinstance(exc, IntegrityError):
        exc = duplicate_refusal(exc) or exc
    if isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "errors": exc.as_dict(), **exc.extra}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        first_field, reasons = next(iter(errors.items()), ("", [""]))
        first = reasons[0] if isinstance(reasons, list) and reasons else reasons
        response.data = {"message": f"{first_field}: {first}", "errors": errors}
    else:
        response.data = {"message": str(response.data.get("detail", "")), "errors": {}}
    return response


def apply_to_form(form, error: ApplicationError) -> None:
    """Show a service's error on the form field it names, or at the top of the form."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


def submit_form(form, call):
    """Run a service for a valid form and return its result.

    None when the form is invalid or the service refused: its ApplicationError (or a unique rule's
    refusal, when a concurrent request won the race) is then shown on the form field it names. Every
    page form goes through here.
    """
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ApplicationError as error:
        apply_to_form(form, error)
        return None
    except IntegrityError as error:
        refusal = duplicate_refusal(error)
        if refusal is None:
            raise
        apply_to_form(form, refusal)
        return None
