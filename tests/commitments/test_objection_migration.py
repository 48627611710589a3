"""commitments 0011: every objection made before objections had subjects disputes its event, written in
one set-based INSERT … SELECT (the event stays 异议中 while its objection is open)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commitments.models import Objection, ObjectionChannel, ObjectionSubject
from tests.factories import CustomerFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

BEFORE = [("commitments", "0009_merge_personal_information")]


def _migrate(targets) -> MigrationExecutor:
    if connection.vendor == "postgresql":
        # The rows written so far are checked now: PostgreSQL alters no table with checks still pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_the_migration_makes_each_earlier_objection_dispute_its_event():
    customer = CustomerFactory()
    events = [EventFactory(customer=customer), EventFactory(customer=customer)]
    user = UserFactory()
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("commitments", "Objection")
        for event, status in zip(events, ("submitted", "upheld"), strict=True):
            old.objects.create(event_id=event.pk, customer_id=customer.pk, reason="误录", submitted_by_id=user.pk,
                               status=status)  # fmt: skip
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    objections = list(Objection.objects.order_by("pk"))
    assert [list(o.disputed_events.values_list("pk", flat=True)) for o in objections] == [[e.pk] for e in events]
    assert {(o.subject, o.channel) for o in objections} == {(ObjectionSubject.EVENT, ObjectionChannel.ONLINE)}
    assert [o.is_open for o in objections] == [True, False]
