from django import template

from notifications.selectors import notices_of_enterprise

register = template.Library()


@register.simple_tag
def latest_notices_of(user, limit: int = 5) -> list:
    """The latest reminders and letters sent to the user's enterprise (for the enterprise's home page)."""
    notices = notices_of_enterprise(user=user) if user is not None else None
    return list(notices[:limit]) if notices is not None else []
