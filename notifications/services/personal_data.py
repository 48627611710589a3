"""What notifications keeps that concerns people: the mobile numbers its texts went to (retention), and
the notices of an enterprise in its data download."""

from datetime import datetime

from django.db.models import Q

from archives.models import mask_phone

from ..models import DirectMessage, DirectMessageStatus, Notice

_FULL_MOBILE = r"^1[0-9]{10}$"


def message_recipients_forget(now: datetime) -> int:
    """Texts sent (or given up) longer ago than their period keep only a masked number (138****5678)."""
    from credit_portal.retention import retention_cutoff

    cutoff = retention_cutoff("message_recipients", now=now)
    finished = Q(status__in=[DirectMessageStatus.SENT, DirectMessageStatus.FAILED])
    done = 0
    for pk, recipient in DirectMessage.objects.filter(
        finished, created_at__lt=cutoff, recipient__regex=_FULL_MOBILE
    ).values_list("pk", "recipient"):
        done += DirectMessage.objects.filter(pk=pk, recipient=recipient).update(recipient=mask_phone(recipient))
    return done


def notices_of(customer) -> list[dict]:
    """The enterprise's notices as its data download lists them: what was sent, when, through which channel."""
    rows = Notice.objects.filter(customer=customer).order_by("created_at", "id")
    return [
        {
            "created_at": notice.created_at.isoformat(timespec="seconds"),
            "kind": notice.get_kind_display(),
            "channel": notice.get_channel_display(),
            "level": notice.get_level_display(),
            "status": notice.get_status_display(),
            "sent_at": notice.sent_at.isoformat(timespec="seconds") if notice.sent_at else None,
            "reference": notice.reference,
            "body": notice.body,
        }
        for notice in rows.iterator(chunk_size=500)
    ]
