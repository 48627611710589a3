from django import template

from ratings import rules, selectors

register = template.Library()


@register.filter
def level_label(level: str | None) -> str:
    """The Chinese name of a level; a customer not rated yet reads 待评定."""
    return rules.LEVEL_LABELS.get(level or "", "待评定")


@register.filter
def rules_in_words(rule_ids) -> list[str]:
    """Rule ids as a person reads them: ["blue.3"] → ["蓝色等级评定要素第3条"]."""
    return [rules.rule_words(rule_id) for rule_id in rule_ids or ()]


@register.filter
def rule_in_words(rule_id: str) -> str:
    return rules.rule_words(rule_id)


@register.filter
def rule_ids_in_words(text: str) -> str:
    """A stored text (advice written before it named criteria in words) with every rule id in words."""
    return rules.rule_ids_in_words(text)


@register.inclusion_tag("ratings/_revocation_outcome.html")
def revocation_outcome(event) -> dict:
    """On the revocation decision page (archives): the level now and the level if the event is revoked."""
    from ratings.selectors import revocation_outcome as outcome

    return {"outcome": outcome(event)}


@register.simple_tag
def rating_panel_of(customer):
    """The rating panel of a customer (``ratings/_panel.html``) for the pages of the archive."""
    return selectors.rating_panel(customer)


@register.filter
def plain_finding(finding) -> str:
    """A finding in the plan's words and the facts with their dates, without the rule id in front
    (the enterprise reads the id, if at all, in small print beside it)."""
    text = finding.text
    return text[len(finding.rule) :] if text.startswith(finding.rule) else text
