from django import template

from ratings import rules, selectors

register = template.Library()


@register.filter
def level_label(level: str | None) -> str:
    """The Chinese name of a level; a customer not rated yet reads 待评定."""
    return rules.LEVEL_LABELS.get(level or "", "待评定")


@register.simple_tag
def rating_panel_of(customer):
    """The rating panel of a customer (``ratings/_panel.html``) for the pages of the archive."""
    return selectors.rating_panel(customer)
