from django import template

from ratings import rules

register = template.Library()


@register.filter
def level_label(level: str | None) -> str:
    """The Chinese name of a level; a customer not rated yet reads 待评定."""
    return rules.LEVEL_LABELS.get(level or "", "待评定")
