"""``credit_portal.compiled``: a statement compiled once per process answers as the ORM does, every time."""

from datetime import date

import pytest
from django.db.models.sql.compiler import SQLCompiler

from archives.models import Customer
from credit_portal.compiled import CompiledQuery
from ratings.facts import _customer_rows, _customer_rows_query
from tests.factories import AccountFactory, CustomerFactory, EventFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_one_customers_facts_are_read_by_a_statement_compiled_once_that_answers_as_the_orm(monkeypatch):
    customers = [CustomerFactory() for _ in range(3)]
    for number, customer in enumerate(customers):
        AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
        for month in range(1, 2 + number):
            EventFactory(customer=customer, occurred_on=date(2026, month, 15))
        ReportFactory(customer=customer, status="verified", shows_dishonesty=False)
        ReportFactory(customer=customer)  # pending: not a fact
    _customer_rows(customers[0].pk)  # compiled here, if no earlier test did
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))

    found = {customer.pk: sorted(_customer_rows(customer.pk), key=repr) for customer in customers}

    assert compiled == []
    monkeypatch.undo()
    for customer in customers:
        assert found[customer.pk] == sorted(_customer_rows_query(customer.pk), key=repr)
        assert len(found[customer.pk]) == 1 + customer.events.count() + 1  # account, events, report
    assert all(isinstance(row[2], date) for rows in found.values() for row in rows if row[2] is not None)


def test_a_builder_that_leaves_a_slot_unused_is_refused_when_compiled():
    query = CompiledQuery(
        lambda uscc, user_id: Customer.objects.filter(uscc=uscc).values_list("pk"), uscc=str, user_id=int
    )

    with pytest.raises(ValueError, match="user_id"):
        query.rows(uscc="X", user_id=1)


def test_a_slot_takes_each_runs_value_and_nothing_else_changes():
    first, second = CustomerFactory(), CustomerFactory()
    query = CompiledQuery(lambda uscc: Customer.objects.filter(uscc=uscc).values_list("pk", "uscc"), uscc=str)

    assert query.rows(uscc=first.uscc) == [(first.pk, first.uscc)]
    assert query.rows(uscc=second.uscc) == [(second.pk, second.uscc)]
    assert query.rows(uscc="不存在") == []
