"""The customer list as an XLSX workbook (streamed row by row with openpyxl's write-only mode).

Built by a file job in the worker (archives.services.jobs), written straight to a file, never in a request.
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from django.db.models import Count, QuerySet
from openpyxl import Workbook

from archives.vocabulary import LEVEL_LABELS
from credit_portal.spreadsheets import safe_row

from .levels import with_level
from .models import IDENTITY_TYPE_CHOICES, Customer, mask_phone

COLUMNS = [
    "统一社会信用代码", "名称", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "联系人", "联系电话", "地址",
    "行业", "信用等级", "户号数",
]  # fmt: skip
# An identity number leaves the portal masked in every export, whoever builds it (credit_portal.personal_data).
_ID_TYPES = dict(IDENTITY_TYPE_CHOICES)


def customers_xlsx(customers: QuerySet[Customer], *, unmasked: bool) -> bytes:
    buffer = BytesIO()
    customers_xlsx_write(customers, buffer, unmasked=unmasked)
    return buffer.getvalue()


def customers_xlsx_write(
    customers: QuerySet[Customer],
    target: Path | BytesIO,
    *,
    unmasked: bool,
    progress: Callable[[int, int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write the workbook to `target` row by row, reporting progress every `every` rows; the row count."""
    total = customers.count() if progress else 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("电力用户")
    sheet.append(COLUMNS)
    if "level" not in customers.query.annotations:  # customer_list gives it already
        customers = with_level(customers)
    rows = customers.annotate(account_count=Count("accounts")).values_list(
        *Customer.CARD_FIELDS, "level", "account_count"
    )
    written = 0
    for uscc, name, legal, id_type, id_number, contact, phone, address, industry, level, account_count in rows.iterator(
        chunk_size=2000
    ):
        sheet.append(
            safe_row(
                [
                    uscc,
                    name,
                    legal,
                    _ID_TYPES.get(id_type, ""),
                    str(id_number),
                    contact,
                    phone if unmasked else mask_phone(phone),
                    address,
                    industry,
                    LEVEL_LABELS.get(level, "待评定"),
                    account_count,
                ]
            )
        )
        written += 1
        if progress and written % every == 0:
            progress(written, total)
    workbook.save(target)
    if progress:
        progress(written, max(total, written))
    return written


def customer_export_build(job, path: Path, progress: Callable[[int, int], None]) -> None:
    """The file job "customers": the list as the starter filtered it, masked unless they may see phones."""
    from .selectors import customer_list

    user = job.created_by
    customers = customer_list(user=user, **job.params.get("filters", {}))
    customers_xlsx_write(customers, path, unmasked=user.has_perm("archives.view_contact_details"), progress=progress)
