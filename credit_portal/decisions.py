"""The two-person decision (四眼原则): one person asks with a reason, a different supervisor decides.

Revocations of events (archives) and manual levels (ratings) share the fields (``TwoPersonDecision``)
and the checks (``two_person_decide``): pending only, never by the requester, only with the
permission, and a refusal needs a note.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .errors import ApplicationError

PENDING = "pending"
#: The refusal of a decision by the one who asked for it (or, for an objection, who reviewed it).
NOT_YOUR_OWN_REQUEST = "不能审批本人提出的申请，须由另一名班组长审批"


def decider_field(label: str) -> models.ForeignKey:
    """The user who decided, verified or handled a record: empty until then, kept if the user is not."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=label
    )


class TwoPersonDecision(models.Model):
    """A request (reason, requester) and its decision (decider, time, note). Subclasses add ``status``."""

    reason = models.TextField("理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = decider_field("审批人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        abstract = True


def two_person_decide(
    request: TwoPersonDecision,
    *,
    approve: bool,
    actor,
    note: str,
    permission: str,
    approved: str,
    refused: str,
    field: str,
    not_allowed: str,
) -> None:
    """Check and record the decision on a pending request (locked by the caller), which then saves it.

    ``approved``/``refused``: the statuses to set; ``field``: where a refusal of the decision shows;
    ``not_allowed``: the message for an actor without ``permission``.
    """
    if request.status != PENDING:
        raise ApplicationError("该申请已处理", field=field)
    if request.requested_by_id == actor.pk:
        raise ApplicationError(NOT_YOUR_OWN_REQUEST, field=field)
    if not actor.has_perm(permission):
        raise ApplicationError(not_allowed, field=field)
    note = (note or "").strip()
    if not approve and not note:
        raise ApplicationError("驳回时请填写理由", field="note")
    request.status = approved if approve else refused
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
