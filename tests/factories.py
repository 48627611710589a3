"""factory_boy factories for the archive models; valid USCCs, accounts, events and reports."""

import io
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from archives.models import (
    CreditEvent,
    Customer,
    ElectricityAccount,
    EventSource,
    Membership,
    PaymentMethod,
    PublicCreditReport,
    VoltageLevel,
)
from archives.publication import class_thresholds, publication_fields

# The characters a USCC may use after the region code (GB 32100-2015: no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Smallest valid PDF header that content sniffing recognises as application/pdf.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (1, 1)) -> bytes:
    """A real, readable image (uploads are opened to check their size in pixels)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buffer, kind)
    return buffer.getvalue()


PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG")


def make_uscc(serial: int, *, prefix: str = "91320804") -> str:
    """A valid USCC for 淮阴区 whose 9-character organisation part encodes `serial`."""
    digits = []
    for _ in range(9):
        serial, index = divmod(serial, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[index])
    first17 = prefix + "".join(reversed(digits))
    return first17 + stdnum_uscc.calc_check_digit(first17)


def make_resident_id(serial: int, *, region: str = "320804", born: str = "19800101") -> str:
    """A valid 18-character resident identity number (淮阴区 by default) with its check character."""
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + stdnum_ric.calc_check_digit(first17 + "0")


REGISTRANT_ID_NUMBER = make_resident_id(123)


def registrant_consent(*, page: bool = False) -> dict:
    """What a registration carries besides the enterprise: the registrant's identity document and its
    consent to the processing notice in force (as a checked box on the page, a boolean elsewhere)."""
    from commitments.privacy import NOTICE_VERSION

    return {"id_type": "resident", "id_number": REGISTRANT_ID_NUMBER, "consent": "on" if page else True,
            "notice_version": NOTICE_VERSION}  # fmt: skip


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("portal-test-password")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    uscc = factory.Sequence(lambda n: make_uscc(1000 + n))
    name = factory.Sequence(lambda n: f"淮阴测试企业{n}有限公司")
    legal_representative = "张三"
    contact_person = "李四"
    contact_phone = factory.Sequence(lambda n: f"138{n:08d}")
    address = "江苏省淮安市淮阴区长江东路1号"
    industry = "制造业"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ElectricityAccount

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"{3208040000 + n}")
    opened_on = date(2018, 1, 1)
    payment_method = PaymentMethod.POSTPAID
    voltage_level = VoltageLevel.KV10
    capacity_kva = Decimal("315.00")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditEvent

    customer = factory.SubFactory(CustomerFactory)
    type = "late_payment"
    occurred_on = date(2024, 3, 1)
    source = EventSource.STAFF
    recorded_by = factory.SubFactory(UserFactory)

    dishonesty_class = factory.LazyAttribute(lambda o: o.publication["dishonesty_class"])
    publication_shortest_until = factory.LazyAttribute(lambda o: o.publication["publication_shortest_until"])
    publication_longest_until = factory.LazyAttribute(lambda o: o.publication["publication_longest_until"])

    class Params:
        # As event_record does: classed at the finding (today) with the rule set in force.
        publication = factory.LazyAttribute(
            lambda o: publication_fields(
                type=o.type,
                found_on=timezone.localdate(),
                thresholds=class_thresholds(on=timezone.localdate()),
                amount_yuan=getattr(o, "amount_yuan", None),
                voltage_kv=getattr(o, "voltage_kv", None),
                severity=getattr(o, "severity", None),
            )
        )


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicCreditReport

    customer = factory.SubFactory(CustomerFactory)
    issued_on = date(2024, 3, 1)
    file = factory.django.FileField(filename="report.pdf", data=PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    confirmed_at = factory.LazyFunction(timezone.now)


# --------------------------------------------------------------------------------------------
# The enterprise side (commitments): letters, applications, service requests, and a rating in force
# --------------------------------------------------------------------------------------------


def rate(customer: Customer, level: str, *, as_of: date = date(2025, 6, 1)):
    """Give a customer a level in force directly (no rules run): for queues and honest-only checks."""
    from ratings.models import CustomerRating

    rating, _ = CustomerRating.objects.update_or_create(
        customer=customer,
        defaults={
            "level": level, "computed_level": level, "rules": [], "as_of": as_of, "rules_version": "test",
            "changed_on": as_of,
        },
    )  # fmt: skip
    return rating


class CommitmentLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commitments.CommitmentLetter"

    customer = factory.SubFactory(CustomerFactory)
    committed_on = date(2025, 6, 1)
    file = factory.django.FileField(filename="letter.pdf", data=PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class PowerApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commitments.PowerApplication"

    customer = factory.SubFactory(CustomerFactory)
    kind = "new_connection"
    address = "江苏省淮安市淮阴区长江东路8号"
    capacity_kva = Decimal("400.00")
    requested_on = date(2025, 7, 1)
    route = "property"
    property_document = factory.django.FileField(filename="deed.pdf", data=PDF_BYTES)
    submitted_by = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyFunction(timezone.now)


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commitments.ValueAddedServiceRequest"

    customer = factory.SubFactory(CustomerFactory)
    service = "energy_consulting"
    submitted_by = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyFunction(timezone.now)
