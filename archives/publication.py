"""A record's class and publication periods (信用修复管理办法), fixed when it is found (认定).

The class table is ``vocabulary.CLASS_TABLE``; the numbers it depends on (black.3's theft amount,
black.7's voltages) belong to the rule set in force, which the ratings app owns. Ratings answers
the hook at start-up (``archives.hooks.class_thresholds``); recording an event without it is a
configuration error, not a silent fall-back to the plan's numbers.

A record is 异议中 while an objection to it is open; objections belong to the commitments app, which
answers ``archives.hooks.objected_events`` at start-up.
"""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from archives import hooks, vocabulary


def class_thresholds(*, on: date) -> vocabulary.ClassThresholds:
    """The thresholds of the rule set in force on ``on`` (one look-up; call once per batch)."""
    return hooks.class_thresholds(on=on)


def publication_fields(
    *,
    type: str,
    found_on: date,
    thresholds: vocabulary.ClassThresholds,
    amount_yuan=None,
    voltage_kv=None,
    severity=None,
) -> dict:
    """The stored class and period ends of an event found on ``found_on`` (the CreditEvent fields)."""
    klass = vocabulary.dishonesty_class(
        type, amount_yuan=amount_yuan, voltage_kv=voltage_kv, severity=severity or None, thresholds=thresholds
    )
    shortest_until, longest_until = vocabulary.publication_period(klass, found_on)
    return {
        "dishonesty_class": klass,
        "publication_shortest_until": shortest_until,
        "publication_longest_until": longest_until,
    }


def objected_events() -> QuerySet:
    """The ids of the events an open objection disputes (a subquery, evaluated by the database)."""
    return hooks.objected_events()


def fill_unclassed_sql(connection, *, table: str = "archives_creditevent", time_zone: str) -> int:
    """Give every event without a class its class and period ends, in set-based SQL (PostgreSQL).

    For a data migration and the bench generator: at five million events a row-by-row fill does not
    finish in a deployment window. The class table stays in Python (``vocabulary.dishonesty_class``):
    it is asked once per distinct (type, attribute) of the unclassed events, the answers go into a
    temporary table, and one UPDATE joins them (on plain equalities, -1 standing for a missing
    amount or voltage, so that PostgreSQL can hash the join) and counts the periods from the local date of the
    finding (``recorded_at``), as ``vocabulary.publication_period`` does (PostgreSQL's month
    arithmetic keeps the day or takes the month's last day, as ``add_months``). Returns the rows
    updated. Uses the plan's thresholds: the numbers in force when these records were found.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT type, amount_yuan, voltage_kv, severity FROM {table} WHERE dishonesty_class = ''"
        )
        keys = cursor.fetchall()
        if not keys:
            return 0
        cursor.execute(
            "CREATE TEMP TABLE event_class_fill (type text, amount_yuan numeric, voltage_kv numeric,"
            " severity text, dishonesty_class text) ON COMMIT DROP"
        )
        rows = [
            (
                type_,
                amount,
                voltage,
                severity,
                vocabulary.dishonesty_class(type_, amount_yuan=amount, voltage_kv=voltage, severity=severity or None),
            )
            for type_, amount, voltage, severity in keys
        ]
        cursor.executemany("INSERT INTO event_class_fill VALUES (%s, %s, %s, %s, %s)", rows)
        cursor.execute("ANALYZE event_class_fill")
        # The table's statistics may still say no event lacks a class (rows added since the last
        # ANALYZE): a nested loop over every event and every key would not finish; hash them.
        cursor.execute("SET LOCAL enable_nestloop = off")

        def period_end(column: str) -> str:
            found_on = "(e.recorded_at AT TIME ZONE %(tz)s)::date"
            cases = " ".join(
                f"WHEN '{code}' THEN {found_on} + interval '{months} months' - interval '1 day'"
                for code, klass in vocabulary.PUBLICATION_CLASSES.items()
                if (months := getattr(klass, column))
            )
            return f"(CASE f.dishonesty_class {cases} ELSE NULL END)::date"

        cursor.execute(
            f"""
            UPDATE {table} e
               SET dishonesty_class = f.dishonesty_class,
                   publication_shortest_until = {period_end("shortest_months")},
                   publication_longest_until = {period_end("longest_months")}
              FROM event_class_fill f
             WHERE e.dishonesty_class = ''
               AND e.type = f.type
               AND coalesce(e.amount_yuan, -1) = coalesce(f.amount_yuan, -1)
               AND coalesce(e.voltage_kv, -1) = coalesce(f.voltage_kv, -1)
               AND e.severity = f.severity
            """,
            {"tz": time_zone},
        )
        filled = cursor.rowcount
        # What this fill set for itself goes with it, not on to the rest of the caller's transaction.
        cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("DROP TABLE event_class_fill")
        return filled
