"""Who may act for an enterprise: applicants through a confirmed Membership, never a global permission."""

from archives.models import Customer, Membership
from credit_portal.errors import ApplicationError

from ..models import EnterpriseRegistration

NOT_A_MEMBER = "您的账号不能代表该企业办理此业务"


def _is_member(actor, customer: Customer) -> bool:
    return Membership.objects.filter(user=actor, customer=customer, confirmed_at__isnull=False).exists()


def require_member(*, actor, customer: Customer) -> None:
    """The actor must hold a confirmed membership of this very customer."""
    if not _is_member(actor, customer):
        raise ApplicationError(NOT_A_MEMBER, field="customer")


def filed_at_counter(*, actor, customer: Customer, permission: str) -> bool:
    """Whether the actor files for the customer at the counter (staff holding ``permission``) rather than
    for its own enterprise (a confirmed member); anyone else is refused as ``require_member`` refuses."""
    if _is_member(actor, customer):
        return False
    if not actor.has_perm(permission):
        raise ApplicationError(NOT_A_MEMBER, field="customer")
    return True


def enterprise_phone(*, customer: Customer, user_id: int | None) -> str:
    """Where a text about a request goes: the registered mobile of the enterprise user who made it, or the
    archive's contact number when staff made it for the enterprise at the counter."""
    registration = EnterpriseRegistration.objects.filter(user_id=user_id).first() if user_id else None
    return registration.phone if registration else customer.contact_phone
