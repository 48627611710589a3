"""Who may act for an enterprise: applicants through a confirmed Membership, never a global permission."""

from archives.models import Customer, Membership
from credit_portal.errors import ApplicationError


def require_member(*, actor, customer: Customer) -> None:
    """The actor must hold a confirmed membership of this very customer."""
    is_member = Membership.objects.filter(user=actor, customer=customer, confirmed_at__isnull=False).exists()
    if not is_member:
        raise ApplicationError("您的账号不能代表该企业办理此业务", field="customer")
