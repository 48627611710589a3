"""One error type for expected failures, mapped once to API bodies and to form errors."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
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

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}


class ConflictError(ApplicationError):
    """An expected failure caused by the record's state, not by the request: the same request may be
    right another time (a letter already awaiting review, an objection already decided). 409 in the API."""


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Answer every error with `{"message": ..., "errors": {field: [reasons]}}`."""
    if isinstance(exc, ApplicationError):
        status = 409 if isinstance(exc, ConflictError) else 400
        return Response({"message": exc.message, "errors": exc.as_dict(), **exc.extra}, status=status)
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

    None when the form is invalid or the service refused: its ApplicationError is then shown on the
    form field it names. Every page form goes through here.
    """
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ApplicationError as error:
        apply_to_form(form, error)
        return None
