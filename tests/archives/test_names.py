"""Names and addresses hold no invisible characters that make them read differently from what they are,
and a USCC typed in full-width characters is the same code."""

import pytest
from django.urls import reverse

from archives import services
from archives.models import Customer
from commitments import services as commitment_services
from credit_portal.errors import ApplicationError
from tests.factories import CustomerFactory, make_uscc, registrant_consent

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "right-to-left override": "\u202e",
    "left-to-right override": "\u202d",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "control character": "\x07",
}


def _full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize("field", ["name", "contact_person", "address", "legal_representative"])
def test_a_name_or_address_with_an_invisible_control_character_is_refused(staff, char, field):
    fields = {"name": "淮阴甲电器有限公司", field: f"淮阴{char}电器有限公司"}

    with pytest.raises(ApplicationError, match="不可见的控制字符") as error:
        services.customer_create(actor=staff, uscc=make_uscc(61), **fields)

    assert error.value.field == field
    assert not Customer.objects.exists()


def test_an_update_with_a_bidi_override_is_refused_and_changes_nothing(staff):
    customer = CustomerFactory(name="淮阴甲电器有限公司")

    with pytest.raises(ApplicationError, match="U\\+202E"):
        services.customer_update(customer=customer, actor=staff, name="淮阴\u202e司公限有器电")

    customer.refresh_from_db()
    assert customer.name == "淮阴甲电器有限公司"


def test_ordinary_names_with_spaces_and_full_width_punctuation_are_kept(staff):
    customer = services.customer_create(
        actor=staff, uscc=make_uscc(62), name="淮阴（星光）电器 有限公司", address="长江东路8号\u3000B座"
    )

    assert customer.name == "淮阴（星光）电器 有限公司"


def test_self_registration_refuses_a_zero_width_character_in_the_enterprise_name(client):
    data = {
        "uscc": make_uscc(63),
        "enterprise_name": "淮阴\u200b甲电器有限公司",
        "contact_person": "王五",
        "phone": "13912345600",
        "password": "Huaiyin-power-2025",
        "password_again": "Huaiyin-power-2025",
        **registrant_consent(page=True),
    }

    response = client.post(reverse("commitments:register"), data)

    assert response.status_code == 200
    assert "不可见的控制字符" in response.content.decode()
    assert not Customer.objects.exists()


def test_a_full_width_uscc_is_the_same_code(staff):
    uscc = make_uscc(64)

    customer = services.customer_create(actor=staff, uscc=_full_width(uscc.lower()), name="淮阴丙电器有限公司")

    assert customer.uscc == uscc


def test_a_full_width_uscc_finds_the_enterprise_at_registration(applicant_customer):
    registration = commitment_services.enterprise_register(
        uscc=_full_width(applicant_customer.uscc),
        enterprise_name=applicant_customer.name,
        contact_person="王五",
        phone="13912345601",
        password="Huaiyin-power-2025",
        password_again="Huaiyin-power-2025",
        **registrant_consent(),
    )

    assert registration.customer == applicant_customer
    assert registration.created_customer is False
