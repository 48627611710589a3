"""Telling an enterprise of each new record in force, once (提醒与告知 of every act of dishonesty).

A record is told in the transaction that made it count. When that transaction also changed the
level and the change calls for notices, those notices name the record (their payload's ``events``)
and no notice of its own is written: the enterprise gets one message, not two. Otherwise the record
gets notices of its own (kind ``event_recorded``), one per channel of the level in force, keyed by
(customer, kind, ``event-<id>``, channel): a record processed twice is still told once. What a
notice says of a record (type, dates, class, the objection deadline) is read from the archive's
selectors when it is told and kept with the notice; nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from archives import vocabulary
from archives.models import CreditEvent
from archives.selectors import events_in_force_by_id, events_of_import
from credit_portal.workdays import add_working_days
from ratings.selectors import changes_in_force

from .. import texts
from ..models import Notice, NoticeKind, NoticeStatus
from .inserting import notices_insert
from .sending import notices_enqueue
from .superseding import OPEN

_CHUNK = 1000
IMPORT_PREFIX = "import:"


def event_key(event_id: int) -> str:
    """The subject of a record's own notices: with the kind and the channel, what makes one of a kind."""
    return f"event-{event_id}"


def objection_until(told_on: date) -> date:
    """The last day to object to a record told on ``told_on``: OBJECTION_WINDOW_WORKING_DAYS working days later."""
    return add_working_days(told_on, settings.OBJECTION_WINDOW_WORKING_DAYS)


def event_facts(event: CreditEvent, *, told_on: date, until: date | None = None) -> dict:
    """What the notices say of one record, as the archive holds it, with the objection deadline from ``told_on``."""
    dishonesty_class = event.dishonesty_class or vocabulary.dishonesty_class(
        event.type, amount_yuan=event.amount_yuan, voltage_kv=event.voltage_kv, severity=event.severity
    )
    return {
        "id": event.pk,
        "type": event.get_type_display(),
        "occurred_on": event.occurred_on.isoformat(),
        "found_on": (event.found_on or told_on).isoformat(),
        "class": vocabulary.DISHONESTY_CLASS_LABELS.get(dishonesty_class, ""),
        "objection_until": (until or objection_until(told_on)).isoformat(),
        "objection_days": settings.OBJECTION_WINDOW_WORKING_DAYS,
        "reply_days": settings.OBJECTION_REPLY_WORKING_DAYS,
    }


def event_values(events: list[dict]) -> dict[str, str]:
    """The placeholder values of the records a notice tells of (the earliest deadline if several)."""
    return {
        "events": "；".join(
            texts.EVENT_LINE.format(
                occurred_on=e["occurred_on"], event_type=e["type"], event_class=e["class"], found_on=e["found_on"]
            )
            for e in events
        ),
        "objection_until": min(e["objection_until"] for e in events),
        "objection_days": str(events[0]["objection_days"]),
        "reply_days": str(events[0]["reply_days"]),
    }


def records_told(event_ids: Iterable[int]) -> dict[int, tuple[int, dict]]:
    """Event id → (customer id, what the notices say of it told today), for those of these records in force."""
    return {
        event["id"]: (customer_id, event)
        for customer_id, events in _facts_by_customer(events_in_force_by_id(event_ids)).items()
        for event in events
    }


def events_tell(*, customer_id: int, event_ids: Iterable[int], level: str | None = None) -> int:
    """Tell the customer of these new records in force with notices of their own, in the transaction that
    recorded (or restored) them. A level change that calls for notices names its record as they are written
    (``creation.caused_record``): its caller does not ask for these.

    ``level``: the level in force, when the caller has it (the re-rating that just ran), else it is read.
    Returns how many notices were asked for (existing ones included: a record is told once).
    """
    events = _facts_by_customer(events_in_force_by_id(event_ids).filter(customer_id=customer_id))
    if not events:
        return 0
    return _event_notices_write(events, levels=None if level is None else {customer_id: level})


def events_tell_in_changes(*, changes: Iterable[tuple[int, int]], cause_ref: str) -> int:
    """An import's level changes (change id, customer id), in their transaction: their notices name the
    records the import wrote for those customers. Returns how many customers' notices name them."""
    if not cause_ref.startswith(IMPORT_PREFIX) or not cause_ref[len(IMPORT_PREFIX) :].isdigit():
        return 0
    job_id = int(cause_ref[len(IMPORT_PREFIX) :])
    change_of = {customer_id: change_id for change_id, customer_id in changes}
    named = 0
    customers = sorted(change_of)
    for start in range(0, len(customers), _CHUNK):
        chunk = customers[start : start + _CHUNK]
        events = _facts_by_customer(events_of_import(job_id=job_id, customer_ids=chunk))
        named += len(_name_in_level_notices({c: (change_of[c], found) for c, found in events.items()}))
    return named


def events_tell_imported(*, customer_ids: Iterable[int], ref: str) -> int:
    """After an import re-rated its customers: the records it wrote that no level-change notice names get
    notices of their own. Idempotent (a record already told is skipped). Returns how many records were told."""
    if not ref.startswith(IMPORT_PREFIX) or not ref[len(IMPORT_PREFIX) :].isdigit():
        return 0
    job_id = int(ref[len(IMPORT_PREFIX) :])
    customers = sorted(set(customer_ids))
    told = 0
    for start in range(0, len(customers), _CHUNK):
        chunk = customers[start : start + _CHUNK]
        with transaction.atomic():  # a chunk at a time, as the import writes: no lock held for the whole file
            already = _told_event_ids(chunk)
            events = _facts_by_customer(events_of_import(job_id=job_id, customer_ids=chunk).exclude(pk__in=already))
            if events:
                _event_notices_write(events)
                told += sum(len(found) for found in events.values())
    return told


#: How far back the sweeper looks for level-change notices superseded before they told their records.
RETELL_WITHIN = timedelta(days=2)


@transaction.atomic
def events_retell(*, now: datetime | None = None) -> int:
    """Records named only by level-change notices superseded before they went out (a newer level came
    first, and its notices do not name them) get notices of their own, at the level in force: a record is
    never left untold. Run by the sweeper; idempotent. Returns how many records were told anew."""
    now = now or timezone.now()
    named: dict[int, set[int]] = {}
    for customer_id, events in Notice.objects.filter(
        status=NoticeStatus.SUPERSEDED,
        kind=NoticeKind.LEVEL_CHANGE,
        superseded_at__gte=now - RETELL_WITHIN,
        payload__has_key="events",
    ).values_list("customer_id", "payload__events"):
        named.setdefault(customer_id, set()).update(e["id"] for e in events or ())
    customers = sorted(named)
    told = 0
    for start in range(0, len(customers), _CHUNK):
        chunk = customers[start : start + _CHUNK]
        untold = {event_id for c in chunk for event_id in named[c]} - _told_event_ids(chunk)
        events = _facts_by_customer(events_in_force_by_id(untold)) if untold else {}
        if events:
            _event_notices_write(events)
            told += sum(len(found) for found in events.values())
    return told


def event_notices_supersede(*, customer_id: int, event_id: int, event_label: str) -> int:
    """A record revoked before its notices went out: they are kept, never sent (nor a letter mailed)."""
    return Notice.objects.filter(
        OPEN, customer_id=customer_id, kind=NoticeKind.EVENT_RECORDED, subject_key=event_key(event_id)
    ).update(
        status=NoticeStatus.SUPERSEDED,
        superseded_at=timezone.now(),
        superseded_reason=f"所告知的失信行为记录（{event_label}）已撤销",
        lease_until=None,
        next_attempt_at=None,
    )


def _facts_by_customer(events) -> dict[int, list[dict]]:
    today = timezone.localdate()
    until = objection_until(today)
    found: dict[int, list[dict]] = {}
    for event in events.order_by("customer_id", "occurred_on", "pk"):
        found.setdefault(event.customer_id, []).append(event_facts(event, told_on=today, until=until))
    return found


def _name_in_level_notices(changes: dict[int, tuple[int, list[dict]]]) -> set[int]:
    """Name the records in the level-change notices of these changes (customer → (change id, records)).

    Only notices not yet sent take the records (in the transaction that wrote them, all are); the
    customers whose change has notices that name them (now or before) are returned, the others need
    notices of their own. One read and one batched update for the lot (an import changes thousands).
    """
    named: set[int] = set()
    if not changes:
        return named
    rows = Notice.objects.filter(
        rating_change_id__in=[change_id for change_id, _events in changes.values()], kind=NoticeKind.LEVEL_CHANGE
    ).only("pk", "customer_id", "rating_change_id", "status", "payload")
    to_name = []
    for notice in rows:
        change_id, events = changes.get(notice.customer_id, (None, ()))
        if change_id != notice.rating_change_id:
            continue
        listed = list((notice.payload or {}).get("events", ()))
        known = {e["id"] for e in listed}
        if {e["id"] for e in events} <= known:
            named.add(notice.customer_id)
        elif notice.status == NoticeStatus.PENDING:
            notice.payload = {**(notice.payload or {}), "events": listed + [e for e in events if e["id"] not in known]}
            to_name.append(notice)
            named.add(notice.customer_id)
    Notice.objects.bulk_update(to_name, ["payload"], batch_size=500)
    return named


def _told_event_ids(customer_ids: list[int]) -> set[int]:
    """The records of these customers told (or being told): by notices of their own, or named by a level
    change's that was not superseded before it went out."""
    told = {
        int(key.removeprefix("event-"))
        for key in Notice.objects.filter(customer_id__in=customer_ids, kind=NoticeKind.EVENT_RECORDED).values_list(
            "subject_key", flat=True
        )
    }
    for events in (
        Notice.objects.filter(customer_id__in=customer_ids, kind=NoticeKind.LEVEL_CHANGE, payload__has_key="events")
        .exclude(status=NoticeStatus.SUPERSEDED)
        .values_list("payload__events", flat=True)
    ):
        told.update(e["id"] for e in events or ())
    return told


def _event_notices_write(events: dict[int, list[dict]], *, levels: dict[int, str] | None = None) -> int:
    """Notices of their own for these records (customer → records), on the channels of the level in force
    (``levels``, customer → level, when the caller knows them; else read); queued on commit by the ids the
    insert gave, or, where some existed already, by what is still pending. Returns how many notice rows were
    asked for (existing ones included)."""
    if levels is None:
        levels = {customer_id: change.level for customer_id, change in changes_in_force(events).items()}
    notices = []
    for customer_id, found in events.items():
        level = levels.get(customer_id) or vocabulary.UNRATED
        notices += [
            Notice(
                customer_id=customer_id,
                kind=NoticeKind.EVENT_RECORDED,
                subject_key=event_key(event["id"]),
                channel=channel,
                level=level,
                payload={"events": [event]},
            )
            for event in found
            for channel in texts.event_channels(level)
        ]
    new_ids = notices_insert(notices)
    if len(new_ids) == len(notices):  # the usual case: nothing read back
        transaction.on_commit(lambda: notices_enqueue(notice_ids=sorted(new_ids)), robust=True)
    else:
        keys = sorted({(n.customer_id, n.subject_key) for n in notices})
        transaction.on_commit(lambda: _enqueue_events(keys), robust=True)
    return len(notices)


def _enqueue_events(keys: list[tuple[int, str]]) -> None:
    """After commit: hand the still pending notices of these records to the workers."""
    ids: list[int] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        ids.extend(
            Notice.objects.filter(
                customer_id__in={c for c, _k in chunk},
                subject_key__in={k for _c, k in chunk},
                kind=NoticeKind.EVENT_RECORDED,
                status=NoticeStatus.PENDING,
            ).values_list("pk", flat=True)
        )
    notices_enqueue(notice_ids=sorted(ids))
