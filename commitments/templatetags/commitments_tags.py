from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_days(value: timedelta | None) -> str:
    """A duration as the staff count it: days with one decimal, or hours under a day."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 86400:
        return f"{seconds / 3600:.1f} 小时"
    return f"{seconds / 86400:.1f} 天"


@register.filter
def get_item(mapping: dict, key) -> list:
    """`mapping|get_item:key` — a dict lookup in a template; an absent key gives an empty list."""
    return mapping.get(key, [])
