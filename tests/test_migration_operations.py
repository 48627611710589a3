"""The events' indexes are built without blocking writes on PostgreSQL (credit_portal.migration_operations)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.parametrize(
    ("migration", "expected"),
    [
        ("0015_event_facts_covering_index", ["CREATE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY"]),
        ("0016_event_import_job", ["CREATE INDEX CONCURRENTLY"]),
        ("0017_event_publication_untold_index", ["CREATE INDEX CONCURRENTLY"]),
    ],
)
def test_the_events_indexes_are_built_concurrently_on_postgresql(transactional_db, migration, expected):
    if connection.vendor != "postgresql":
        pytest.skip("CONCURRENTLY is PostgreSQL's; elsewhere the plain statements run")
    out = StringIO()
    call_command("sqlmigrate", "archives", migration, stdout=out)
    sql = out.getvalue()
    for statement in expected:
        assert statement in sql, sql
    assert "BEGIN;" not in sql  # a concurrent build cannot run inside a transaction
