"""Row checks of the marketing-system import: the same rules as the staff forms, applied in bulk.

A checker takes rows in chunks, parses each field (collecting every failure of a row, not only the
first), then resolves the chunk's references with one query per kind of look-up. It returns the
clean rows and the errors as `{line, field, message}`. Checkers keep state across chunks (keys seen
earlier in the file), so one checker reads one file from top to bottom.
"""

import contextlib
import functools
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Min

from archives import vocabulary
from credit_portal.errors import ApplicationError

from .importing import COLUMNS, column_labels
from .models import SEVERITY_CHOICES, Customer, ElectricityAccount, PaymentMethod, VoltageLevel

# The rules live in the services; the import reuses them rather than restating them.
from .services.customers import CUSTOMER_FIELDS, check_account, clean_customer_fields
from .services.events import check_event_date, event_attributes
from .validation import check_decimal, normalize_uscc


def lookup_chunk() -> int:
    """Keys per `IN (...)` query: under SQLite's 999-parameter limit of older builds, larger elsewhere."""
    return 900 if connection.vendor == "sqlite" else 2000


def _key(text: str) -> str:
    return "".join(text.split()).lower()


PAYMENT_METHODS = {
    _key(name): code
    for code, names in {
        PaymentMethod.PREPAID: ("prepaid", "预存", "预付费", "预存（预付费）"),
        PaymentMethod.POSTPAID: ("postpaid", "后付费", "非预存", "非预存（后付费）"),
    }.items()
    for name in names
}
VOLTAGE_LEVELS = {
    **{_key(value): value for value in VoltageLevel.values},
    **{_key(label): value for value, label in VoltageLevel.choices},
    **{_key(name): VoltageLevel.V220 for name in ("220V", "220伏", "0.22千伏")},
    **{_key(name): VoltageLevel.V400 for name in ("380V", "380伏", "0.38kV", "0.4千伏")},
}
EVENT_TYPES = {
    _key(name): code
    for code, event_type in vocabulary.EVENT_TYPES.items()
    for name in (code, event_type.label, event_type.short_label)
}


def _severities(event_type: vocabulary.EventType) -> dict[str, str]:
    allowed = event_type.attribute.choice_labels if event_type.attribute else {}
    names = {**{label: code for code, label in SEVERITY_CHOICES}, "情节较重": "serious"}
    return {
        **{_key(label): code for label, code in names.items() if code in allowed},
        **{_key(label): code for code, label in allowed.items()},
        **{_key(code): code for code in allowed},
    }


SEVERITIES = {code: _severities(event_type) for code, event_type in vocabulary.EVENT_TYPES.items()}


def parse_date(text: str, *, field: str, label: str) -> date:
    """ISO dates, and the YYYY/M/D that Chinese Excel writes; a time part is ignored."""
    if len(text) == 10:
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)  # the common case, many times faster than strptime
    text = text.split()[0] if text.split() else ""
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ApplicationError(f"{label}“{text}”不是有效日期，应为 YYYY-MM-DD", field=field)


@functools.cache
def _column(model, field: str):
    return model._meta.get_field(field)


def _text_fits(value: str, model, field: str, label: str) -> str:
    limit = _column(model, field).max_length
    if limit and len(value) > limit:
        raise ApplicationError(f"{label}过长：最多{limit}个字符", field=field)
    return value


def _chunks(values: list):
    size = lookup_chunk()
    for start in range(0, len(values), size):
        yield values[start : start + size]


def customer_ids(usccs, known: dict[str, int | None]) -> dict[str, int | None]:
    """USCC → customer id (None: not on file), looking up only the USCCs not in `known` yet."""
    missing = sorted({uscc for uscc in usccs if uscc not in known})
    for chunk in _chunks(missing):
        known.update(dict.fromkeys(chunk))
        known.update(Customer.objects.filter(uscc__in=chunk).values_list("uscc", "id"))
    return known


@dataclass(slots=True)
class CustomerRow:
    line: int
    uscc: str
    fields: dict[str, str]


@dataclass(slots=True)
class AccountRow:
    line: int
    uscc: str
    number: str
    values: dict
    customer_id: int | None = None


@dataclass(slots=True)
class EventRow:
    line: int
    uscc: str
    type: str
    occurred_on: date
    attributes: dict
    description: str
    customer_id: int | None = None


_FAILED = object()  # a field that did not parse; the error is already recorded


class Checker:
    """Checks the rows of one file of one kind, chunk by chunk, from the top of the file."""

    kind = ""
    optional_values: frozenset[str] = frozenset()

    def __init__(self, *, today: date):
        self.today = today
        self.labels = column_labels(self.kind)
        self.required = [c.code for c in COLUMNS[self.kind] if c.required and c.code not in self.optional_values]
        self.seen: dict[str, int] = {}
        self.usccs: dict[str, str | ApplicationError] = {}
        # Look-ups remembered for the rest of the file: customers recur row after row in a feed.
        self.customer_ids: dict[str, int | None] = {}

    def uscc(self, text: str) -> str:
        """normalize_uscc, remembered: an accounts or events file names the same customers many times."""
        known = self.usccs.get(text)
        if known is None:
            try:
                known = normalize_uscc(text)
            except ApplicationError as error:
                known = error
            self.usccs[text] = known
        if isinstance(known, ApplicationError):
            raise known
        return known

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> tuple[list, list[dict]]:
        """The clean rows of a chunk, and an error for every field at fault."""
        errors: list[dict] = []
        parsed = []
        for line, row in rows:
            before = len(errors)
            if "__extra__" in row:
                errors.append({"line": line, "field": None, "message": row.pop("__extra__")})
            for code in self.required:
                if not row.get(code):
                    errors.append({"line": line, "field": code, "message": f"请填写{self.labels[code]}"})
            if len(errors) == before:
                parsed_row = self.parse(line, row, errors)
                if len(errors) == before:
                    parsed.append(parsed_row)
        clean = self.resolve(parsed, errors) if parsed else []
        errors.sort(key=lambda error: error["line"])  # reference errors come last; show them in file order
        return clean, errors

    def attempt(self, line: int, errors: list[dict], call, *args, **kwargs):
        """Call one check; on failure record its error and return _FAILED so that other fields go on."""
        try:
            return call(*args, **kwargs)
        except ApplicationError as error:
            errors.append({"line": line, "field": error.field, "message": error.message})
            return _FAILED

    def unique(self, line: int, errors: list[dict], key: str, field: str) -> None:
        """A key (USCC, account number) may appear once in a file; a repeat is an error on its line."""
        first = self.seen.setdefault(key, line)
        if first != line:
            message = f"{self.labels[field]} {key} 与第 {first} 行重复"
            errors.append({"line": line, "field": field, "message": message})

    def parse(self, line: int, row: dict[str, str], errors: list[dict]):
        raise NotImplementedError

    def resolve(self, parsed: list, errors: list[dict]) -> list:
        return parsed


class CustomerChecker(Checker):
    kind = "customers"

    def parse(self, line, row, errors) -> CustomerRow:
        uscc = self.attempt(line, errors, self.uscc, row["uscc"])
        if uscc is not _FAILED:
            self.unique(line, errors, uscc, "uscc")
        fields = self.attempt(line, errors, clean_customer_fields, {k: row[k] for k in CUSTOMER_FIELDS if k in row})
        if fields is not _FAILED:
            for key, value in fields.items():
                self.attempt(line, errors, _text_fits, value, Customer, key, self.labels[key])
        return CustomerRow(line=line, uscc=uscc, fields=fields)


class AccountChecker(Checker):
    kind = "accounts"
    optional_values = frozenset({"arrears_since"})

    def parse(self, line, row, errors) -> AccountRow:
        uscc = self.attempt(line, errors, self.uscc, row["uscc"])
        number = row["number"]
        if not number.isdigit():
            errors.append({"line": line, "field": "number", "message": f"户号“{number}”应为数字"})
        elif self.attempt(line, errors, _text_fits, number, ElectricityAccount, "number", "户号") is not _FAILED:
            self.unique(line, errors, number, "number")
        arrears = row["arrears_since"]
        values = {
            "opened_on": self.attempt(line, errors, parse_date, row["opened_on"], field="opened_on", label="立户日期"),
            "arrears_since": (
                self.attempt(line, errors, parse_date, arrears, field="arrears_since", label="欠费起始日")
                if arrears
                else None
            ),
            "payment_method": PAYMENT_METHODS.get(_key(row["payment_method"]), row["payment_method"]),
            "voltage_level": VOLTAGE_LEVELS.get(_key(row["voltage_level"]), row["voltage_level"]),
            "capacity_kva": self.attempt(
                line, errors, check_decimal, row["capacity_kva"], column=_column(ElectricityAccount, "capacity_kva"),
                label="容量",
            ),
        }  # fmt: skip
        if _FAILED not in values.values():
            self.attempt(line, errors, check_account, today=self.today, **values)
        return AccountRow(line=line, uscc=uscc, number=number, values=values)

    def resolve(self, parsed: list[AccountRow], errors) -> list[AccountRow]:
        ids = customer_ids((row.uscc for row in parsed), self.customer_ids)
        owners: dict[str, int] = {}
        for chunk in _chunks([row.number for row in parsed]):
            owners.update(ElectricityAccount.objects.filter(number__in=chunk).values_list("number", "customer_id"))
        clean, transfers = [], []
        for row in parsed:
            row.customer_id = ids.get(row.uscc)
            owner = owners.get(row.number)
            if row.customer_id is None:
                errors.append(_unknown_customer(row.line, row.uscc))
            elif owner is not None and owner != row.customer_id:
                transfers.append(row)
            else:
                clean.append(row)
        if transfers:  # rare: name the current owner, looked up only for these rows
            usccs = dict(
                Customer.objects.filter(pk__in={owners[row.number] for row in transfers}).values_list("id", "uscc")
            )
            for row in transfers:
                message = f"户号 {row.number} 属于其他用户（{usccs[owners[row.number]]}），导入不能变更户主"
                errors.append({"line": row.line, "field": "number", "message": message})
        return clean


class EventChecker(Checker):
    kind = "events"

    def __init__(self, *, today: date):
        super().__init__(today=today)
        self.first_opened: dict[int, date | None] = {}  # customer id → earliest account opened

    def parse(self, line, row, errors) -> EventRow:
        uscc = self.attempt(line, errors, self.uscc, row["uscc"])
        type_ = EVENT_TYPES.get(_key(row["type"]), row["type"])
        severity = row.get("severity", "")
        attributes = self.attempt(
            line, errors, event_attributes, type=type_,
            amount_yuan=row.get("amount_yuan", "").replace(",", ""),
            voltage_kv=_strip_unit(row.get("voltage_kv", "")),
            severity=SEVERITIES.get(type_, {}).get(_key(severity), severity),
        )  # fmt: skip
        occurred_on = self.attempt(line, errors, parse_date, row["occurred_on"], field="occurred_on", label="发生日期")
        return EventRow(
            line=line, uscc=uscc, type=type_, occurred_on=occurred_on, attributes=attributes,
            description=row.get("description", ""),
        )  # fmt: skip

    def resolve(self, parsed: list[EventRow], errors) -> list[EventRow]:
        ids = customer_ids((row.uscc for row in parsed), self.customer_ids)
        first_opened = self.first_opened
        missing = sorted({ids[row.uscc] for row in parsed if ids[row.uscc] is not None} - first_opened.keys())
        for chunk in _chunks(missing):
            first_opened.update(dict.fromkeys(chunk))
            accounts = ElectricityAccount.objects.filter(customer_id__in=chunk).values("customer_id")
            first_opened.update(accounts.annotate(first=Min("opened_on")).values_list("customer_id", "first"))
        clean = []
        for row in parsed:
            row.customer_id = ids.get(row.uscc)
            if row.customer_id is None:
                errors.append(_unknown_customer(row.line, row.uscc))
                continue
            try:
                check_event_date(
                    customer_id=row.customer_id, occurred_on=row.occurred_on, today=self.today,
                    first_opened_on=first_opened.get(row.customer_id),
                )  # fmt: skip
            except ApplicationError as error:
                errors.append({"line": row.line, "field": error.field, "message": error.message})
                continue
            clean.append(row)
        return clean


CHECKERS: dict[str, type[Checker]] = {
    "customers": CustomerChecker,
    "accounts": AccountChecker,
    "events": EventChecker,
}


def _strip_unit(text: str) -> str:
    lowered = text.lower()
    for unit in ("千伏", "kv"):
        if lowered.endswith(unit):
            return text[: -len(unit)].strip()
    return text


def _unknown_customer(line: int, uscc: str) -> dict:
    return {"line": line, "field": "uscc", "message": f"统一社会信用代码 {uscc} 未建档，请先导入或新建用户档案"}
