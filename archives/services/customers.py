from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from credit_portal.errors import ApplicationError

from ..models import Customer, ElectricityAccount, PaymentMethod, VoltageLevel
from ..selectors import industries_forget
from ..validation import check_date_floor, check_decimal, check_plain_text, normalize_uscc
from .common import audited_save, customer_facts_changed
from .personal_data import legal_representative_identity

# Read once: the import checks these for each of 100,000 rows.
_PAYMENT_METHODS = frozenset(PaymentMethod.values)
_VOLTAGE_LEVELS = frozenset(VoltageLevel.values)
_CAPACITY = ElectricityAccount._meta.get_field("capacity_kva")

CUSTOMER_FIELDS = ("name", "legal_representative", "contact_person", "contact_phone", "address", "industry")
_LABELS = {"name": "企业名称", "legal_representative": "法定代表人", "contact_person": "联系人", "address": "地址",
           "industry": "行业", "contact_phone": "联系电话"}  # fmt: skip


def clean_customer_fields(data: dict) -> dict:
    """Trimmed real-name fields; refuses an empty name, invisible control characters, or a phone with other
    than digits and “-”."""
    cleaned = {key: (data.get(key) or "").strip() for key in CUSTOMER_FIELDS if key in data}
    for key, value in cleaned.items():
        check_plain_text(value, field=key, label=_LABELS[key])
    if "name" in cleaned and not cleaned["name"]:
        raise ApplicationError("请填写企业名称", field="name")
    phone = cleaned.get("contact_phone", "")
    if phone and not phone.replace("-", "").isdigit():
        raise ApplicationError("联系电话只能包含数字和“-”", field="contact_phone")
    return cleaned


@transaction.atomic
def customer_create(*, actor, uscc: str, name: str, **fields: str) -> Customer:
    """Open the credit archive of a new customer; the USCC must be valid and not yet on file (the legal
    representative's identity document, if given, must be valid too)."""
    uscc = normalize_uscc(uscc)
    fields = dict(fields)
    data = clean_customer_fields({"name": name, **fields})
    identity = legal_representative_identity(fields)
    if Customer.objects.filter(uscc=uscc).exists():
        raise ApplicationError(f"统一社会信用代码 {uscc} 已建档", field="uscc")
    customer = Customer(uscc=uscc, **data, **identity)
    audited_save(customer, actor=actor, reason="建档")
    # Rated at once, with no facts yet: no customer is without a level until the next nightly run.
    customer_facts_changed(customer_id=customer.pk, cause="opened", ref=uscc)
    transaction.on_commit(industries_forget)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor, **fields: str) -> Customer:
    """Change a customer's real-name information (the USCC itself never changes)."""
    if "uscc" in fields and normalize_uscc(fields.pop("uscc")) != customer.uscc:
        raise ApplicationError("统一社会信用代码不可修改", field="uscc")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    fields = dict(fields)
    identity = legal_representative_identity(fields, keep=customer)
    for key, value in {**clean_customer_fields(fields), **identity}.items():
        setattr(customer, key, value)
    audited_save(customer, actor=actor, reason="修改档案")
    transaction.on_commit(industries_forget)
    return customer


def check_account(
    *,
    opened_on: date,
    payment_method: str,
    arrears_since: date | None,
    voltage_level: str,
    capacity_kva: Decimal,
    today: date,
) -> None:
    """Refuse account data the archive cannot hold; shared by the account services and the import."""
    check_date_floor(opened_on, field="opened_on", label="立户日期")
    if opened_on > today:
        raise ApplicationError("立户日期不能晚于今天", field="opened_on")
    if payment_method not in _PAYMENT_METHODS:
        raise ApplicationError(f"未知的交费方式“{payment_method}”", field="payment_method")
    if voltage_level not in _VOLTAGE_LEVELS:
        raise ApplicationError(f"未知的电压等级“{voltage_level}”", field="voltage_level")
    if capacity_kva is None:
        raise ApplicationError("请填写容量", field="capacity_kva")
    if check_decimal(capacity_kva, column=_CAPACITY, label="容量") < 0:
        raise ApplicationError("容量不能为负数", field="capacity_kva")
    if arrears_since is not None and arrears_since > today:
        raise ApplicationError("欠费起始日不能晚于今天", field="arrears_since")
    if arrears_since is not None and arrears_since < opened_on:
        raise ApplicationError("欠费起始日不能早于立户日期", field="arrears_since")


def _account_supply(**supply) -> dict:
    """The account's supply data, checked (``check_account``) as of today: what create and update write."""
    check_account(**supply, today=timezone.localdate())
    return supply


@transaction.atomic
def account_create(
    *,
    customer: Customer,
    actor,
    number: str,
    opened_on: date,
    payment_method: str,
    voltage_level: str,
    capacity_kva: Decimal,
    arrears_since: date | None = None,
) -> ElectricityAccount:
    """Add an electricity account (户号) to a customer's archive; the customer is re-rated."""
    number = (number or "").strip()
    if not number.isdigit():
        raise ApplicationError("户号应为数字", field="number")
    if ElectricityAccount.objects.filter(number=number).exists():
        raise ApplicationError(f"户号 {number} 已存在", field="number")
    supply = _account_supply(
        opened_on=opened_on,
        payment_method=payment_method,
        arrears_since=arrears_since,
        voltage_level=voltage_level,
        capacity_kva=capacity_kva,
    )
    account = ElectricityAccount(customer=customer, number=number, **supply)
    audited_save(account, actor=actor, reason="新增户号")
    customer_facts_changed(customer_id=customer.pk, cause="account", ref=number)
    return account


@transaction.atomic
def account_update(
    *,
    account: ElectricityAccount,
    actor,
    opened_on: date,
    payment_method: str,
    arrears_since: date | None = None,
    voltage_level: str,
    capacity_kva: Decimal,
    reason: str = "修改户号",
) -> ElectricityAccount:
    """Change an account's payment method, arrears or supply data; the customer is re-rated.

    ``reason`` is the audit trail's (an upheld objection names itself)."""
    account = ElectricityAccount.objects.select_for_update().get(pk=account.pk)
    for name, value in _account_supply(
        opened_on=opened_on,
        payment_method=payment_method,
        arrears_since=arrears_since,
        voltage_level=voltage_level,
        capacity_kva=capacity_kva,
    ).items():
        setattr(account, name, value)
    audited_save(account, actor=actor, reason=reason)
    customer_facts_changed(customer_id=account.customer_id, cause="account", ref=account.number)
    return account
