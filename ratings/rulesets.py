"""Rule sets (评定规则集): which one is in force on a date, drafting, approval and the nightly switch.

The numbers of the criteria are data (``RuleSet.parameters``); ``rule_book_for`` turns the rule set
in force on a date into a compiled ``rules.RuleBook``, once per rule set and process. Which rule sets
have applied is kept per process too (every re-rating and rating answer asks), under a stamp in the
shared cache that each committed rule-set write moves: every process (gunicorn and Celery workers)
sees an approval or a switch with its next question, at the cost of one cache read. While a rule-set
write of the process is not yet committed, and whenever the cache does not answer, the database is
asked; the memo is also dropped after ``_MEMO_SECONDS`` whatever the stamp says. Supervisors
draft from the version in force, another supervisor approves with an effective date no earlier than
tomorrow, and the nightly run of that date switches to it (``ruleset_switch``).
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from archives.services.common import audited_save
from credit_portal.errors import ApplicationError

from . import rules
from .models import RuleSet, RuleSetStatus

_BOOKS: dict[str, rules.RuleBook] = {}
_APPLIED = (RuleSetStatus.APPROVED, RuleSetStatus.IN_FORCE, RuleSetStatus.RETIRED)


def book_of(rule_set: RuleSet | None) -> rules.RuleBook:
    """The compiled book of a rule set (the plan's ``rules.V1`` for version 1 or none), kept per process."""
    if rule_set is None:
        return rules.V1
    key = json.dumps([rule_set.version, rule_set.parameters, rule_set.wordings], sort_keys=True)
    book = _BOOKS.get(key)
    if book is None:
        if rule_set.parameters == rules.V1_PARAMETERS and not rule_set.wordings and rule_set.version == 1:
            book = rules.V1
        else:
            book = rules.RuleBook(number=rule_set.version, parameters=rule_set.parameters, wordings=rule_set.wordings)
        _BOOKS[key] = book
    return book


def book_of_version(version: int) -> rules.RuleBook:
    """The book of a rule-set version (what a stored rating was made with); the plan's if unknown."""
    if version == 1:
        return rules.V1
    applied = _applied_rule_sets()
    found = next((s for s in applied if s.version == version), None) if applied is not None else None
    return book_of(found or RuleSet.objects.filter(version=version).first())


_ORDER = ("-effective_on", "-version")  # the latest first; the database orders (and places no date)


def ruleset_for(*, as_of: date) -> RuleSet | None:
    """The rule set that applies on ``as_of``: the latest approved one whose effective date has come."""
    return (
        RuleSet.objects.filter(status__in=_APPLIED)
        .filter(Q(effective_on__isnull=True) | Q(effective_on__lte=as_of))
        .order_by(*_ORDER)
        .first()
    )


def rule_book_for(*, as_of: date) -> rules.RuleBook:
    """The compiled book of the rule set that applies on ``as_of`` (no query while the memo is current)."""
    applied = _applied_rule_sets()
    if applied is None:
        return book_of(ruleset_for(as_of=as_of))
    return book_of(next((s for s in applied if s.effective_on is None or s.effective_on <= as_of), None))


# -- the per-process memo of the applied rule sets ------------------------------------------------

STAMP_KEY = "rulesets:stamp"
_MEMO_SECONDS = 60.0
#: (stamp, when read, the applied rule sets in ``_ORDER``), or None.
_memo: tuple[str, float, list[RuleSet]] | None = None
#: A rule-set write of this process whose transaction has not ended: its own reads go to the database.
_written = False


def _applied_rule_sets() -> list[RuleSet] | None:
    """The approved, in-force and retired rule sets, latest first; None: ask the database this time."""
    global _memo, _written
    if _written:
        if connection.in_atomic_block:
            return None
        _written = False  # rolled back (a commit clears it): what was read meanwhile is not kept
        _memo = None
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        stamp = cache.get(STAMP_KEY)
        if stamp is None:  # the cache does not answer
            return None
    if _memo is not None and _memo[0] == stamp and time.monotonic() - _memo[1] < _MEMO_SECONDS:
        return _memo[2]
    applied = list(RuleSet.objects.filter(status__in=_APPLIED).order_by(*_ORDER))
    _memo = (stamp, time.monotonic(), applied)
    return applied


def rule_sets_changed(**_kwargs) -> None:
    """Receiver of a rule set's save or delete: this process stops believing its memo at once, every
    process once the write commits."""
    global _memo, _written
    _memo = None
    if connection.in_atomic_block:
        _written = True
        transaction.on_commit(_rule_sets_announce, robust=True)
    else:
        _rule_sets_announce()


def _rule_sets_announce() -> None:
    global _memo, _written
    _memo, _written = None, False
    cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


def rule_books_forget() -> None:
    """Drop this process's memo (tests: a rolled-back test leaves rule sets the next never sees)."""
    global _memo, _written
    _memo, _written = None, False


PLAN_NOTE = "淮信用办〔2021〕7号附件3原文"
PLAN_EFFECTIVE_ON = date(2021, 1, 1)


def ruleset_plan() -> RuleSet:
    """Version 1, the plan's numbers: written by a migration, and again here should it be missing
    (a database emptied by hand or by a test's flush), in force unless another version is."""
    rule_set = RuleSet.objects.filter(version=1).first()
    if rule_set is None:
        in_force = RuleSet.objects.filter(status=RuleSetStatus.IN_FORCE).exists()
        rule_set, _ = RuleSet.objects.get_or_create(
            version=1,
            defaults={
                "status": RuleSetStatus.RETIRED if in_force else RuleSetStatus.IN_FORCE,
                "effective_on": PLAN_EFFECTIVE_ON,
                "parameters": rules.V1_PARAMETERS,
                "wordings": {},
                "note": PLAN_NOTE,
            },
        )
    return rule_set


def ruleset_in_force() -> RuleSet | None:
    """The version in force now (状态“现行”)."""
    return RuleSet.objects.filter(status=RuleSetStatus.IN_FORCE).first()


def ruleset_coming() -> RuleSet | None:
    """The approved version that has not yet applied (公示 with its date), if any."""
    return RuleSet.objects.filter(status=RuleSetStatus.APPROVED).order_by("effective_on", "version").first()


def _check(parameters: Any, wordings: Any) -> dict[str, str]:
    if not isinstance(wordings, dict):
        raise ApplicationError("条款原文应为对象", field="wordings")
    wordings = {k: str(v).strip() for k, v in wordings.items() if str(v or "").strip()}
    errors = rules.validate_parameters(parameters, wordings)
    if errors:
        raise ApplicationError(
            "；".join(e.message for e in errors),
            field="parameters",
            extra={"errors": [{"criterion": e.criterion, "field": e.field, "message": e.message} for e in errors]},
        )
    return wordings


@transaction.atomic
def ruleset_draft(*, actor, parameters: dict | None = None, wordings: dict | None = None, note: str = "") -> RuleSet:
    """A new draft: the version in force, with only the numbers (and wording) the drafter changes."""
    if not actor.has_perm("ratings.draft_ruleset"):
        raise ApplicationError("只有班组长可以起草评定规则集", field="parameters")
    base = ruleset_in_force() or ruleset_plan()
    merged = copy.deepcopy(base.parameters)
    for criterion, fields in (parameters or {}).items():
        if isinstance(fields, dict) and isinstance(merged.get(criterion), dict):
            merged[criterion].update(fields)
        else:
            merged[criterion] = fields
    # The wording of criteria the drafter did not touch is carried over from the base. Which criteria
    # differ from the plan can be told once the numbers themselves are valid; missing wordings are
    # what the carried ones (and the drafter's) are for, so they do not count here.
    numbers_valid = all(error.field == "wording" for error in rules.validate_parameters(merged))
    changed = set(rules.changed_criteria(merged)) if numbers_valid else set()
    carried = {k: v for k, v in base.wordings.items() if k in changed}
    final_wordings = _check(merged, {**carried, **(wordings or {})})
    # Versions are numbered in drafting order; the row lock keeps two drafts from sharing a number.
    last = RuleSet.objects.select_for_update().aggregate(v=Max("version"))["v"] or 1
    rule_set = RuleSet(
        version=last + 1,
        status=RuleSetStatus.DRAFT,
        parameters=merged,
        wordings=final_wordings,
        note=(note or "").strip(),
        based_on=base,
        drafted_by=actor,
    )
    audited_save(rule_set, actor=actor, reason="起草评定规则集")
    return rule_set


@transaction.atomic
def ruleset_approve(*, rule_set: RuleSet, actor, effective_on: date) -> RuleSet:
    """Approve a draft with its effective date (tomorrow or later); never by its drafter."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if not actor.has_perm("ratings.approve_ruleset"):
        raise ApplicationError("只有班组长可以批准评定规则集", field="effective_on")
    if rule_set.status != RuleSetStatus.DRAFT:
        raise ApplicationError("只能批准草稿", field="effective_on")
    if rule_set.drafted_by_id == actor.pk:
        raise ApplicationError("起草人不能批准自己起草的规则集，须由另一位班组长批准", field="effective_on")
    tomorrow = timezone.localdate() + timedelta(days=1)
    if effective_on is None or effective_on < tomorrow:
        raise ApplicationError(f"生效日期不能早于明天（{tomorrow}），以便先行公示", field="effective_on")
    if RuleSet.objects.filter(status=RuleSetStatus.APPROVED).exists():
        raise ApplicationError("已有一个已批准待生效的规则集，请在其生效后再批准新的版本", field="effective_on")
    _check(rule_set.parameters, rule_set.wordings)
    rule_set.status = RuleSetStatus.APPROVED
    rule_set.effective_on = effective_on
    rule_set.approved_by = actor
    rule_set.approved_at = timezone.now()
    audited_save(rule_set, actor=actor, reason=f"批准评定规则集，{effective_on}起生效")
    return rule_set


@transaction.atomic
def ruleset_switch(*, as_of: date) -> RuleSet | None:
    """Put in force the approved rule set whose date has come (the nightly run, before its ranges)."""
    coming = (
        RuleSet.objects.select_for_update()
        .filter(status=RuleSetStatus.APPROVED, effective_on__lte=as_of)
        .order_by("-effective_on", "-version")
        .first()
    )
    if coming is None:
        return None
    for old in RuleSet.objects.select_for_update().filter(status=RuleSetStatus.IN_FORCE):
        old.status = RuleSetStatus.RETIRED
        audited_save(old, actor=None, reason=f"第{coming.version}版生效，本版废止")
    coming.status = RuleSetStatus.IN_FORCE
    audited_save(coming, actor=None, reason=f"{as_of}起生效")
    return coming
