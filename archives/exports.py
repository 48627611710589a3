"""The customer list as an XLSX workbook (streamed row by row with openpyxl's write-only mode)."""

from io import BytesIO

from django.db.models import Count, QuerySet
from openpyxl import Workbook

from ratings.rules import LEVEL_LABELS

from .models import Customer, mask_phone

COLUMNS = ["统一社会信用代码", "名称", "法定代表人", "联系人", "联系电话", "地址", "行业", "信用等级", "户号数"]


def customers_xlsx(customers: QuerySet[Customer], *, unmasked: bool) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("电力用户")
    sheet.append(COLUMNS)
    rows = customers.annotate(account_count=Count("accounts")).values_list(
        "uscc",
        "name",
        "legal_representative",
        "contact_person",
        "contact_phone",
        "address",
        "industry",
        "rating__level",
        "account_count",
    )
    for uscc, name, legal, contact, phone, address, industry, level, account_count in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                uscc,
                name,
                legal,
                contact,
                phone if unmasked else mask_phone(phone),
                address,
                industry,
                LEVEL_LABELS.get(level, "待评定"),
                account_count,
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
