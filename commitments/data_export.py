"""An enterprise user's download of what the portal holds about its enterprise and about itself
(《个人信息保护法》 §45), built as a file job (archives.services.jobs): a ZIP of JSON and CSV files.

What belongs to an upper app (the notices sent to the enterprise) comes through `register_data_section`,
which that app calls in its AppConfig.ready(). Another person's identity number (the legal
representative's) is masked as everywhere; the user's own is given in full: it is theirs.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from archives.models import EventRevocation, FileJob, Membership
from credit_portal.personal_data import Protected, reveal
from credit_portal.spreadsheets import safe_row

from .models import EnterpriseRegistration, PrivacyConsent

# section(customer) -> rows (dicts) about the enterprise, kept by an upper app
Section = Callable[[object], list[dict]]
_SECTIONS: dict[str, Section] = {}


def register_data_section(name: str, section: Section) -> None:
    """Add `<name>.json` to every enterprise's data download (an upper app's records of the enterprise)."""
    _SECTIONS[name] = section


def _plain(value):
    if isinstance(value, Protected):
        return str(value)  # masked
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(instance: models.Model, *, skip: Iterable[str] = ()) -> dict:
    """A row as data: every stored field by name, choices with their labels, no storage paths; the
    people who handled it at the utility are left out (their names are their personal data)."""
    user_model = get_user_model()
    row: dict = {}
    for field in instance._meta.concrete_fields:
        if field.name in skip or (field.is_relation and field.related_model is user_model):
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = "已上传文件" if value else ""
        row[field.name] = _plain(value)
        if field.choices and value:
            row[f"{field.name}_label"] = str(dict(field.flatchoices).get(value, value))
    return row


def personal_data(user) -> dict:
    """What the portal holds about the user itself: its account, its registration, its consents."""
    registration = EnterpriseRegistration.objects.filter(user=user).first()
    registration_row = record(registration) if registration else None
    if registration_row is not None:
        registration_row["id_number"] = reveal(registration.id_number)  # the user's own number, in full
    return {
        "account": {
            "username": user.username,
            "name": user.get_full_name(),
            "date_joined": _plain(user.date_joined),
            "last_login": _plain(user.last_login),
        },
        "registration": registration_row,
        "privacy_consents": [record(consent) for consent in PrivacyConsent.objects.filter(user=user)],
    }


def enterprise_data(customer) -> dict[str, list[dict] | dict | None]:
    """What the portal holds about the enterprise: its archive and everything filed about it."""
    from ratings.models import CustomerRating, RatingHistory

    rating = CustomerRating.objects.filter(customer=customer).first()
    return {
        "customer": record(customer),
        "accounts": [record(row, skip=["customer"]) for row in customer.accounts.all()],
        "events": [record(row, skip=["customer"]) for row in customer.events.all()],
        "revocations": [record(row) for row in EventRevocation.objects.filter(event__customer=customer)],
        "public_credit_reports": [record(row, skip=["customer"]) for row in customer.reports.all()],
        "credit_information": [record(row, skip=["customer"]) for row in customer.credit_information.all()],
        "rating": record(rating, skip=["customer"]) if rating else None,
        "rating_history": [
            record(row, skip=["customer"]) for row in RatingHistory.objects.filter(customer=customer).order_by("id")
        ],
        "commitment_letters": [record(row, skip=["customer"]) for row in customer.commitment_letters.all()],
        "power_applications": [record(row, skip=["customer"]) for row in customer.power_applications.all()],
        "service_requests": [record(row, skip=["customer"]) for row in customer.service_requests.all()],
        "objections": [record(row, skip=["customer"]) for row in customer.objections.all()],
    }


def _csv(rows: list[dict]) -> bytes:
    """UTF-8 with BOM (Excel opens it), every cell formula-safe."""
    buffer = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(safe_row("" if row.get(key) is None else row.get(key) for key in columns))
    return "\ufeff".encode() + buffer.getvalue().encode()


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


README = """本文件是淮阴供电营业部电力信用门户为您生成的数据副本（《个人信息保护法》第四十五条）。

my_data.json        您本人的账号、注册信息（含您本人的完整证件号码）和对《个人信息处理告知书》的同意记录
enterprise.json     本企业的信用档案：基本信息、户号、失信行为记录、公共信用报告、其他信用信息、信用等级及其变更、
                    信用承诺书、用电申请、增值服务申请、异议
events.csv 等        上述部分内容的表格形式（UTF-8，Excel 可直接打开）

法定代表人等他人的证件号码已隐去中间位。文件含个人信息，请妥善保管；门户在生成 {days} 天后删除本文件。
生成时间：{generated_at}
"""


def enterprise_data_build(job: FileJob, path: Path, progress: Callable[[int, int], None]) -> None:
    """The file job "enterprise_data": the starter's own data and, once its binding is confirmed, its enterprise's."""
    from django.conf import settings

    user = job.created_by
    membership = Membership.objects.select_related("customer").filter(user=user, confirmed_at__isnull=False).first()
    files: dict[str, bytes] = {"my_data.json": _json(personal_data(user))}
    if membership is not None:
        customer = membership.customer
        data = enterprise_data(customer)
        for name, section in sorted(_SECTIONS.items()):
            data[name] = section(customer)
        files["enterprise.json"] = _json(data)
        for name in ("accounts", "events", "public_credit_reports", "rating_history", "commitment_letters"):
            files[f"{name}.csv"] = _csv(data[name])
    generated_at = timezone.localtime().isoformat(timespec="seconds")
    files["README.txt"] = README.format(
        days=settings.PERSONAL_DATA_RETENTION_DAYS["data_downloads"], generated_at=generated_at
    ).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (name, content) in enumerate(files.items(), start=1):
            archive.writestr(name, content)
            progress(number, len(files))
