"""Pagination of large tables: no COUNT over a million rows, no OFFSET through wide joined rows."""

from __future__ import annotations

import json
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, QuerySet
from rest_framework.pagination import PageNumberPagination

#: Rows counted exactly; beyond, the page shows PostgreSQL's estimate ("约 …").
EXACT_COUNT_LIMIT = 10_000
#: Up to this many rows (counted or estimated) a page is cut from the sorted set, not from an index walk.
SMALL_SET = 50_000


def estimated_count(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows a query returns (PostgreSQL), without running it; None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class LargeTablePaginator(Paginator):
    """A paginator for querysets over large tables.

    The count is exact up to ``EXACT_COUNT_LIMIT`` rows (a count of a LIMITed subquery); beyond it, the
    planner's estimate (``estimated`` is then True and the page says "约"). A page first reads the ids
    of its rows (an index-only walk along the ordering), then loads those rows with their joins; a
    first page, with no rows to skip, loads its rows at once (but for a small set's own path).
    """

    exact_limit = EXACT_COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        counted = queryset.order_by().values("pk")[: self.exact_limit + 1].count()
        if counted <= self.exact_limit:
            self.estimated = False
            return counted
        estimate = estimated_count(queryset)
        if estimate is None:
            self.estimated = False
            return queryset.count()
        self.estimated = True
        return max(estimate, counted)

    estimated = False

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self._small_set_ids(bottom) if 0 < self.count <= SMALL_SET else None
        if ids is None and bottom == 0:
            # Nothing to skip: the walk along the ordering stops at the page's last row either way.
            return self._get_page(list(self.object_list[: self.per_page]), number, self)
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.order_by().in_bulk(ids) if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def _small_set_ids(self, bottom: int) -> list[int] | None:
        """PostgreSQL, a set known to be small: select it first, then sort it (None: not applicable).

        Left to itself the planner walks the ordering's index and filters, expecting matches to be
        spread evenly; a name part that matches 10,000 names late in the alphabet then costs a walk
        through most of a million index entries. A materialized CTE makes it find the matches first
        (trigram index, level index) and sort those few.
        """
        queryset = self.object_list
        connection = connections[queryset.db]
        ordering = queryset.query.order_by
        if connection.vendor != "postgresql" or not ordering:
            return None
        if not all(isinstance(field, str) and field.lstrip("-").isidentifier() for field in ordering):
            return None
        columns = {f"o{i}": F(field.lstrip("-")) for i, field in enumerate(ordering)}
        sql, params = queryset.order_by().values(row_pk=F("pk"), **columns).query.sql_with_params()
        order = ", ".join(f"o{i}{' DESC' if field.startswith('-') else ''}" for i, field in enumerate(ordering))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH matches AS MATERIALIZED ({sql}) SELECT row_pk FROM matches ORDER BY {order} LIMIT %s OFFSET %s",
                (*params, self.per_page, bottom),
            )
            return [row[0] for row in cursor.fetchall()]


class PortalPagination(PageNumberPagination):
    """Page-number pagination as the schema describes it: ``page`` is a whole number from 1.

    A page that is not a whole number from 1, or lies past the end, answers 404 (documented for every
    paginated operation by ``credit_portal.api_schema``); "last" is not a page number here.
    """

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        # An empty ``page=`` is no page number: answered 404 like any other, not read as page 1.
        return request.query_params.get(self.page_query_param, 1)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码，从 1 开始；超出末页时答 404",
                "schema": {"type": "integer", "minimum": 1},
            }
        ]


class LargeTablePagination(PortalPagination):
    """The REST API's page-number pagination over ``LargeTablePaginator`` (``count`` may be an estimate)."""

    django_paginator_class = LargeTablePaginator
