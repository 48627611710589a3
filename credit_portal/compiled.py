"""A queryset compiled to SQL once per process and run again with other values in its slots.

Written for speed: compiling an ORM statement costs more CPU than PostgreSQL spends answering a
look-up by key. It was about 40 % of the rating API's CPU per request (``bench/pages.py``, "rating
API under gunicorn", target ≤ 4 ms of worker CPU per request), and a third of the Python time of one
customer's re-rating (``bench/rerate.py``, "one customer after a new event", target ≤ 10 ms).

The queryset is built once with a sentinel in each slot (a value no real statement holds); the
statement's parameters equal to a sentinel (same type, same value) are the slots. Each run
substitutes the values and applies the ORM's converters of each column, so a row reads as the
queryset's ``values_list`` would give it (dates on SQLite, JSON, encrypted fields).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: One sentinel per type of slot: values that no statement of the portal holds.
_SENTINELS: dict[type, Any] = {int: -7_340_009_113, str: "\x1fslot\x1f", date: date(1, 1, 3)}


class CompiledQuery:
    """``build(**slots)`` compiled on first use; ``rows(**values)`` runs it with the values in the slots."""

    def __init__(self, build: Callable[..., QuerySet], **slot_types: type) -> None:
        self._build = build
        self._slot_types = slot_types
        self._compiled: tuple[str, list, list] | None = None

    def _compile(self) -> tuple[str, list, list]:
        sentinels = {name: _SENTINELS[kind] for name, kind in self._slot_types.items()}
        compiler = self._build(**sentinels).query.get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        by_sentinel = {(type(value), value): name for name, value in sentinels.items()}
        # Each parameter: ("slot", name) or ("value", the value).
        plan = [("slot", by_sentinel[(type(p), p)]) if (type(p), p) in by_sentinel else ("value", p) for p in params]
        missing = set(sentinels) - {name for kind, name in plan if kind == "slot"}
        if missing:
            raise ValueError(f"the compiled statement does not use the slots {sorted(missing)}")
        columns = [column for column, _, _ in compiler.select]
        converters = [(pos, fns, expr) for pos, (fns, expr) in compiler.get_converters(columns).items()]
        return sql, plan, converters

    def rows(self, **values: Any) -> list[tuple]:
        """The statement's rows with these values in its slots, converted as the ORM converts them."""
        if self._compiled is None:
            self._compiled = self._compile()
        sql, plan, converters = self._compiled
        params = [values[item] if kind == "slot" else item for kind, item in plan]
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if not converters:
            return found
        converted = []
        for row in found:
            row = list(row)
            for pos, fns, expr in converters:
                for fn in fns:
                    row[pos] = fn(row[pos], expr, connection)
            converted.append(tuple(row))
        return converted
