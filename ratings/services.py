"""Writes of the ratings: re-rating a customer, and the two-person manual override."""

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from archives.models import Customer
from archives.services.common import audited_save
from credit_portal.decisions import two_person_decide
from credit_portal.errors import ApplicationError

from . import consequences, rules
from .changes import rating_write
from .facts import customer_facts_and_next
from .hooks import override_basis
from .models import OVERRIDE_BASIS_KINDS, CustomerRating, LevelOverride, OverrideBasis, OverrideStatus, RatingCause
from .override_basis import basis_check, raise_ends_by, raises_level
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
        sender=CustomerRating, customer_id=customer.pk, cause=cause, cause_ref=cause_ref, change=change,
        level=rating.level,
    )  # fmt: skip
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
def override_request(
    *,
    customer: Customer,
    level: str,
    reason: str,
    ends_on: date,
    actor,
    basis_kind: str = "",
    basis_ref: str = "",
    basis_document: UploadedFile | None = None,
) -> LevelOverride:
    """Ask for a manual level until `ends_on`; a supervisor other than the requester approves it.

    One that raises the level above the computed one names its basis and ends within
    ``CREDIT_OVERRIDE_RAISE_MAX_DAYS`` days (``override_basis.basis_check``)."""
    if not actor.has_perm("ratings.request_override"):
        raise ApplicationError("无权申请人工调整信用等级", field="level")
    if level not in rules.LEVELS:
        raise ApplicationError(f"未知的信用等级“{level}”", field="level")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("请填写调整理由", field="reason")
    today = timezone.localdate()
    if ends_on <= today:
        raise ApplicationError("截止日期应晚于今天", field="ends_on")
    if LevelOverride.objects.filter(
        customer=customer, status__in=[OverrideStatus.PENDING, OverrideStatus.ACTIVE]
    ).exists():
        raise ApplicationError("该用户已有待审批或生效中的人工调整", field="level")
    basis = basis_check(
        customer_id=customer.pk,
        level=level,
        computed_level=_computed_level(customer.pk),
        ends_on=ends_on,
        today=today,
        kind=basis_kind,
        ref=basis_ref,
        document=basis_document,
    )
    override = LevelOverride(
        customer=customer,
        level=level,
        reason=reason,
        ends_on=ends_on,
        requested_by=actor,
        basis_kind=basis.kind,
        basis_ref=basis.ref,
        basis_summary=basis.summary,
    )
    if basis.document_suffix:
        override.basis_document.save(f"court{basis.document_suffix}", basis_document, save=False)
    audited_save(override, actor=actor, reason="申请人工调整")
    return override


def _computed_level(customer_id: int) -> str:
    """The level the rules compute for the customer now (stored with its rating); unrated before any."""
    return (
        CustomerRating.objects.filter(customer_id=customer_id).values_list("computed_level", flat=True).first()
        or rules.UNRATED
    )


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
    if approve:
        _raise_still_grounded(override)  # refused: the transaction and the decision above roll back
    audited_save(override, actor=actor, reason="批准人工调整" if approve else "驳回人工调整")
    if approve:
        rating_refresh(customer=override.customer, cause=RatingCause.OVERRIDE, cause_ref=str(override.pk))
    return override


def _raise_still_grounded(override: LevelOverride) -> None:
    """Checked again when the supervisor approves: the computed level may have fallen since the request,
    making an override that lowered the level one that raises it, without a basis or too long."""
    computed = _computed_level(override.customer_id)
    if not raises_level(level=override.level, computed_level=computed):
        return
    computed_label, label = rules.LEVEL_LABELS.get(computed, "未定级"), rules.LEVEL_LABELS[override.level]
    if override.basis_kind not in OVERRIDE_BASIS_KINDS:
        raise ApplicationError(
            f"按规则评定的等级现为{computed_label}，调整为{label}属于提高信用等级，而该申请未注明所依据的异议、"
            "信用修复或法院裁判文书：请驳回，由申请人注明依据后重新申请",
            field="override",
        )
    if override.basis_kind != OverrideBasis.COURT:
        # The objection or repair it names may have been refused since the request: asked again.
        override_basis(customer_id=override.customer_id, kind=override.basis_kind, ref=override.basis_ref)
    latest = raise_ends_by(requested_on=timezone.localdate())
    if override.ends_on > latest:
        raise ApplicationError(
            f"提高信用等级的人工调整最长 {settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS} 天，该申请的截止日期 "
            f"{override.ends_on:%Y-%m-%d} 晚于 {latest:%Y-%m-%d}：请驳回后重新申请",
            field="override",
        )


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
