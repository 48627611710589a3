"""`{% form_once %}`: the one-time token of a page form that creates a record (credit_portal.idempotency)."""

from django import template
from django.utils.html import format_html

from credit_portal.idempotency import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_once() -> str:
    """A hidden field with a fresh token: the form, sent twice, is handled once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_form_token())
