"""Reads of the credit archive, always scoped to what the asking user may see."""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from credit_portal.compiled import CompiledQuery
from credit_portal.round_trip import read_together

from . import vocabulary
from .levels import of_level, with_level
from .models import (
    CreditEvent,
    CreditInformation,
    Customer,
    ElectricityAccount,
    EventRevocation,
    EventSource,
    EventStatus,
    ImportJob,
    ImportKind,
    Membership,
    PublicCreditReport,
    mask_phone,
)
from .publication import objected_events


def customers_visible_to(user) -> QuerySet[Customer]:
    """Staff, supervisors and DRC officers see every archive; an applicant only its confirmed own."""
    if not user.is_authenticated:
        return Customer.objects.none()
    return _visible_customers(every=user.has_perm("archives.view_all_archives"), user_id=user.pk)


def _visible_customers(*, every: bool, user_id) -> QuerySet[Customer]:
    """The rule of ``customers_visible_to``, also compiled by the rating API's look-up (``_compiled_lookup``)."""
    if every:
        return Customer.objects.all()
    return Customer.objects.filter(members__user_id=user_id, members__confirmed_at__isnull=False)


CUSTOMER_NOT_FOUND = "没有找到该用户档案"


def customer_for_user(*, user, uscc: str, related: tuple[str, ...] = ()) -> Customer:
    """The customer with that USCC if the user may see it; otherwise 404, never 403 (no probing).

    ``related``: one-to-one relations read in the same query (``select_related``), named by the caller.
    """
    customers = customers_visible_to(user).filter(uscc=(uscc or "").upper())
    customer = (customers.select_related(*related) if related else customers).order_by().first()
    if customer is None:
        raise Http404(CUSTOMER_NOT_FOUND)
    return customer


def customer_values_for_user(*, user, uscc: str, fields: tuple[str, ...]) -> dict:
    """``customer_for_user``'s look-up (the same scope, the same 404) as one row of ``fields``, e.g.
    ``rating__level``: no model instance built, for the API's look-ups that answer from a few columns.

    The statement is compiled once per process for each scope and field list (``_compiled_lookup``)."""
    if not user.is_authenticated:
        raise Http404(CUSTOMER_NOT_FOUND)
    every = user.has_perm("archives.view_all_archives")
    values = {"uscc": (uscc or "").upper()} | ({} if every else {"user_id": user.pk})
    rows = _compiled_lookup(fields, every).rows(**values)
    if not rows:
        raise Http404(CUSTOMER_NOT_FOUND)
    return dict(zip(fields, rows[0], strict=True))


def _lookup_query(fields: tuple[str, ...], every: bool):
    """The look-up as a ``CompiledQuery`` slot-builder: the USCC, and the user unless every archive is seen."""

    def query(uscc: str, user_id: int | None = None) -> QuerySet:
        return _visible_customers(every=every, user_id=user_id).filter(uscc=uscc).order_by().values_list(*fields)[:1]

    return query


@functools.lru_cache(maxsize=16)
def _compiled_lookup(fields: tuple[str, ...], every: bool) -> CompiledQuery:
    """The rating API's look-up compiled once per process for each scope and field list (``credit_portal.compiled``:
    compiling the ORM statement took about 40 % of the API's CPU per request, ``bench/pages.py``)."""
    slots = {"uscc": str} if every else {"uscc": str, "user_id": int}
    return CompiledQuery(_lookup_query(fields, every), **slots)


def membership_of(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("customer").filter(user=user).first()


#: A whole USCC (GB 32100-2015: 18 characters of its alphabet): searched by equality, one index look-up.
FULL_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def customer_search(customers: QuerySet[Customer], search: str) -> QuerySet[Customer]:
    """Narrow by each space-separated term (all must match, 棉花庄 博远 = 棉花庄 AND 博远), by what it looks like.

    Each term is its own condition with its index: a whole USCC by the unique index; a USCC prefix (or an
    ASCII name part) by a ``varchar_pattern_ops`` index for ``LIKE 'x%'``; a name part on PostgreSQL by
    the trigram GIN index on ``UPPER(name)`` for ``name__icontains`` (elsewhere a scan).
    """
    for term in (search or "").split():  # str.split() also splits on the full-width space (U+3000)
        customers = customers.filter(_term_condition(term))
    return customers


def _term_condition(term: str) -> Q:
    code = term.upper()
    if FULL_USCC.fullmatch(code):
        return Q(uscc=code)
    if term.isalnum() and term.isascii():
        return Q(uscc__startswith=code) | Q(name__icontains=term)
    return Q(name__icontains=term)


def customer_list(
    *, user, search: str = "", industry: str = "", payment_method: str = "", in_arrears: str = "", level: str = ""
) -> QuerySet[Customer]:
    """The customer list with its search (USCC or name) and filters, by name (index ``customer_name_id``)."""
    customers = customer_search(customers_visible_to(user), search)
    if industry:
        customers = customers.filter(industry=industry)
    if payment_method:
        customers = customers.filter(
            Exists(ElectricityAccount.objects.filter(customer=OuterRef("pk"), payment_method=payment_method))
        )
    if in_arrears in ("yes", "no"):
        arrears = Exists(ElectricityAccount.objects.filter(customer=OuterRef("pk"), arrears_since__isnull=False))
        customers = customers.filter(arrears if in_arrears == "yes" else ~arrears)
    if level:
        customers = of_level(customers, level)
    return with_level(customers).order_by("name", "id")


INDUSTRIES_CACHE_KEY = "archives:industries:v1"
#: The list changes when a customer with a new industry is filed; the writes forget it, the age caps it.
INDUSTRIES_CACHE_SECONDS = 3600


def industries() -> list[str]:
    """The industries of the filter, from the shared cache (a DISTINCT over every customer otherwise)."""
    return cache.get_or_set(INDUSTRIES_CACHE_KEY, _industries, INDUSTRIES_CACHE_SECONDS)


def _industries() -> list[str]:
    return list(
        Customer.objects.exclude(industry="").order_by("industry").values_list("industry", flat=True).distinct()
    )


def industries_forget() -> None:
    """Drop the cached industry list (a customer's industry was written)."""
    cache.delete(INDUSTRIES_CACHE_KEY)


def customer_events(customer: Customer, *, on: date | None = None) -> QuerySet[CreditEvent]:
    """A customer's events with their publication status on ``on`` (today by default)."""
    events = customer.events.select_related("recorded_by").prefetch_related(
        Prefetch("revocations", queryset=EventRevocation.objects.select_related("requested_by", "decided_by"))
    )
    return events_with_publication_status(events, on=on or timezone.localdate())


@dataclass
class ArchivePage:
    """The lists of a customer's archive page; each event has its revocation requests in ``revocation_requests``."""

    accounts: list[ElectricityAccount]
    events: list[CreditEvent]
    reports: list[PublicCreditReport]
    information: list[CreditInformation]


def archive_page(customer: Customer, *, on: date | None = None) -> ArchivePage:
    """The archive page's lists, read in one statement (``read_together``): the accounts, the events with their
    publication status on ``on`` (today by default) and revocation requests, the reports, other credit information."""
    on = on or timezone.localdate()
    read = read_together(
        accounts=customer.accounts.all(),
        events=events_with_publication_status(customer.events.select_related("recorded_by"), on=on),
        revocations=EventRevocation.objects.filter(event__customer=customer).select_related(
            "requested_by", "decided_by"
        ),
        reports=customer.reports.select_related("uploaded_by", "verified_by"),
        information=customer.credit_information.select_related("recorded_by"),
    )
    requests_by_event = defaultdict(list)
    for revocation in read["revocations"]:  # newest first, as the model orders them
        requests_by_event[revocation.event_id].append(revocation)
    for event in read["events"]:
        event.revocation_requests = requests_by_event[event.pk]
    return ArchivePage(
        accounts=read["accounts"], events=read["events"], reports=read["reports"], information=read["information"]
    )


def events_with_publication_status(events: QuerySet[CreditEvent], *, on: date) -> QuerySet[CreditEvent]:
    """The events annotated with ``publication_status`` on ``on``: the one place it is computed.

    已撤销 (revoked), else 已修复 (repaired on or before ``on``), else 异议中 (an objection open), else
    公示期满 (the longest publication period ended before ``on``), else 有效. The open objections are
    a hashed ``IN`` over the few open ones (``publication.objected_events``), not a subquery per event.
    """
    return events.annotate(
        publication_status=Case(
            When(status=EventStatus.REVOKED, then=Value(vocabulary.REVOKED_STATUS)),
            When(repaired_on__lte=on, then=Value(vocabulary.REPAIRED_STATUS)),
            When(pk__in=objected_events(), then=Value(vocabulary.OBJECTED_STATUS)),
            When(publication_longest_until__lt=on, then=Value(vocabulary.EXPIRED_STATUS)),
            default=Value(vocabulary.IN_FORCE_STATUS),
            output_field=CharField(),
        )
    )


def events_in_force_by_id(event_ids) -> QuerySet[CreditEvent]:
    """The events of these ids that are in force (not revoked): what a notice of a new record quotes."""
    return CreditEvent.objects.filter(pk__in=list(event_ids), status=EventStatus.IN_FORCE)


def events_of_import(*, job_id: int, customer_ids) -> QuerySet[CreditEvent]:
    """The in-force events an events import job wrote for these customers: those it links to itself.

    Records imported before imports kept the link (archives 0016) are found as they were then: by the
    job's user, since its upload (a job stalled across that upgrade still tells its first batches)."""
    job = ImportJob.objects.filter(pk=job_id, kind=ImportKind.EVENTS).values("created_by_id", "created_at").first()
    if job is None:
        return CreditEvent.objects.none()
    unlinked = Q(import_job__isnull=True, recorded_by_id=job["created_by_id"], recorded_at__gte=job["created_at"])
    return CreditEvent.objects.filter(
        Q(import_job_id=job_id) | unlinked,
        customer_id__in=list(customer_ids),
        source=EventSource.IMPORT,
        status=EventStatus.IN_FORCE,
    )


def pending_revocations() -> QuerySet[EventRevocation]:
    return EventRevocation.objects.filter(status="pending").select_related("event", "event__customer", "requested_by")


def reports_awaiting_verification() -> QuerySet[PublicCreditReport]:
    return PublicCreditReport.objects.filter(status="pending").select_related("customer", "uploaded_by")


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


_ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}
_HIDDEN_FIELDS = {"updated_at", "created_at", "recorded_at", "uploaded_at", "requested_at"}


def _display(record, field_name: str, user_names: dict[int, str]) -> str:
    """A stored value as the page shows it: labels for choices, 是/否, local dates, no storage paths."""
    model_field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(model_field, models.FileField):
        return "已上传文件"
    if isinstance(model_field, models.DateTimeField):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(model_field, models.DateField):
        return value.isoformat()
    if model_field.is_relation:
        if model_field.related_model is get_user_model():
            return user_names.get(value, f"#{value}")
        return f"#{value}"
    return str(value)


def _user_names(records: list) -> dict[int, str]:
    """The names of the users the records point to (recorded by, verified by …), in one query."""
    user_model = get_user_model()
    ids = {
        getattr(record, model_field.attname)
        for record in records
        for model_field in record.instance_type._meta.concrete_fields
        if model_field.is_relation and model_field.related_model is user_model
    } - {None}
    return {
        pk: f"{first} {last}".strip() or username
        for pk, username, first, last in user_model.objects.filter(pk__in=ids).values_list(
            "pk", "username", "first_name", "last_name"
        )
    }


# What the archive page shows masked to whoever may not see contact details, masked in the history too.
_PHONE_FIELDS = {"contact_phone"}
_MOBILE = re.compile(r"1\d{10}")  # an enterprise user's login name is its mobile number


def _masked(text: str) -> str:
    return mask_phone(text) if _MOBILE.fullmatch(text) else text


def _entries_for(
    records: list, label: str, describe, user_names: dict[int, str], *, masked: bool = True
) -> list[HistoryEntry]:
    def show(record, field_name: str) -> str:
        value = _display(record, field_name, user_names)
        if masked and value and (field_name in _PHONE_FIELDS or _MOBILE.fullmatch(value)):
            return mask_phone(value)
        return value

    entries = []
    previous_by_object: dict[int, object] = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in _HIDDEN_FIELDS:
                    continue
                verbose = record.instance_type._meta.get_field(change.field).verbose_name
                changes.append((str(verbose), show(previous, change.field), show(record, change.field)))
        else:
            for model_field in record.instance_type._meta.concrete_fields:
                if model_field.name in _HIDDEN_FIELDS or model_field.primary_key or model_field.name == "customer":
                    continue
                shown = show(record, model_field.name)
                if shown != "—":
                    changes.append((str(model_field.verbose_name), "", shown))
        previous_by_object[record.id] = record
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else "系统"
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_masked(who) if masked else who,
                what=f"{label} {describe(record)}",
                action=_ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def archive_history(customer: Customer, *, unmasked: bool = False, limit: int = 200) -> list[HistoryEntry]:
    """Every audited change to the customer's archive, newest first: who, when, before and after.

    Phone numbers are masked (138****5678) unless `unmasked`: for whoever sees them masked on the page."""
    event_ids = customer.events.values("pk")  # a subquery, not a query of its own
    sources = [
        (Customer.history.filter(id=customer.pk), "档案", lambda r: r.name),
        (ElectricityAccount.history.filter(customer_id=customer.pk), "户号", lambda r: r.number),
        (CreditEvent.history.filter(customer_id=customer.pk), "失信记录", lambda r: f"#{r.id}"),
        (EventRevocation.history.filter(event_id__in=event_ids), "撤销申请", lambda r: f"#{r.id}"),
        (
            PublicCreditReport.history.filter(customer_id=customer.pk),
            "公共信用报告",
            lambda r: f"{r.issued_on:%Y-%m-%d}",
        ),
        (CreditInformation.history.filter(customer_id=customer.pk), "其他信用信息", lambda r: r.title),
    ]
    loaded = [
        (list(history.select_related("history_user").order_by("history_date", "history_id")), label, describe)
        for history, label, describe in sources
    ]
    names = _user_names([record for records, _, _ in loaded for record in records])
    entries = chain.from_iterable(
        _entries_for(records, label, describe, names, masked=not unmasked) for records, label, describe in loaded
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]
