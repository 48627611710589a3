"""The one writer of level changes: ``CustomerRating`` and ``RatingHistory`` are written here, and nowhere else.

Every re-rating ends here — one customer in a staff member's request (``services.rating_refresh``:
a new event, a revocation, a repair, an override), an import's customers and the nightly ranges
(``nightly``). Given the new evaluations, it writes the ratings that changed and, for each change of
the level in force (or a first rating), one history row that keeps everything a notice or a letter
quotes (rule ids, explanation, ``basis``: findings with their evidence and the improvements, the rule
set's version), points the rating at it (``CustomerRating.change``: the change in force), and
announces the changes once (``signals.level_changes_announce``: notifications writes the notices in
the same transaction, from these rows, without evaluating anything).

How it writes is its own affair:

- **one customer, locked** (``rating_write``): the caller holds the customer's row lock and has read
  its rating; a plain UPDATE (or INSERT) and, on a level change, one history INSERT;
- **a batch** (``ratings_write``): rows that still hold what the caller read are written, the others
  (re-rated meanwhile by a fresher evaluation) are skipped. On PostgreSQL the batch is COPYed into a
  temporary table and one statement applies it (updates, first ratings, history rows with their
  pre-allocated ids); elsewhere (SQLite, the embedded default) the ORM re-reads, compares and
  writes in bulk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection

from . import rules
from .models import CustomerRating, LevelOverride, RatingHistory
from .signals import level_changes_announce

#: The levels whose history rows carry their findings and evidence: those a reminder or letter follows.
EXPLAINED_LEVELS = frozenset(rules.NEGATIVE_LEVELS)


def basis_of(result: rules.Result, *, level: str) -> dict:
    """What a notice or letter about ``level`` quotes of an evaluation: its rules' findings and the advice.

    Empty for the levels no reminder or letter follows (green, blue, unrated): nothing quotes them."""
    if level not in EXPLAINED_LEVELS and result.level not in EXPLAINED_LEVELS:
        return {}
    by_rule = {finding.rule: finding for finding in result.findings}
    return {
        "findings": {
            rule_id: {
                "text": by_rule[rule_id].text,
                "evidence": [
                    {"kind": e.kind, "ref": e.ref, "on": e.on.isoformat() if e.on else "", "text": e.text}
                    for e in by_rule[rule_id].evidence
                ],
            }
            for rule_id in result.rules
            if rule_id in by_rule
        },
        "improvements": list(result.improvements),
    }


@dataclass(slots=True)
class Rated:
    """A customer's new evaluation, and the stored state it replaces (``old``; None: first rating)."""

    customer_id: int
    level: str
    computed_level: str
    rules: list[str]
    explanation: str | None  # None: only stable_until changes (the stored explanation and basis stay)
    basis: dict
    changed_on: date
    override_id: int | None
    old: tuple | None  # (level, computed_level, rules, rules_version, override_id, stable_until)
    stable_until: date | None


@dataclass
class Written:
    """What one write applied."""

    written: int = 0  # ratings inserted or updated
    created: int = 0  # of which first ratings
    extended: int = 0  # only stable_until written
    skipped: int = 0  # re-rated meanwhile by a fresher evaluation, left as they are
    level_changes: int = 0  # history rows
    notices: int = 0  # what the announcement's receivers wrote


def _shared(*, level, computed_level, rule_ids, explanation, basis, as_of, book) -> dict:
    """The columns a rating and its history row share (``models.RatingRecord``)."""
    return {
        "level": level,
        "computed_level": computed_level,
        "rules": list(rule_ids),
        "explanation": explanation,
        "basis": basis,
        "as_of": as_of,
        "rules_version": book.rules_version,
        "rule_set_version": book.number,
    }


def rating_write(
    *,
    customer_id: int,
    current: CustomerRating | None,
    result: rules.Result,
    override: LevelOverride | None,
    stable_until: date | None,
    as_of: date,
    book: rules.RuleBook,
    cause: str,
    cause_ref: str = "",
) -> CustomerRating:
    """Write one customer's evaluation; the caller holds its row lock and read ``current`` under it."""
    level = override.level if override else result.level
    previous_level = current.level if current else ""
    values = _shared(
        level=level,
        computed_level=result.level,
        rule_ids=result.rules,
        explanation=result.explanation,
        basis=basis_of(result, level=level),
        as_of=as_of,
        book=book,
    )
    change = None
    if level != previous_level:
        change = RatingHistory.objects.create(
            customer_id=customer_id, previous_level=previous_level, cause=cause, cause_ref=cause_ref, **values
        )
    values |= {
        "override": override,
        "changed_on": as_of if change else current.changed_on,
        "stable_until": stable_until,
    }
    if change:
        values["change"] = change
    if current is None:
        rating = CustomerRating(customer_id=customer_id, **values)
        rating.save(force_insert=True)
    else:
        rating = current
        for name, value in values.items():
            setattr(rating, name, value)
        rating.save(update_fields=list(values))
    if change:
        # The reminders and letters the new level calls for (notifications), in this same transaction.
        level_changes_announce(history_rows=[change])
    return rating


def ratings_write(batch: list[Rated], *, as_of: date, book: rules.RuleBook, cause: str, cause_ref: str = "") -> Written:
    """Write a batch of evaluations: only the ratings that still hold what was read (``Rated.old``)."""
    writer = _write_postgres if connection.vendor == "postgresql" else _write_orm
    return writer(batch, as_of=as_of, book=book, cause=cause, cause_ref=cause_ref)


# --------------------------------------------------------------------------------------------
# The ORM path (SQLite, the embedded default)
# --------------------------------------------------------------------------------------------

_RATING_FIELDS = (
    "level",
    "computed_level",
    "rules",
    "explanation",
    "basis",
    "as_of",
    "rules_version",
    "rule_set_version",
    "changed_on",
    "override_id",
    "stable_until",
)


def _write_orm(batch: list[Rated], *, as_of: date, book: rules.RuleBook, cause: str, cause_ref: str) -> Written:
    """Re-read, compare, then bulk insert and update; history rows first, so that ratings point at them."""
    done = Written()
    current = {
        row[0]: row[1:]
        for row in CustomerRating.objects.filter(customer_id__in=[r.customer_id for r in batch]).values_list(
            "customer_id", "level", "computed_level", "rules", "rules_version", "override_id", "stable_until"
        )
    }
    new, changed, extended, history = [], [], [], []
    for r in batch:
        if current.get(r.customer_id) != r.old:
            done.skipped += 1  # rated meanwhile: that evaluation is fresher than this one
            continue
        if r.explanation is None:
            extended.append(CustomerRating(customer_id=r.customer_id, stable_until=r.stable_until))
            continue
        values = _shared(
            level=r.level,
            computed_level=r.computed_level,
            rule_ids=r.rules,
            explanation=r.explanation,
            basis=r.basis,
            as_of=as_of,
            book=book,
        )
        rating = CustomerRating(
            customer_id=r.customer_id,
            changed_on=r.changed_on,
            override_id=r.override_id,
            stable_until=r.stable_until,
            **values,
        )
        (new if r.old is None else changed).append(rating)
        if r.old is None or r.old[0] != r.level:
            previous_level = r.old[0] if r.old else ""
            history.append(
                (
                    rating,
                    RatingHistory(
                        customer_id=r.customer_id,
                        previous_level=previous_level,
                        cause=cause,
                        cause_ref=cause_ref,
                        **values,
                    ),
                )
            )
    RatingHistory.objects.bulk_create([row for _rating, row in history], batch_size=500)
    for rating, row in history:
        rating.change_id = row.pk
    CustomerRating.objects.bulk_create(new, batch_size=500)
    moved = {rating.customer_id for rating, _row in history}
    CustomerRating.objects.bulk_update([r for r in changed if r.customer_id in moved], (*_RATING_FIELDS, "change_id"))
    CustomerRating.objects.bulk_update([r for r in changed if r.customer_id not in moved], _RATING_FIELDS)
    CustomerRating.objects.bulk_update(extended, ["stable_until"], batch_size=500)
    if history:
        done.notices = level_changes_announce(
            history_rows=[row for _rating, row in history], cause=cause, cause_ref=cause_ref
        )
    done.written = len(new) + len(changed)
    done.created = len(new)
    done.extended = len(extended)
    done.level_changes = len(history)
    return done


# --------------------------------------------------------------------------------------------
# The PostgreSQL path
# --------------------------------------------------------------------------------------------

_STAGE = "rerate_stage_v3"
_STAGED = (
    "customer_id",
    "level",
    "computed_level",
    "rules",
    "explanation",
    "basis",
    "changed_on",
    "override_id",
    "stable_until",
    "old_level",
    "old_computed_level",
    "old_rules",
    "old_rules_version",
    "old_override_id",
    "old_stable_until",
)


def _stage_create(cursor) -> None:
    """The session's staging table, emptied at commit; reused by the next batch of a worker.

    ``history_id`` comes from the history table's own sequence as each row is staged, so that one
    statement can insert a history row and point the rating at it (the foreign key is checked at
    commit). A row that turns out not to be a level change leaves a gap in the ids, nothing else."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [RatingHistory._meta.db_table])
    (sequence,) = cursor.fetchone()
    cursor.execute(
        f"""CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (
            customer_id bigint NOT NULL, level varchar(10) NOT NULL, computed_level varchar(10) NOT NULL,
            rules jsonb NOT NULL, explanation text, basis jsonb NOT NULL, changed_on date NOT NULL,
            override_id bigint, stable_until date, old_level varchar(10), old_computed_level varchar(10),
            old_rules jsonb, old_rules_version varchar(16), old_override_id bigint, old_stable_until date,
            history_id bigint NOT NULL DEFAULT nextval('{sequence}')
        ) ON COMMIT DELETE ROWS"""
    )


def _write_postgres(batch: list[Rated], *, as_of: date, book: rules.RuleBook, cause: str, cause_ref: str) -> Written:
    """COPY the batch into the staging table, then one statement applies it.

    The statement updates the ratings that still hold what was read, inserts the first ratings (a
    concurrent first rating wins: ON CONFLICT DO NOTHING), and appends a history row for each applied
    level change — no per-row round trips and none of bulk_update's CASE expressions. The changes come
    back as RETURNING gives them, and are announced without being read back.
    """
    ratings, history = CustomerRating._meta.db_table, RatingHistory._meta.db_table
    no_old = (None, None, None, None, None, None)
    dumps = json.dumps
    with connection.cursor() as cursor:
        _stage_create(cursor)
        cursor.execute(f"TRUNCATE {_STAGE}")
        # psycopg's C row writer escapes and formats every field (dates, None as NULL).
        with cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGED)}) FROM STDIN") as copy:
            write_row = copy.write_row
            for r in batch:
                old = r.old or no_old
                write_row(
                    (
                        r.customer_id,
                        r.level,
                        r.computed_level,
                        dumps(r.rules),
                        r.explanation,
                        dumps(r.basis),
                        r.changed_on,
                        r.override_id,
                        r.stable_until,
                        old[0],
                        old[1],
                        None if old[2] is None else dumps(old[2]),
                        old[3],
                        old[4],
                        old[5],
                    )
                )
        # Row estimates for the join below; without them the planner may scan all ratings.
        cursor.execute(f"ANALYZE {_STAGE}")
        cursor.execute(
            f"""
            WITH updated AS (
                UPDATE {ratings} AS r
                   SET level = s.level, computed_level = s.computed_level, rules = s.rules,
                       explanation = COALESCE(s.explanation, r.explanation),
                       basis = CASE WHEN s.explanation IS NULL THEN r.basis ELSE s.basis END,
                       as_of = CASE WHEN s.explanation IS NULL THEN r.as_of ELSE %(as_of)s END,
                       rules_version = %(version)s, rule_set_version = %(rule_set)s,
                       changed_on = s.changed_on, override_id = s.override_id,
                       stable_until = s.stable_until,
                       change_id = CASE WHEN s.level IS DISTINCT FROM s.old_level THEN s.history_id
                                        ELSE r.change_id END
                  FROM {_STAGE} AS s
                 WHERE s.old_level IS NOT NULL AND r.customer_id = s.customer_id
                   AND r.level = s.old_level AND r.computed_level = s.old_computed_level
                   AND r.rules = s.old_rules AND r.rules_version = s.old_rules_version
                   AND r.override_id IS NOT DISTINCT FROM s.old_override_id
                   AND r.stable_until IS NOT DISTINCT FROM s.old_stable_until
                RETURNING r.customer_id, s.explanation IS NULL AS extended
            ), created AS (
                INSERT INTO {ratings} (customer_id, level, computed_level, rules, explanation, basis, as_of,
                                       rules_version, rule_set_version, changed_on, override_id,
                                       stable_until, change_id)
                SELECT customer_id, level, computed_level, rules, explanation, basis, %(as_of)s, %(version)s,
                       %(rule_set)s, changed_on, override_id, stable_until, history_id
                  FROM {_STAGE} WHERE old_level IS NULL
                ON CONFLICT (customer_id) DO NOTHING
                RETURNING customer_id
            ), applied AS (
                SELECT customer_id FROM updated UNION ALL SELECT customer_id FROM created
            ), recorded AS (
                INSERT INTO {history} (id, customer_id, level, previous_level, computed_level, rules,
                                       explanation, basis, as_of, rules_version, rule_set_version, cause,
                                       cause_ref, created_at)
                SELECT s.history_id, s.customer_id, s.level, COALESCE(s.old_level, ''), s.computed_level,
                       s.rules, s.explanation, s.basis, %(as_of)s, %(version)s, %(rule_set)s, %(cause)s,
                       %(cause_ref)s, now()
                  FROM {_STAGE} AS s JOIN applied USING (customer_id)
                 WHERE s.level IS DISTINCT FROM s.old_level
                RETURNING id, customer_id, level, previous_level, as_of
            )
            SELECT (SELECT count(*) FILTER (WHERE NOT extended) FROM updated),
                   (SELECT count(*) FILTER (WHERE extended) FROM updated), (SELECT count(*) FROM created),
                   (SELECT coalesce(json_agg(json_build_array(id, customer_id, level, previous_level, as_of)),
                                    '[]') FROM recorded)
            """,
            {
                "as_of": as_of,
                "version": book.rules_version,
                "rule_set": book.number,
                "cause": cause,
                "cause_ref": cause_ref,
            },
        )
        updated, extended, created, recorded = cursor.fetchone()
    done = Written(written=updated + created, created=created, extended=extended, level_changes=len(recorded))
    done.skipped = len(batch) - updated - extended - created
    if recorded:
        # The changes as RETURNING gave them: notifications need not read them back.
        changes = [(pk, customer, level, was, date.fromisoformat(on)) for pk, customer, level, was, on in recorded]
        done.notices = level_changes_announce(changes=changes, cause=cause, cause_ref=cause_ref)
    return done
