"""What a manual override must rest on (issue 22): one that raises a level above the computed one names
an objection, a credit repair or a court decision and lasts at most ``CREDIT_OVERRIDE_RAISE_MAX_DAYS``
days; one that lowers a level needs only its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from archives.validation import check_upload
from credit_portal.errors import ApplicationError

from . import rules
from .hooks import override_basis
from .models import OVERRIDE_BASIS_KINDS, OverrideBasis

#: From the best level to the worst; a customer not rated yet sits between the honest and the warning levels.
_LEVEL_ORDER = (rules.GREEN, rules.BLUE, rules.UNRATED, rules.YELLOW, rules.RED, rules.BLACK)

#: A court document number (案号) as courts write it: （2026）苏0804民初1234号, (2025)苏08民终56号.
COURT_CASE_NUMBER = re.compile(r"^[（(]\d{4}[）)][\u4e00-\u9fa5]{1,2}\d{0,4}[\u4e00-\u9fa5]{1,6}\d{1,6}号$")


def raises_level(*, level: str, computed_level: str) -> bool:
    """Whether the override sets a better level than the rules compute (black → green)."""
    return _LEVEL_ORDER.index(level) < _LEVEL_ORDER.index(computed_level or rules.UNRATED)


def raise_ends_by(*, requested_on: date) -> date:
    """The latest end date of an override that raises a level, requested on that day."""
    return requested_on + timedelta(days=settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS)


@dataclass(frozen=True)
class Basis:
    kind: str = OverrideBasis.NONE
    ref: str = ""
    summary: str = ""
    document_suffix: str = ""  # the court decision's, as its content says (.pdf, .jpg, .png)


def basis_check(
    *,
    customer_id: int,
    level: str,
    computed_level: str,
    ends_on: date,
    today: date,
    kind: str,
    ref: str,
    document: UploadedFile | None,
) -> Basis:
    """The basis of a requested override, checked; refuses in words (on the field at fault) what is missing.

    A basis given for an override that lowers a level is checked too and kept; none is needed there."""
    kind, ref = (kind or "").strip(), (ref or "").strip()
    raising = raises_level(level=level, computed_level=computed_level)
    label, computed_label = rules.LEVEL_LABELS[level], rules.LEVEL_LABELS.get(computed_level, "未定级")
    if raising and ends_on > raise_ends_by(requested_on=today):
        days = settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS
        raise ApplicationError(
            f"将按规则评定的{computed_label}调整为{label}属于提高信用等级，最长 {days} 天："
            f"截止日期不得晚于 {raise_ends_by(requested_on=today):%Y-%m-%d}",
            field="ends_on",
        )
    if not kind:
        if raising:
            raise ApplicationError(
                f"将按规则评定的{computed_label}调整为{label}属于提高信用等级，须注明所依据的异议、信用修复或法院裁判文书",
                field="basis_kind",
            )
        return Basis()
    if kind not in OVERRIDE_BASIS_KINDS:
        raise ApplicationError(f"未知的调整依据“{kind}”，请选择异议、信用修复或法院裁判文书", field="basis_kind")
    if kind == OverrideBasis.COURT:
        example = "（2026）苏0804民初1234号"
        if not ref:
            raise ApplicationError(f"请填写裁判文书的文书号（案号），如“{example}”", field="basis_ref")
        if not COURT_CASE_NUMBER.match(ref):
            raise ApplicationError(f"文书号“{ref}”格式不正确，应如“{example}”", field="basis_ref")
        if document is None:
            raise ApplicationError("请上传法院裁判文书（PDF、JPEG 或 PNG）", field="basis_document")
        checked = check_upload(document, field="basis_document")
        return Basis(kind=kind, ref=ref, summary=f"法院裁判文书 {ref}", document_suffix=checked.suffix)
    what = OverrideBasis(kind).label
    if not ref:
        raise ApplicationError(f"请填写所依据的{what}编号", field="basis_ref")
    if not ref.removeprefix("#").isdigit():
        raise ApplicationError(f"{what}编号应为数字（如 12），填写的是“{ref}”", field="basis_ref")
    ref = ref.removeprefix("#")
    return Basis(kind=kind, ref=ref, summary=override_basis(customer_id=customer_id, kind=kind, ref=ref))
