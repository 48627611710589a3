"""Identity documents of people (实名制信息): checked, encrypted at rest with the key from the environment,
masked for every role in pages, API, exports and history, shown in full only where the work needs it
(and each look logged), and never in the DRC report."""

import io
import zipfile
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from archives import services
from archives.models import Customer, FileJob, PersonalDataAccess
from archives.services.jobs import file_job_run, file_job_start
from commitments import services as commitment_services
from credit_portal.errors import ApplicationError
from credit_portal.personal_data import mask_identity, reveal
from notifications.drc.build import write_report
from tests.factories import EventFactory, make_resident_id, registrant_consent

pytestmark = pytest.mark.django_db

LEGAL_ID = make_resident_id(777, born="19700315")
REGISTRANT_ID = registrant_consent()["id_number"]


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names are ours
        return cursor.fetchone()[0]


@pytest.fixture
def archive(staff, applicant_customer):
    """The applicant's enterprise with its legal representative's document on file (entered by staff,
    so the audit history holds it too) and a confirmed registration with the registrant's document."""
    services.customer_update(
        customer=applicant_customer, actor=staff, legal_representative_id_type="resident",
        legal_representative_id_number=LEGAL_ID,
    )  # fmt: skip
    registration = commitment_services.enterprise_register(
        uscc=applicant_customer.uscc, enterprise_name=applicant_customer.name, contact_person="钱七",
        phone="13600000009", password="Another-Pass-2025", password_again="Another-Pass-2025",
        **registrant_consent(),
    )  # fmt: skip
    commitment_services.registration_confirm(registration=registration, actor=staff)
    applicant_customer.refresh_from_db()
    return {"customer": applicant_customer, "registration": registration}


def test_an_identity_number_is_stored_encrypted_and_read_back_masked(archive):
    customer = archive["customer"]

    stored = _raw("archives_customer", "legal_representative_id_number", customer.pk)
    history = Customer.history.filter(id=customer.pk).exclude(legal_representative_id_number="").first()

    assert LEGAL_ID not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert str(customer.legal_representative_id_number) == mask_identity(LEGAL_ID) == "320***********" + LEGAL_ID[-4:]
    assert reveal(customer.legal_representative_id_number) == LEGAL_ID
    assert str(history.legal_representative_id_number) == mask_identity(LEGAL_ID)
    assert LEGAL_ID not in _raw("commitments_enterpriseregistration", "id_number", archive["registration"].pk)


def test_a_resident_id_with_a_wrong_check_character_is_refused_and_nothing_changes(staff, applicant_customer):
    wrong = LEGAL_ID[:-1] + ("0" if LEGAL_ID[-1] != "0" else "1")
    audited = Customer.history.filter(id=applicant_customer.pk).count()

    with pytest.raises(ApplicationError) as refused:
        services.customer_update(
            customer=applicant_customer, actor=staff, legal_representative="王五",
            legal_representative_id_type="resident", legal_representative_id_number=wrong,
        )  # fmt: skip

    assert refused.value.message == "法定代表人证件号码无效：校验码错误，请核对最后一位"
    applicant_customer.refresh_from_db()
    assert (applicant_customer.legal_representative, applicant_customer.legal_representative_id_number) == ("张三", "")
    assert Customer.history.filter(id=applicant_customer.pk).count() == audited


@pytest.mark.parametrize(
    ("id_type", "number", "reason"),
    [
        ("resident", "32080419900101123", "居民身份证号码应为18位"),
        ("resident", "32080419901301123" + "X", "校验码错误"),
        ("resident", "3208041990010A1233", "前17位应为数字"),
        ("passport", "E1", "应为5至17位字母或数字"),
        ("", "E12345678", "请选择证件类型"),
    ],
)
def test_the_archive_form_names_what_is_wrong_with_a_document_and_saves_nothing(
    client, staff, applicant_customer, id_type, number, reason
):
    client.force_login(staff)
    data = {"name": applicant_customer.name, "legal_representative_id_type": id_type,
            "legal_representative_id_number": number}  # fmt: skip

    response = client.post(reverse("archives:customer_edit", args=[applicant_customer.uscc]), data)

    assert response.status_code == 200
    assert reason in response.content.decode()
    applicant_customer.refresh_from_db()
    assert applicant_customer.legal_representative_id_number == ""


def test_the_edit_form_never_holds_the_number_and_a_blank_keeps_it(client, staff, archive):
    customer = archive["customer"]
    client.force_login(staff)
    url = reverse("archives:customer_edit", args=[customer.uscc])

    form_page = client.get(url).content.decode()
    client.post(url, {"name": customer.name, "legal_representative_id_type": "resident",
                      "legal_representative_id_number": "", "industry": "物流"})  # fmt: skip

    assert LEGAL_ID not in form_page and mask_identity(LEGAL_ID) not in form_page
    customer.refresh_from_db()
    assert (customer.industry, reveal(customer.legal_representative_id_number)) == ("物流", LEGAL_ID)


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return "".join(workbook.read(name).decode() for name in workbook.namelist() if name.endswith(".xml"))


def _customer_export(user) -> str:
    job = file_job_start(kind="customers", title="用户清单导出", download_name="c.xlsx", params={}, actor=user)
    assert file_job_run(job_id=job.pk) == "done"  # what the worker does once the request has committed
    job = FileJob.objects.get(pk=job.pk)
    with job.file.open("rb") as built:
        return _xlsx_text(built.read())


PERSONAS = ("anonymous", "staff", "supervisor", "drc", "applicant", "other_applicant", "registrant")


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_role_sees_a_full_identity_number_in_pages_api_exports_or_history(
    persona, request, client, archive, staff, supervisor, drc, applicant, other_applicant
):
    customer, registration = archive["customer"], archive["registration"]
    user = registration.user if persona == "registrant" else (
        None if persona == "anonymous" else request.getfixturevalue(persona)
    )  # fmt: skip
    if user is not None:
        client.force_login(user)
    addresses = [
        reverse("archives:customer_detail", args=[customer.uscc]),  # the archive page with its audit history
        reverse("archives:customer_list"),
        reverse("commitments:enterprise_home"),
        reverse("commitments:privacy_home"),
        reverse("commitments:registration_list"),
        reverse("commitments:registration_decide", args=[registration.pk]),  # confirmed: no longer verifying
        reverse("commitments:registration_list") + "?state=closed&export=1",
        f"/api/customers/{customer.uscc}/",
        "/api/customers/",
        "/api/registrations/",
        "/admin/commitments/enterpriseregistration/",
        f"/admin/commitments/enterpriseregistration/{registration.pk}/change/",
        reverse("commitments:privacy_notice"),
    ]
    seen = []
    for address in addresses:
        response = client.get(address)
        body = response.content
        text = _xlsx_text(body) if body[:2] == b"PK" else body.decode(errors="replace")
        seen.append(
            (address, response.status_code, mask_identity(LEGAL_ID) in text or mask_identity(REGISTRANT_ID) in text)
        )
        assert LEGAL_ID not in text, address
        assert REGISTRANT_ID not in text, address
    if user is not None and user.has_perm("archives.view_all_archives"):
        export = _customer_export(user)
        assert LEGAL_ID not in export and mask_identity(LEGAL_ID) in export
    # Where the archive or the registration is shown at all, the masked form is what is shown.
    shown = {address: masked for address, status, masked in seen if status == 200}
    if persona in ("staff", "supervisor", "drc"):
        assert shown[addresses[0]] and shown[addresses[7]]
    if persona == "registrant":
        assert shown[reverse("commitments:privacy_home")]
    assert not PersonalDataAccess.objects.exists()  # nobody looked at a full number


def test_staff_verifying_a_pending_registration_see_the_full_number_and_the_look_is_logged(
    client, staff, applicant_customer
):
    registration = commitment_services.enterprise_register(
        uscc=applicant_customer.uscc, enterprise_name=applicant_customer.name, contact_person="钱七",
        phone="13600000009", password="Another-Pass-2025", password_again="Another-Pass-2025",
        **registrant_consent(),
    )  # fmt: skip
    client.force_login(staff)

    page = client.get(reverse("commitments:registration_decide", args=[registration.pk])).content.decode()

    assert REGISTRANT_ID in page
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.customer, access.purpose) == (staff, applicant_customer, "核实企业账号注册")
    assert REGISTRANT_ID not in access.subject


def test_staff_reveal_the_legal_representatives_number_on_request_and_the_look_is_logged(client, archive, staff):
    customer = archive["customer"]
    client.force_login(staff)

    page = client.post(reverse("archives:identity_reveal", args=[customer.uscc])).content.decode()

    assert LEGAL_ID in page and "本次查看已记录" in page
    assert PersonalDataAccess.objects.filter(user=staff, customer=customer).count() == 1


@pytest.mark.parametrize(("persona", "status"), [("drc", 403), ("applicant", 403), ("other_applicant", 404)])
def test_roles_that_do_not_need_it_cannot_reveal_a_number_and_nothing_is_logged(
    request, client, archive, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("archives:identity_reveal", args=[archive["customer"].uscc]))

    assert response.status_code == status
    assert LEGAL_ID not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_the_drc_report_never_holds_an_identity_number(archive, tmp_path):
    EventFactory(customer=archive["customer"], occurred_on=date(2025, 3, 1))

    write_report(folder=tmp_path / "report", report_date=timezone.localdate(), generated_at=timezone.now())

    contents = ""
    for path in tmp_path.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            contents += _xlsx_text(raw) if raw[:2] == b"PK" else raw.decode("utf-8-sig", errors="replace")
    assert archive["customer"].uscc in contents  # the archive is reported…
    for number in (LEGAL_ID, REGISTRANT_ID):  # …without anybody's document, whole or masked
        assert number not in contents and mask_identity(number) not in contents


def test_keys_rotate_the_old_key_still_reads_and_the_command_re_encrypts_with_the_new(archive, settings):
    customer = archive["customer"]
    old_key = settings.PERSONAL_DATA_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]

    assert reveal(Customer.objects.get(pk=customer.pk).legal_representative_id_number) == LEGAL_ID
    call_command("rotate_personal_data_keys", stdout=io.StringIO())

    settings.PERSONAL_DATA_KEYS = [new_key]
    assert reveal(Customer.objects.get(pk=customer.pk).legal_representative_id_number) == LEGAL_ID
    assert (
        Fernet(new_key.encode())
        .decrypt(_raw("archives_customer", "legal_representative_id_number", customer.pk).encode())
        .decode()
        == LEGAL_ID
    )


def test_the_admin_shows_the_registrants_number_masked_even_to_a_superuser(client, archive):
    registration = archive["registration"]
    client.force_login(get_user_model().objects.create_superuser("root", password="root-password-2026"))

    listing = client.get("/admin/commitments/enterpriseregistration/").content.decode()
    page = client.get(f"/admin/commitments/enterpriseregistration/{registration.pk}/change/").content.decode()

    assert "钱七" in page and mask_identity(REGISTRANT_ID) in page
    assert REGISTRANT_ID not in page and REGISTRANT_ID not in listing
