"""Declared hooks: a lower app asks a question only an upper app can answer, and the answer may refuse.

A signal with no receiver is silence: a rule enforced by a receiver disappears when the receiver is
not connected. A hook is declared by the app that asks (``Hook("archives.commendation_allowed")``),
answered by exactly one function registered by the upper app in its ``AppConfig.ready()``, and
checked: ``hooks_verify`` (run by the system checks, by the WSGI application and by the Celery app at
start-up) fails when a declared hook has no answer, and calling an unanswered hook raises instead of
passing. The lower app never imports the upper one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

_DECLARED: dict[str, Hook] = {}


class Hook:
    """One question with one answer: ``hook.register(answer)`` once, then ``hook(**kwargs)`` calls it."""

    def __init__(self, name: str, doc: str) -> None:
        if name in _DECLARED:
            raise ImproperlyConfigured(f"Hook {name} is declared twice")
        self.name, self.__doc__ = name, doc
        self._answer: Callable[..., Any] | None = None
        _DECLARED[name] = self

    def register(self, answer: Callable[..., Any]) -> None:
        if self._answer is not None and self._answer is not answer:
            raise ImproperlyConfigured(f"Hook {self.name} already has an answer: {self._answer!r}")
        self._answer = answer

    @property
    def registered(self) -> bool:
        return self._answer is not None

    def __call__(self, **kwargs: Any) -> Any:
        if self._answer is None:
            raise ImproperlyConfigured(f"Hook {self.name} has no answer: the app that answers it is not installed")
        return self._answer(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


def hooks_unanswered() -> list[str]:
    return sorted(name for name, hook in _DECLARED.items() if not hook.registered)


def hooks_verify() -> None:
    """Fail start-up when a declared hook has no answer."""
    missing = hooks_unanswered()
    if missing:
        raise ImproperlyConfigured(f"Hooks without an answer: {', '.join(missing)}")


@checks.register()
def hooks_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(f"Hook {name} has no answer", hint="Install the app that registers it.", id="credit_portal.E010")
        for name in hooks_unanswered()
    ]
