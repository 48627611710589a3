"""Written notification letters (书面告知函): the composed letter, its number, its PDF."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from credit_portal.pdf import render_pdf
from credit_portal.pdf_parts import render_pdf_batch_parallel
from ratings import rules
from ratings.models import CustomerRating, LevelOverride
from ratings.rulesets import book_of_version
from ratings.selectors import LEVEL_CONSEQUENCES, PLAN_NUMBER, PLAN_TITLE

from .. import texts
from ..models import Channel, Notice, NoticeKind, NoticeStatus

LETTER_TEMPLATE = "notifications/letter.html"
ISSUER = "国网江苏省电力有限公司淮安供电分公司淮阴供电营业部"
LETTERHEAD = "淮阴供电营业部"


def letter_reference(*, letter_id: int, created_at: datetime) -> str:
    """The letter's number, e.g. 淮供营信告〔2026〕000123号: fixed by the letter's row, so a resend keeps it."""
    return f"淮供营信告〔{timezone.localtime(created_at).year}〕{letter_id:06d}号"


@dataclass(frozen=True)
class LetterBasis:
    """What a letter states: a level, how the rules computed it, from which level, as of when, and why.

    Everything comes from what the one writer of level changes stored (``ratings.changes``): the
    history row of the change, or, for a reissued letter, the rating in force. Nothing is evaluated."""

    level: str
    computed_level: str
    previous_level: str
    rules: list[str]
    as_of: date
    rule_set_version: int
    basis: dict


def letter_basis(notice: Notice) -> LetterBasis:
    """The level change the notice announces; for a reissued letter, the rating in force now (its rules
    and date: the revoked event no longer counts), from the level the change came from."""
    change = notice.rating_change
    rating = None
    if notice.kind == NoticeKind.LETTER_REISSUE:
        rating = CustomerRating.objects.filter(customer_id=notice.customer_id).first()
    source = rating or change
    return LetterBasis(
        level=source.level,
        computed_level=source.computed_level,
        previous_level=change.previous_level,
        rules=list(source.rules),
        as_of=source.as_of,
        rule_set_version=source.rule_set_version,
        basis=source.basis or {},
    )


def letter_compose(*, notice: Notice) -> dict:
    """The letter's whole content as of the rating change, kept with the notice as it was sent.

    The rules, their findings and evidence are those the change recorded (``RatingHistory.basis``).
    """
    change = letter_basis(notice)
    customer = notice.customer
    # The wording of the rule set the change was rated with.
    book = book_of_version(change.rule_set_version)
    findings = change.basis.get("findings", {})
    rule_rows = []
    for rule_id in change.rules:
        criterion = book.by_id.get(rule_id)
        if criterion is None or criterion.level != change.level:
            continue
        finding = findings.get(rule_id, {})
        rule_rows.append(
            {
                "id": rule_id,
                "plan_text": criterion.plan_text,
                "condition": criterion.condition,
                "facts": finding.get("text", ""),
                "evidence": [{"on": e["on"], "text": e["text"]} for e in finding.get("evidence", ())],
            }
        )
    # The events the letter quotes: revoking one of them supersedes the letter.
    event_ids = sorted(
        {
            e["ref"]
            for rule_id in change.rules
            for e in findings.get(rule_id, {}).get("evidence", ())
            if e["kind"] == "event"
        }
    )
    override_reason = ""
    if change.level != change.computed_level:
        override = LevelOverride.objects.filter(customer=customer, level=change.level).order_by("-decided_at").first()
        override_reason = override.reason if override else "人工调整"
    consequence = LEVEL_CONSEQUENCES.get(change.level)
    improvements = list(change.basis.get("improvements", ())) if change.computed_level == change.level else []
    return {
        **_letterhead(notice, customer),
        "level": change.level,
        "level_label": rules.LEVEL_LABELS.get(change.level, change.level),
        "previous_level_label": rules.LEVEL_LABELS.get(change.previous_level, "") if change.previous_level else "",
        "as_of": change.as_of.isoformat(),
        "rules": rule_rows,
        "event_ids": event_ids,
        "override_reason": override_reason,
        "meaning": consequence.plan_text if consequence else "",
        "portal_meaning": consequence.portal_text if consequence else "",
        "improvements": improvements,
        "objection": texts.LETTER_OBJECTION,
        "closing": texts.LETTER_CLOSING,
        "plan_title": PLAN_TITLE,
        "plan_number": PLAN_NUMBER,
        "reissue_reason": (notice.payload or {}).get("reissue_reason", ""),
        # The new records this change came with: the letter tells of them (no letter of their own).
        **_events_told(notice),
        # How long a record counts, as the rule set words its short window ("一年" in the plan).
        "record_years": rules.years_text(book.short_years),
    }


def _letterhead(notice: Notice, customer) -> dict:
    """What every letter's head and address carry: its number and date, the issuer, the addressee."""
    return {
        "reference": letter_reference(letter_id=notice.pk, created_at=notice.created_at),
        "issued_on": timezone.localdate().isoformat(),
        "issuer": ISSUER,
        "letterhead": LETTERHEAD,
        "hotline": settings.NOTIFICATION_HOTLINE,
        "customer": {
            "name": customer.name,
            "uscc": customer.uscc,
            "address": customer.address,
            "contact_person": customer.contact_person,
        },
    }


def _events_told(notice: Notice) -> dict:
    from .events import event_values

    events = (notice.payload or {}).get("events")
    if not events:
        return {}
    return {"events": events, "event_objection": texts.EVENT_LETTER_OBJECTION.format(**event_values(events))}


def event_letter_compose(*, notice: Notice) -> dict:
    """The letter telling of a new record at a red or black level (no level change came with it)."""
    customer = notice.customer
    return {
        "kind": "event",
        **_letterhead(notice, customer),
        "level": notice.level,
        "level_label": rules.LEVEL_LABELS.get(notice.level, notice.level),
        "closing": texts.LETTER_CLOSING,
        "plan_title": PLAN_TITLE,
        "plan_number": PLAN_NUMBER,
        **_events_told(notice),
    }


def letter_supersession(notice: Notice) -> dict | None:
    """A superseded letter's stamp: when, why, the level then, and the letter that replaced it (if composed)."""
    if notice.status != NoticeStatus.SUPERSEDED:
        return None
    successor = (
        Notice.objects.filter(
            customer_id=notice.customer_id,
            channel=Channel.LETTER,
            status=NoticeStatus.SENT,
            created_at__gte=notice.created_at,
        )
        .exclude(pk=notice.pk)
        .exclude(reference="")
        .order_by("created_at", "pk")
        .first()
    )
    at = timezone.localtime(notice.superseded_at) if notice.superseded_at else None
    return {
        "at": at.strftime("%Y-%m-%d %H:%M") if at else "",
        "reason": notice.superseded_reason,
        "level_label": notice.superseded_level_label if notice.superseded_level else "",
        "successor": successor.reference if successor else "",
    }


def letter_pdf(*, notice: Notice) -> bytes:
    """One composed letter as a PDF; a superseded one carries its stamp (when, why, by what) on top."""
    return render_pdf(LETTER_TEMPLATE, {"letter": notice.payload, "superseded": letter_supersession(notice)})


def letters_pdf(*, notices: Iterable[Notice]) -> bytes:
    """Many composed letters as one PDF for printing, each starting on a new page (large batches on every core)."""
    return render_pdf_batch_parallel(LETTER_TEMPLATE, [{"letter": notice.payload} for notice in notices])
