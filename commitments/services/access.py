"""Who may act for an enterprise: applicants through a confirmed Membership, never a global permission."""

from archives.models import Customer, Membership
from credit_portal.errors import ApplicationError

from ..models import EnterpriseRegistration


def require_member(*, actor, customer: Customer) -> None:
    """The actor must hold a confirmed membership of this very customer."""
    is_member = Membership.objects.filter(user=actor, customer=customer, confirmed_at__isnull=False).exists()
    if not is_member:
        raise ApplicationError("您的账号不能代表该企业办理此业务", field="customer")


def enterprise_phone(*, customer: Customer, user_id: int | None) -> str:
    """Where a text about a request goes: the registered mobile of the enterprise user who made it, or the
    archive's contact number when staff made it for the enterprise at the counter."""
    registration = EnterpriseRegistration.objects.filter(user_id=user_id).first() if user_id else None
    return registration.phone if registration else customer.contact_phone
