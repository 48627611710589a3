from django.conf import settings

from .navigation import QueueCounts
from .roles import ROLE_LABELS, role_of


def portal(request) -> dict:
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "portal_role": role,
        "portal_role_label": ROLE_LABELS.get(role, ""),
        "demo_mode": settings.DEMO_MODE,
        "nav_counts": QueueCounts(request.user) if hasattr(request, "user") else {},
    }
