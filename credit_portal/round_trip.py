"""Several short sets of rows in one query, read back as the model instances the ORM would have built.

A page that shows many short lists of one customer (the enterprise's home: its letters, reports,
applications, objections, …) would pay a query for each. ``read_together`` sends one ``UNION ALL``
instead: each set's rows travel as (the set, the row's place in the set's own order, the row as a JSON
object of its columns), and come back as instances of the set's model built by ``Model.from_db`` with
every concrete field, so they read and behave as if each set had been read on its own. It works on
PostgreSQL and on SQLite (the laptop demo).

For short sets only (one customer's): every row of a set is read, a slice keeps only the places it names
(``[:50]``), and no relation comes along (``select_related`` and ``prefetch_related`` are ignored):
the caller links what it read, with ``link_one`` and ``link_many``, as Django's prefetching does.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, OrderBy, QuerySet, Value
from django.db.models.functions import Cast, JSONObject, RowNumber
from django.utils.dateparse import parse_date, parse_datetime

_SET, _PLACE, _ROW = "round_trip_set", "round_trip_place", "round_trip_row"


def read_together(**sets: QuerySet) -> dict[str, list[models.Model]]:
    """The rows of each queryset, in its order and within its slice, all in one query."""
    if not sets:
        return {}
    names = list(sets)
    first, *others = (_part(index, sets[name]) for index, name in enumerate(names))
    found: dict[str, list[tuple[int, models.Model]]] = {name: [] for name in names}
    for index, place, row in first.union(*others, all=True) if others else first:
        found[names[index]].append((place, _instance(sets[names[index]], row)))
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


def _part(index: int, queryset: QuerySet) -> QuerySet:
    fields = queryset.model._meta.concrete_fields
    if len(fields) > MAX_COLUMNS:
        raise ValueError(f"{queryset.model.__name__} has more than {MAX_COLUMNS} columns to read together")
    if any(hasattr(field, "from_db_value") and not isinstance(field, models.JSONField) for field in fields):
        raise ValueError(f"{queryset.model.__name__} has a field of its own converter: read it on its own")
    query = queryset.query
    ordering = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    low, high = query.low_mark, query.high_mark
    rows = queryset.all()
    rows.query.clear_limits()
    rows = rows.order_by().annotate(
        **{
            _SET: Value(index),
            _PLACE: models.Window(RowNumber(), order_by=[_order_by(term) for term in ordering] or None),
            _ROW: JSONObject(**{field.attname: _column(field) for field in fields}),
        }
    )
    if low:
        rows = rows.filter(**{f"{_PLACE}__gt": low})
    if high is not None:
        rows = rows.filter(**{f"{_PLACE}__lte": high})
    return rows.values_list(_SET, _PLACE, _ROW)


def _order_by(term) -> OrderBy:
    if isinstance(term, str):
        return F(term[1:]).desc() if term.startswith("-") else F(term).asc()
    return term if isinstance(term, OrderBy) else term.asc()


def _column(field: models.Field):
    # Numbers and JSON travel as text: a decimal keeps its digits (no float on the way), a JSON column
    # stays a document of its own on both databases.
    if isinstance(field, (models.DecimalField, models.JSONField)):
        return Cast(field.attname, models.TextField())
    return F(field.attname)


def _instance(queryset: QuerySet, row: dict) -> models.Model:
    model = queryset.model
    fields = model._meta.concrete_fields
    values = [_value(field, row[field.attname]) for field in fields]
    return model.from_db(queryset.db, [field.attname for field in fields], values)


def _value(field: models.Field, value):
    """The value as the database driver and the field's converters give it."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.loads(value, cls=field.decoder)
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
