"""Uploads are recognised by content, limited in size, stored under server-chosen names outside the web root."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from archives import services
from archives.models import CreditEvent, PublicCreditReport
from credit_portal.errors import ApplicationError
from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, AccountFactory, CustomerFactory, image_bytes

pytestmark = pytest.mark.django_db

ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120  # a Linux executable
MZ_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120  # a Windows executable


@pytest.mark.parametrize(
    ("name", "content"), [("report.pdf", PDF_BYTES), ("scan.png", PNG_BYTES), ("scan.jpg", JPEG_BYTES)]
)
def test_pdf_png_and_jpeg_are_accepted_and_renamed_by_the_server(staff, name, content):
    report = services.report_upload(
        customer=CustomerFactory(), issued_on=date(2024, 6, 1), file=SimpleUploadedFile(name, content), actor=staff
    )

    stored = Path(report.file.path)
    assert stored.is_file()
    assert stored.name != name
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert Path(settings.BASE_DIR) / "static" not in stored.parents


@pytest.mark.parametrize(
    ("name", "content"), [("report.pdf", ELF_BYTES), ("evidence.pdf", MZ_BYTES), ("a.pdf", b"hello")]
)
def test_a_renamed_executable_or_text_is_refused_and_nothing_is_written(staff, name, content):
    customer = AccountFactory(opened_on=date(2015, 1, 1)).customer

    with pytest.raises(ApplicationError, match="只接受 PDF、JPEG 或 PNG") as error:
        services.report_upload(
            customer=customer, issued_on=date(2024, 6, 1), file=SimpleUploadedFile(name, content), actor=staff
        )
    assert error.value.field == "file"
    with pytest.raises(ApplicationError) as error:
        services.event_record(
            customer=customer,
            type="late_payment",
            occurred_on=date(2024, 6, 1),
            actor=staff,
            evidence=SimpleUploadedFile(name, content),
        )
    assert error.value.field == "evidence"
    assert PublicCreditReport.objects.count() == 0
    assert CreditEvent.objects.count() == 0
    assert not any(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.exe"))


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_an_oversized_upload_is_refused_with_the_limit_in_the_message(staff):
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)

    with pytest.raises(ApplicationError, match="文件过大") as error:
        services.report_upload(customer=CustomerFactory(), issued_on=date(2024, 6, 1), file=big, actor=staff)

    assert error.value.field == "file"
    assert PublicCreditReport.objects.count() == 0


def test_upload_page_shows_the_reason_and_writes_nothing(client, staff):
    customer = CustomerFactory()
    client.force_login(staff)

    response = client.post(
        f"/archives/customers/{customer.uscc}/reports/new/",
        {"issued_on": "2024-06-01", "file": SimpleUploadedFile("report.pdf", ELF_BYTES)},
    )

    assert response.status_code == 200
    assert "只接受 PDF、JPEG 或 PNG" in response.content.decode()
    assert PublicCreditReport.objects.count() == 0


def test_uploaded_files_are_not_reachable_under_a_media_url(client, staff):
    report = services.report_upload(
        customer=CustomerFactory(), issued_on=date(2024, 6, 1), file=SimpleUploadedFile("r.pdf", PDF_BYTES), actor=staff
    )
    client.force_login(staff)

    assert client.get(f"/media/{report.file.name}").status_code == 404
    assert client.get(f"/static/{report.file.name}").status_code == 404
    served = client.get(f"/archives/files/report/{report.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF_BYTES


def _png_header_only(width: int, height: int) -> bytes:
    """A small PNG declaring a huge picture: its header and one tiny compressed row, no more."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (8_000, 8_000), (100_000, 1_000)])
def test_an_image_of_too_many_pixels_is_refused_as_evidence_and_nothing_is_written(staff, width, height):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2020, 1, 1))
    bomb = SimpleUploadedFile("photo.png", _png_header_only(width, height))

    with pytest.raises(ApplicationError, match="图片像素过多") as error:
        services.event_record(
            customer=customer, type="late_payment", occurred_on=date(2024, 3, 1), actor=staff, evidence=bomb
        )

    assert error.value.field == "evidence"
    assert not CreditEvent.objects.exists()


def test_an_image_within_the_pixel_limit_is_accepted(staff, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 10_000
    report = services.report_upload(
        customer=CustomerFactory(),
        issued_on=date(2024, 6, 1),
        file=SimpleUploadedFile("scan.jpg", image_bytes("JPEG", (100, 100))),
        actor=staff,
    )

    assert report.file.name.endswith(".jpg")
    with pytest.raises(ApplicationError, match="图片像素过多"):
        services.report_upload(
            customer=CustomerFactory(),
            issued_on=date(2024, 6, 1),
            file=SimpleUploadedFile("scan.jpg", image_bytes("JPEG", (101, 100))),
            actor=staff,
        )


def test_an_image_that_cannot_be_read_is_refused(staff):
    with pytest.raises(ApplicationError, match="图片已损坏"):
        services.report_upload(
            customer=CustomerFactory(),
            issued_on=date(2024, 6, 1),
            file=SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
            actor=staff,
        )
