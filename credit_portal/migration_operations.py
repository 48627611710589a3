"""Index operations for a live database: ``CONCURRENTLY`` on PostgreSQL, plain elsewhere (the SQLite demo).

Building an index on the events table (5,000,000 rows at the bench's size) takes 10–20 s, during which a
plain ``CREATE INDEX`` blocks every write to the table (staff recording a record, an import); reads go on.
``CREATE INDEX CONCURRENTLY`` lets the writes go on too. Django's own concurrent operations are
PostgreSQL-only; these fall back to the plain ones on any other database, and inside a transaction (where
no concurrent build can run), so one migration serves both. A migration using them sets
``atomic = False``. Should a concurrent build fail (it leaves an INVALID index of that name), drop the
index and run the migration again.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _PostgresOnly:
    """Runs the concurrent operation on PostgreSQL and ``plain`` (Django's own) anywhere else."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        run = super().database_forwards if _on_postgres(schema_editor) else self._plain().database_forwards
        return run(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        run = super().database_backwards if _on_postgres(schema_editor) else self._plain().database_backwards
        return run(app_label, schema_editor, from_state, to_state)

    def _plain(self):
        return self.plain(**self.deconstruct()[2])


def _on_postgres(schema_editor) -> bool:
    """PostgreSQL, outside a transaction: a migration run inside one (a test's) gets the plain statements,
    which its rollback takes back."""
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class AddIndexLive(_PostgresOnly, AddIndexConcurrently):
    """``AddIndex``, built ``CONCURRENTLY`` on PostgreSQL."""

    plain = migrations.AddIndex


class RemoveIndexLive(_PostgresOnly, RemoveIndexConcurrently):
    """``RemoveIndex``, dropped ``CONCURRENTLY`` on PostgreSQL."""

    plain = migrations.RemoveIndex
