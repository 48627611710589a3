"""Personal information in the archive: the legal representative's identity document, and the one
way to read a full identity number (logged)."""

from datetime import datetime

from django.db import transaction

from credit_portal.errors import ApplicationError
from credit_portal.personal_data import reveal

from ..models import Customer, PersonalDataAccess
from ..validation import normalize_identity

IDENTITY_PERMISSION = "archives.view_identity_documents"


def legal_representative_identity(data: dict, *, keep: Customer | None = None) -> dict:
    """The legal representative's document fields from a form or API body, checked; a blank number keeps
    the one on file (`keep`), so the masked value a page shows is never written back."""
    id_type = data.pop("legal_representative_id_type", "") or ""
    number = data.pop("legal_representative_id_number", "") or ""
    if not number.strip():
        if (
            keep is not None
            and id_type
            and keep.legal_representative_id_number
            and id_type != keep.legal_representative_id_type
        ):
            raise ApplicationError("修改证件类型时请同时填写证件号码", field="legal_representative_id_number")
        return {}
    id_type, number = normalize_identity(
        id_type, number, field="legal_representative_id_number", type_field="legal_representative_id_type",
        label="法定代表人证件号码",
    )  # fmt: skip
    return {"legal_representative_id_type": id_type, "legal_representative_id_number": number}


@transaction.atomic
def identity_reveal(*, actor, value, subject: str, purpose: str, customer: Customer | None = None) -> str:
    """The full number behind a masked one, for a role that needs it; every look is logged (who, when, whose)."""
    if not actor.has_perm(IDENTITY_PERMISSION):
        raise ApplicationError("无权查看完整证件号码", field="id_number")
    plain = reveal(value)
    if not plain:
        return ""
    PersonalDataAccess.objects.create(user=actor, customer=customer, subject=subject[:200], purpose=purpose[:200])
    return plain


def identity_access_log_forget(now: datetime) -> int:
    """The log of looks at full identity numbers, past its period (retention step)."""
    from credit_portal.retention import retention_cutoff

    return PersonalDataAccess.objects.filter(at__lt=retention_cutoff("identity_access_log", now=now)).delete()[0]
