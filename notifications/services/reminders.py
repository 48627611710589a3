"""Reminders that keep an honest customer honest: its public credit report running out (plan Annex 1).

A report counts for one year (RATING_RULES.md). Thirty days before that, and on the day, the
enterprise is reminded by SMS and WeChat (and sees it on its notices page) how to renew it. The
nightly run finds the dates; a missed night is caught up within the window; the unique key
(customer, kind, report, channel) makes a reminder go once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from archives.models import PublicCreditReport, ReportStatus
from ratings import consequences, rules
from ratings.rulesets import rule_book_for

from .. import texts
from ..models import Notice, NoticeKind, NoticeStatus
from .sending import notices_enqueue

HONEST = consequences.levels_granting(consequences.GREEN_CHANNEL)
#: A reminder missed (beat down) is still sent this many days late, never later.
CATCH_UP_DAYS = 30


@dataclass(frozen=True)
class RunningOut:
    report: PublicCreditReport
    expires_on: date
    level: str
    days_left: int


def reports_running_out(
    *, today: date, within_days: int = consequences.REPORT_REMINDER_DAYS_BEFORE
) -> list[RunningOut]:
    """Honest customers whose counting report runs out within `within_days` (or did so lately).

    A report counts for one year in the plan; for as long as the rule set in force says.

    The staff worklist, and what the reminders are written from: the latest verified report of each
    customer, showing no dishonesty, that expires between `today − CATCH_UP_DAYS` and `today + within_days`.
    """
    years = rule_book_for(as_of=today).report_valid_years
    newer = PublicCreditReport.objects.filter(
        customer=OuterRef("customer"), status=ReportStatus.VERIFIED, issued_on__gt=OuterRef("issued_on"),
        issued_on__lte=today,
    )  # fmt: skip
    candidates = (
        PublicCreditReport.objects.filter(
            status=ReportStatus.VERIFIED,
            shows_dishonesty=False,
            issued_on__gt=rules.add_years(today - timedelta(days=CATCH_UP_DAYS), -years),
            issued_on__lte=rules.add_years(today + timedelta(days=within_days), -years),
        )
        .exclude(Exists(newer))
        .select_related("customer", "customer__rating")
        .order_by("issued_on", "customer__uscc", "id")
    )
    found = []
    for report in candidates:
        expires_on = rules.add_years(report.issued_on, years)
        rating = getattr(report.customer, "rating", None)
        level = rating.level if rating else ""
        # Honest now, or honest until the report ran out (rated unrated since then).
        honest = level in HONEST or (level == rules.UNRATED and rating is not None and rating.changed_on >= expires_on)
        if honest:
            found.append(
                RunningOut(report=report, expires_on=expires_on, level=level, days_left=(expires_on - today).days)
            )
    return found


@transaction.atomic
def report_expiry_reminders(*, today: date) -> int:
    """Write the due reminders (30 days before, and on the day) and queue them on commit; returns how many new."""
    before = consequences.REPORT_REMINDER_DAYS_BEFORE
    validity = rules.years_text(rule_book_for(as_of=today).report_valid_years)
    notices = []
    for item in reports_running_out(today=today, within_days=before):
        if item.expires_on <= today:
            kind = NoticeKind.REPORT_EXPIRED
        elif item.expires_on - timedelta(days=before) <= today:
            kind = NoticeKind.REPORT_EXPIRING
        else:
            continue
        payload = {
            "issued_on": item.report.issued_on.isoformat(),
            "expires_on": item.expires_on.isoformat(),
            "validity": validity,  # "一年" in the plan: the rule set's report validity
        }
        notices += [
            Notice(
                customer_id=item.report.customer_id,
                kind=kind,
                subject_key=f"report:{item.report.pk}",
                channel=channel,
                level=item.level or rules.UNRATED,
                payload=payload,
            )  # fmt: skip
            for channel in texts.REPORT_REMINDER_CHANNELS
        ]
    if not notices:
        return 0
    keys = {(n.customer_id, n.kind, n.subject_key) for n in notices}
    existing = set(
        Notice.objects.filter(customer_id__in={k[0] for k in keys}, kind__in={k[1] for k in keys}).values_list(
            "customer_id", "kind", "subject_key"
        )
    )
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    new_keys = keys - existing
    transaction.on_commit(lambda: _enqueue(new_keys), robust=True)
    return sum(1 for n in notices if (n.customer_id, n.kind, n.subject_key) in new_keys)


def _enqueue(keys: set[tuple[int, str, str]]) -> None:
    """After commit: queue the pending reminders of these (customer, kind, subject) keys, read in one query."""
    if not keys:
        return
    candidates = Notice.objects.filter(
        customer_id__in={k[0] for k in keys},
        kind__in={k[1] for k in keys},
        subject_key__in={k[2] for k in keys},
        status=NoticeStatus.PENDING,
    ).values_list("pk", "customer_id", "kind", "subject_key")
    notices_enqueue(notice_ids=sorted(pk for pk, *key in candidates if tuple(key) in keys))
