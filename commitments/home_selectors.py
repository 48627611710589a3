"""The enterprise's home page: everything it sees about itself, in two queries.

The page shows a dozen short sets of one customer: its rating, rating history and override, letters,
reports, accounts, commendations, applications, service requests, objections and repairs. They are read
in one query (``credit_portal.round_trip``), its events with their publication status in a second, and
each set is then linked to the others here (an objection to its record, a repair to its event, letter and
proposal), as ``select_related`` and ``prefetch_related`` would, from the rows read once. The rating panel
and the no-property checklist are computed from the same rows. Its notices come from notifications' tag.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from archives.models import CreditInformationKind, Customer, EventRevocation
from archives.selectors import events_with_publication_status
from credit_portal.round_trip import link_many, link_one, read_together
from ratings import consequences
from ratings.facts import facts_of_records
from ratings.selectors import panel_reads, rating_panel_of

from .eligibility_selectors import LevelGate, NoPropertyDocuments, level_gate, no_property_documents_of
from .models import Objection, RepairApplication, RepairProposal
from .selectors import ObjectedFacts, objected_facts_of


@dataclass
class EnterpriseHome:
    customer: Customer
    rating: object
    events: list
    objections_by_event: dict[int, list[Objection]]
    reports: list
    letters: list
    applications: list
    service_requests: list
    objections: list
    documents: NoPropertyDocuments
    honest: bool
    open_objection_by_event: dict = field(default_factory=dict)
    gives: tuple = ()
    would_gain: tuple = ()
    measures: tuple = ()
    commendations: list = field(default_factory=list)
    today: date | None = None
    repairs: list = field(default_factory=list)
    repairs_by_event: dict = field(default_factory=dict)
    #: The no-property route when the level forbids it: told on the page, before any form.
    no_property_gate: LevelGate | None = None
    objected: ObjectedFacts = field(default_factory=lambda: ObjectedFacts())
    accounts: list = field(default_factory=list)


def enterprise_home(customer: Customer, *, today: date | None = None) -> EnterpriseHome:
    """Everything the enterprise sees about itself on one page (its notices come from notifications' tag)."""
    today = today or timezone.localdate()
    read = read_together(
        **panel_reads(customer, as_of=today),
        letters=customer.commitment_letters.all(),
        reports=customer.reports.all(),
        accounts=customer.accounts.order_by("number"),
        commendations=customer.credit_information.filter(kind=CreditInformationKind.COMMENDATION),
        applications=customer.power_applications.all(),
        service_requests=customer.service_requests.all(),
        objections=Objection.objects.filter(customer=customer),
        disputes=Objection.disputed_events.through.objects.filter(objection__customer=customer),
        revocations=EventRevocation.objects.filter(objection__customer=customer),
        repairs=RepairApplication.objects.filter(customer=customer),
        proposals=RepairProposal.objects.filter(application__customer=customer),
    )
    events = list(events_with_publication_status(customer.events.all(), on=today))
    objections = _objections_linked(read, events)
    repairs = _repairs_linked(read, events)

    by_event: dict[int, list[Objection]] = {}
    for objection in objections:
        for event in objection.disputed_events.all():
            by_event.setdefault(event.pk, []).append(objection)
    repairs_by_event: dict[int, list[RepairApplication]] = {}
    for repair in repairs:
        repairs_by_event.setdefault(repair.event_id, []).append(repair)

    rating = next(iter(read["rating"]), None)
    panel = rating_panel_of(
        facts=facts_of_records(as_of=today, accounts=read["accounts"], events=events, reports=read["reports"]),
        rating=rating,
        history=read["history"],
        override=next(iter(read["override"]), None),
        as_of=today,
    )
    documents = no_property_documents_of(
        level=rating.level if rating else "", letters=read["letters"], reports=read["reports"], today=today
    )
    return EnterpriseHome(
        customer=customer,
        rating=panel,
        events=events,
        objections_by_event=by_event,
        reports=read["reports"],
        letters=read["letters"],
        applications=read["applications"],
        service_requests=read["service_requests"],
        objections=objections,
        documents=documents,
        no_property_gate=level_gate(
            level=documents.level, offer=consequences.NO_PROPERTY_ROUTE, events=events, today=today
        ),
        honest=consequences.grants(panel.level, consequences.GREEN_CHANNEL),
        gives=consequences.offers_for(panel.level),
        would_gain=consequences.offers_missing(panel.level),
        measures=consequences.measures_for(panel.level, enabled=set(settings.CREDIT_OPTIONAL_MEASURES)),
        commendations=read["commendations"],
        today=today,
        repairs=repairs,
        repairs_by_event=repairs_by_event,
        # The oldest open objection of each event (the objections come newest first).
        open_objection_by_event={event.pk: o for o in objections if o.is_open for event in o.disputed_events.all()},
        objected=objected_facts_of(objections),
        accounts=read["accounts"],
    )


def _objections_linked(read: dict[str, list], events: list) -> list[Objection]:
    """The objections, each with its record, revocation and disputed events from the rows read."""
    events_by_pk = _by_pk(events)
    known = {
        "event": events_by_pk,
        "account": _by_pk(read["accounts"]),
        "report": _by_pk(read["reports"]),
        "revocation": _by_pk(read["revocations"]),
    }
    disputed: dict[int, set[int]] = {}
    for row in read["disputes"]:
        disputed.setdefault(row.objection_id, set()).add(row.creditevent_id)
    for objection in read["objections"]:
        _link_known(objection, known)
        ids = disputed.get(objection.pk, set())
        if ids <= events_by_pk.keys():
            link_many(objection, "disputed_events", [event for event in events if event.pk in ids])  # events' order
    return read["objections"]


def _repairs_linked(read: dict[str, list], events: list) -> list[RepairApplication]:
    """The repairs, each with its event, letter and proposal (or none) from the rows read."""
    known = {"event": _by_pk(events), "letter": _by_pk(read["letters"])}
    proposals = {proposal.application_id: proposal for proposal in read["proposals"]}
    for repair in read["repairs"]:
        _link_known(repair, known)
        link_one(repair, "proposal", proposals.get(repair.pk))
    return read["repairs"]


def _by_pk(rows: list[Model]) -> dict[int, Model]:
    return {row.pk: row for row in rows}


def _link_known(instance: Model, known: dict[str, dict[int, Model]]) -> None:
    """Link each foreign key of ``instance`` named in ``known`` to the row read; one not read stays to load."""
    for name, rows in known.items():
        related = rows.get(getattr(instance, instance._meta.get_field(name).attname))
        if related is not None:
            link_one(instance, name, related)
