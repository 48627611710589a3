"""Writes of the ratings: re-rating a customer, and the two-person manual override."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from archives.models import Customer
from archives.services.common import audited_save
from credit_portal.decisions import two_person_decide
from credit_portal.errors import ApplicationError

from . import consequences, rules
from .changes import rating_write
from .facts import customer_facts_and_next
from .models import CustomerRating, LevelOverride, OverrideStatus, RatingCause
from .rulesets import rule_book_for
from .selectors.in_force import active_override, level_in_force
from .signals import customer_rerated


@transaction.atomic
def rating_refresh(*, customer: Customer, cause: str, cause_ref: str = "", as_of: date | None = None) -> CustomerRating:
    """Re-rate one customer and record a history row when its level in force changes.

    It runs inside the staff member's request that changed the facts, so it keeps to few queries:
    the customer row locked with its stored rating read alongside, the facts and the first later fact
    in three (``customer_facts_and_next``), the override, then the one writer (``changes.rating_write``).
    """
    as_of = as_of or timezone.localdate()
    # Lock the customer row so that two refreshes of one customer record one level change, not two.
    locked = Customer.objects.select_for_update(of=("self",)).select_related("rating").filter(pk=customer.pk).first()
    current: CustomerRating | None = getattr(locked, "rating", None)
    current_change_id = current.change_id if current else None
    book = rule_book_for(as_of=as_of)
    facts, next_dated = customer_facts_and_next(customer_id=customer.pk, as_of=as_of)
    result = rules.explain_decided(facts, book)  # all a rating and its history row keep
    rating = rating_write(
        customer_id=customer.pk,
        current=current,
        result=result,
        override=active_override(customer_id=customer.pk, as_of=as_of),
        stable_until=rules.stable_until(facts, next_dated=next_dated, book=book),
        as_of=as_of,
        book=book,
        cause=cause,
        cause_ref=cause_ref,
    )
    change = rating.change if current is None or rating.change_id != current_change_id else None
    customer_rerated.send(
        sender=CustomerRating, customer_id=customer.pk, cause=cause, cause_ref=cause_ref, change=change
    )
    return rating


def rating_refresh_by_id(*, customer_id: int, cause: str, cause_ref: str = "") -> CustomerRating | None:
    """Re-rate one customer as of today, by id; a vanished customer is a no-op."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return None
    return rating_refresh(customer=customer, cause=cause, cause_ref=cause_ref)


def commendation_check(*, customer_id: int, kind: str) -> None:
    """A commendation (表彰评优) may be recorded only for a customer whose level in force brings it."""
    if kind != "commendation":
        return
    level = level_in_force(customer_id)
    if not consequences.grants(level, consequences.COMMENDATION):
        label = rules.LEVEL_LABELS.get(level, "尚未评定")
        raise ApplicationError(f"表彰评优仅限诚信客户（绿色、蓝色信用等级），该企业当前信用等级为{label}", field="kind")


@transaction.atomic
def override_request(*, customer: Customer, level: str, reason: str, ends_on: date, actor) -> LevelOverride:
    """Ask for a manual level until `ends_on`; a supervisor other than the requester approves it."""
    if not actor.has_perm("ratings.request_override"):
        raise ApplicationError("无权申请人工调整信用等级", field="level")
    if level not in rules.LEVELS:
        raise ApplicationError(f"未知的信用等级“{level}”", field="level")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写调整理由", field="reason")
    if ends_on <= timezone.localdate():
        raise ApplicationError("截止日期应晚于今天", field="ends_on")
    if LevelOverride.objects.filter(
        customer=customer, status__in=[OverrideStatus.PENDING, OverrideStatus.ACTIVE]
    ).exists():
        raise ApplicationError("该用户已有待审批或生效中的人工调整", field="level")
    override = LevelOverride(customer=customer, level=level, reason=reason, ends_on=ends_on, requested_by=actor)
    audited_save(override, actor=actor, reason="申请人工调整")
    return override


@transaction.atomic
def override_decide(*, override: LevelOverride, approve: bool, actor, note: str = "") -> LevelOverride:
    """Approve (the level takes effect now) or refuse a manual level; never by the requester."""
    override = LevelOverride.objects.select_for_update().get(pk=override.pk)
    two_person_decide(
        override,
        approve=approve,
        actor=actor,
        note=note,
        permission="ratings.approve_override",
        approved=OverrideStatus.ACTIVE,
        refused=OverrideStatus.REFUSED,
        field="override",
        not_allowed="只有班组长可以审批人工调整",
    )
    audited_save(override, actor=actor, reason="批准人工调整" if approve else "驳回人工调整")
    if approve:
        rating_refresh(customer=override.customer, cause=RatingCause.OVERRIDE, cause_ref=str(override.pk))
    return override


@transaction.atomic
def override_end(*, override: LevelOverride, reason: str, actor) -> LevelOverride:
    """End an override in force before its end date (its reason is gone); the customer is re-rated at once.

    A supervisor does it, never the one who asked for the override, and says why.
    """
    override = LevelOverride.objects.select_for_update().get(pk=override.pk)
    if not actor.has_perm("ratings.approve_override"):
        raise ApplicationError("只有班组长可以提前结束人工调整", field="reason")
    if override.status != OverrideStatus.ACTIVE:
        raise ApplicationError("该人工调整未在生效中", field="reason")
    if override.requested_by_id == actor.pk:
        raise ApplicationError("不能提前结束本人申请的人工调整，须由另一名班组长办理", field="reason")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写提前结束的理由", field="reason")
    override.status = OverrideStatus.ENDED
    override.ended_by = actor
    override.ended_at = timezone.now()
    override.end_reason = reason
    audited_save(override, actor=actor, reason=f"提前结束：{reason}")
    rating_refresh(customer=override.customer, cause=RatingCause.OVERRIDE, cause_ref=str(override.pk))
    return override


@transaction.atomic
def override_end_expired(*, as_of: date) -> int:
    """End the overrides whose end date has passed; their customers are re-rated. Returns how many."""
    expired = list(LevelOverride.objects.select_for_update().filter(status=OverrideStatus.ACTIVE, ends_on__lt=as_of))
    for override in expired:
        override.status = OverrideStatus.ENDED
        audited_save(override, actor=None, reason="到期结束")
        rating_refresh(customer=override.customer, cause=RatingCause.OVERRIDE, cause_ref=str(override.pk), as_of=as_of)
    return len(expired)
