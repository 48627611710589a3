"""Several short sets of rows in one query, read back as the model instances the ORM would have built.

A page that shows many short lists of one customer (the enterprise's home: its letters, reports,
applications, objections, …; the archive page: its accounts, events, reports, …) would pay a query for
each. ``read_together`` sends one ``UNION ALL`` instead: each set's rows travel as (the set, the row's
place in the set's own order, the row as a JSON object of its columns), and come back as instances of the
set's model built by ``Model.from_db`` with every concrete field, so they read and behave as if each set
had been read on its own. It works on PostgreSQL and on SQLite (the laptop demo).

For short sets only (one customer's): every row of a set is read, a slice keeps only the places it names
(``[:50]``). A set keeps its annotations and its ``select_related`` of forward relations (the related
row travels inside the row's object); ``prefetch_related`` is refused: the caller links what it read,
with ``link_one`` and ``link_many``, as Django's prefetching does. What cannot come back as the ORM reads
it (``values()``, ``only()``/``defer()``, ``distinct()``, ``extra()``, aggregates, ``select_related()``
naming no relation or a reverse one) is refused with ``ValueError``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connections, models
from django.db.models import F, Func, OrderBy, QuerySet, Value
from django.db.models.functions import Cast, JSONObject, RowNumber
from django.db.models.query import ModelIterable
from django.utils.dateparse import parse_date, parse_datetime

_SET, _PLACE, _ROW = "round_trip_set", "round_trip_place", "round_trip_row"


def read_together(**sets: QuerySet) -> dict[str, list[models.Model]]:
    """The rows of each queryset, in its order and within its slice, all in one query."""
    if not sets:
        return {}
    names = list(sets)
    parts = [_Part.of(index, sets[name]) for index, name in enumerate(names)]
    first, *others = (part.rows for part in parts)
    found: dict[str, list[tuple[int, models.Model]]] = {name: [] for name in names}
    for index, place, row in first.union(*others, all=True) if others else first:
        found[names[index]].append((place, parts[index].instance(row)))
    return {name: [instance for _, instance in sorted(pairs, key=_place)] for name, pairs in found.items()}


def _place(pair: tuple[int, models.Model]) -> int:
    return pair[0]


def link_one(instance: models.Model, name: str, related: models.Model | None) -> None:
    """Give ``instance.<name>`` (a foreign key, or the reverse side of a one-to-one) an object read already,
    as ``select_related`` would: None for the reverse side of a one-to-one that has no row."""
    instance._meta.get_field(name).set_cached_value(instance, related)


def link_many(instance: models.Model, name: str, related: Iterable[models.Model]) -> None:
    """Give ``instance.<name>.all()`` (a many-to-many) objects read already, as ``prefetch_related`` would."""
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.prefetch_cache_name] = queryset


#: PostgreSQL before 16 builds the JSON object with a function, which takes at most 100 arguments.
MAX_COLUMNS = 50


class _Object(JSONObject):
    """``JSONObject`` without SQLite's probe of its JSON support (a query of its own on a connection's
    first use, which a page's query count would see): where JSON is missing the statement says so."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, arg_joiner=", ", **extra_context)


@dataclass
class _Related:
    """A row read with the set's own: ``path`` from the set's model, through ``field`` of the row at ``parent``
    (None: the set's own row)."""

    path: str
    field: models.Field
    parent: str | None


@dataclass
class _Part:
    model: type[models.Model]
    db: str
    annotations: dict[str, models.Field]
    related: list[_Related]
    rows: QuerySet

    @classmethod
    def of(cls, index: int, queryset: QuerySet) -> _Part:
        query = queryset.query
        annotations = {name: expression.output_field for name, expression in query.annotation_select.items()}
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or query.deferred_loading != (frozenset(), True)
            or query.distinct
            or query.extra
            or query.combinator
            or query.select_related is True
            or any(expression.contains_aggregate for expression in query.annotation_select.values())
        ):
            raise ValueError(f"{queryset.model.__name__}: read this set on its own (not as the ORM reads it here)")
        related = _related(queryset.model, query.select_related or {}, prefix="", parent=None)
        own = {field.attname: _column(field) for field in _fields(queryset.model)}
        own |= {name: _column(output_field, name=name) for name, output_field in annotations.items()}
        for link in related:
            own[link.path] = _Object(
                **{field.attname: _column(field, f"{link.path}__") for field in _fields(link.field.related_model)}
            )
        if len(own) > MAX_COLUMNS:
            raise ValueError(f"{queryset.model.__name__} has more than {MAX_COLUMNS} columns to read together")
        ordering = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
        low, high = query.low_mark, query.high_mark
        rows = queryset.all()
        rows.query.clear_limits()
        rows = (
            rows.select_related(None)
            .order_by()
            .annotate(
                **{
                    _SET: Value(index),
                    _PLACE: models.Window(RowNumber(), order_by=[_order_by(term) for term in ordering] or None),
                    _ROW: _Object(**own),
                }
            )
        )
        if low:
            rows = rows.filter(**{f"{_PLACE}__gt": low})
        if high is not None:
            rows = rows.filter(**{f"{_PLACE}__lte": high})
        return cls(queryset.model, queryset.db, annotations, related, rows.values_list(_SET, _PLACE, _ROW))

    def instance(self, row: dict | str) -> models.Model:
        row = json.loads(row) if isinstance(row, str) else row
        made = {None: _instance(self.model, self.db, row)}
        for name, output_field in self.annotations.items():
            setattr(made[None], name, _value(output_field, row[name], self.db))
        for link in self.related:
            parent, values = made[link.parent], row[link.path]
            pk = link.field.related_model._meta.pk.attname
            made[link.path] = None if parent is None or values[pk] is None else _instance(
                link.field.related_model, self.db, values
            )  # fmt: skip
            if parent is not None:
                link.field.set_cached_value(parent, made[link.path])
                if made[link.path] is not None and link.field.unique:
                    link.field.remote_field.set_cached_value(made[link.path], parent)
        return made[None]


def _related(model: type[models.Model], names: dict, *, prefix: str, parent: str | None) -> list[_Related]:
    """The rows ``select_related`` names (a dict of dicts), parents before their own."""
    found = []
    for name, further in names.items():
        field = model._meta.get_field(name)
        if not (field.concrete and (field.many_to_one or field.one_to_one)):
            raise ValueError(f"{model.__name__}.{name}: read_together selects forward relations only")
        found.append(_Related(f"{prefix}{name}", field, parent))
        found += _related(field.related_model, further, prefix=f"{prefix}{name}__", parent=f"{prefix}{name}")
    return found


def _fields(model: type[models.Model]) -> list[models.Field]:
    fields = model._meta.concrete_fields
    if len(fields) > MAX_COLUMNS:
        raise ValueError(f"{model.__name__} has more than {MAX_COLUMNS} columns to read together")
    return fields


def _order_by(term) -> OrderBy:
    if isinstance(term, str):
        return F(term[1:]).desc() if term.startswith("-") else F(term).asc()
    return term if isinstance(term, OrderBy) else term.asc()


def _column(field: models.Field, prefix: str = "", *, name: str = ""):
    """The field's column (or the annotation ``name`` of that output field) as it travels in the row.

    Numbers and what a field converts itself (JSON, encrypted text) travel as text: a decimal keeps its
    digits (no float on the way), a JSON column stays a document of its own on both databases."""
    column = F(name or f"{prefix}{field.attname}")
    if isinstance(field, models.DecimalField) or hasattr(field, "from_db_value"):
        return Cast(column, models.TextField())
    return column


def _instance(model: type[models.Model], db: str, row: dict) -> models.Model:
    fields = model._meta.concrete_fields
    values = [_value(field, row[field.attname], db) for field in fields]
    return model.from_db(db, [field.attname for field in fields], values)


def _value(field: models.Field, value, db: str):
    """The value as the database driver and the field's converters give it."""
    if value is None:
        return None
    if hasattr(field, "from_db_value"):  # JSON, encrypted text: the field reads the text it stored
        return field.from_db_value(value, None, connections[db])
    if isinstance(field, models.DecimalField):
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if settings.USE_TZ and moment.tzinfo is None:  # SQLite keeps UTC without its offset
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    if isinstance(field, models.DateField):
        return parse_date(value)
    return field.to_python(value)
