from django import template

from notifications.selectors import notices_to_customer

register = template.Library()


@register.simple_tag
def latest_notices_to(customer, limit: int = 5) -> list:
    """The latest reminders and letters sent to the enterprise (for its home page, whose view checked that the
    user acts for it)."""
    return list(notices_to_customer(customer.pk)[:limit])
