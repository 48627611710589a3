"""Pagination of large tables: no COUNT over a million rows, no OFFSET through wide joined rows."""

from __future__ import annotations

import json
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination

#: Rows counted exactly; beyond, the page shows PostgreSQL's estimate ("约 …").
EXACT_COUNT_LIMIT = 10_000


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
    of its rows (an index-only walk along the ordering), then loads those rows with their joins.
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
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.order_by().in_bulk(ids) if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class LargeTablePagination(PageNumberPagination):
    """The REST API's page-number pagination over ``LargeTablePaginator`` (``count`` may be an estimate)."""

    django_paginator_class = LargeTablePaginator
