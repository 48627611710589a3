from datetime import timedelta

from django import template
from django.utils import timezone

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


@register.inclusion_tag("commitments/_repair_panel.html", takes_context=True)
def repair_panel_of(context, customer, events) -> dict:
    """The credit repairs of a customer on its archive page (read by staff and DRC officers), with the
    counter's actions per record for staff: file an application, or record a repair made at the source.
    ``events``: the customer's events the page has read (the actions are its in-force, unrepaired ones).
    One query, whatever the number of records (the archive page's query budget)."""
    from ..repair_selectors import repairs_visible_to

    user = context["request"].user
    if not user.has_perm("commitments.view_repairapplication"):
        return {"visible": False}
    repairs = list(repairs_visible_to(user).filter(customer=customer))
    open_by_event = {repair.event_id: repair for repair in repairs if repair.is_open}
    actions = []
    if user.has_perm("commitments.propose_repair"):
        today = timezone.localdate()
        unrepaired = [event for event in events if event.status == "in_force" and event.repaired_on is None]
        for event in sorted(unrepaired, key=lambda event: event.occurred_on, reverse=True):
            publication = event.publication_class
            actions.append(
                {
                    "event": event,
                    "at_source": publication is not None and not publication.repaired_here,
                    "open": open_by_event.get(event.pk),
                    "opens_on": event.repair_open_on,
                    "too_early": event.repair_open_on is not None and today < event.repair_open_on,
                }
            )
    return {"visible": True, "repairs": repairs, "actions": actions}


@register.inclusion_tag("commitments/_measure_panel.html", takes_context=True)
def measure_panel_of(context, customer) -> dict:
    """The measures of red and black for this customer on its archive page (staff): in force first, one query."""
    from ..measure_selectors import measures_of

    user = context["request"].user
    if not user.has_perm("commitments.view_measuretask"):
        return {"visible": False}
    can_handle = user.has_perm("commitments.handle_measuretask")
    return {"visible": True, "tasks": measures_of(customer), "can_handle": can_handle}


@register.simple_tag
def objected_facts_of(customer):
    """What of the archive is 异议中 (the level, arrears dates, reports) for the archive page's marks."""
    from ..selectors import objected_facts

    return objected_facts(customer=customer)


@register.inclusion_tag("commitments/_objection_panel.html", takes_context=True)
def objection_panel_of(context, customer, objected) -> dict:
    """The open objections of a customer on its archive page, and the counter's action for staff: record
    the enterprise's paper objection."""
    user = context["request"].user
    return {
        "visible": user.has_perm("commitments.view_objection"),
        "customer": customer,
        "objected": objected,
        "may_record": user.has_perm("commitments.review_objection"),
    }
