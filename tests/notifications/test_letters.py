"""The written notification letter: what it says, its PDF with the Chinese font, printing and delivery."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from credit_portal import pdf
from credit_portal.errors import ApplicationError
from notifications import services
from notifications.models import Channel, Notice
from ratings.models import RatingCause
from ratings.services import rating_refresh

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


def _letter(customer) -> Notice:
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    letter = Notice.objects.get(customer=customer, channel=Channel.LETTER)
    assert services.notice_send(notice_id=letter.pk) == "sent"
    letter.refresh_from_db()
    return letter


def _pdf_text(content: bytes, tmp_path) -> str:
    assert content.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_red_letter_names_the_enterprise_the_level_every_rule_and_the_events_behind_it(pinned):
    customer = late_payer(late_payments=3, name="淮阴红色示例有限公司", address="淮安市淮阴区北京东路8号")

    letter = _letter(customer)

    content = letter.payload
    assert letter.reference == content["reference"] and content["reference"].startswith("淮供营信告〔2026〕")
    assert content["customer"]["uscc"] == customer.uscc
    assert content["level_label"] == "红色"
    [rule] = content["rules"]
    assert rule["id"] == "red.2" and "3次及以上5次以下" in rule["plan_text"]
    assert [e["on"] for e in rule["evidence"]] == ["2026-01-15", "2026-02-15", "2026-03-15"]
    assert "书面告知函" in content["meaning"]
    assert content["improvements"] and "异议" in content["objection"]
    assert content["record_years"] == "一年"  # the plan's short window; a rule set's own otherwise
    assert letter.recipient.startswith("淮安市淮阴区北京东路8号")


def test_the_sms_announcing_a_letter_quotes_the_letters_number(pinned, outbox):
    customer = late_payer(late_payments=3)
    letter = _letter(customer)
    sms = Notice.objects.get(customer=customer, channel=Channel.SMS)

    services.notice_send(notice_id=sms.pk)

    [sent] = outbox("sms")
    assert letter.reference in sent["text"] and "书面告知函" in sent["text"]


def test_a_letter_without_an_address_waits_for_staff_instead_of_being_printed_blank(pinned):
    customer = late_payer(late_payments=3, address="")
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    letter = Notice.objects.get(customer=customer, channel=Channel.LETTER)

    assert services.notice_send(notice_id=letter.pk) == "failed"
    letter.refresh_from_db()
    assert "地址" in letter.last_error


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_letter_pdf_embeds_a_chinese_font_and_gives_back_its_text(pinned, tmp_path):
    customer = late_payer(late_payments=5, name="淮阴黑色示例有限公司")
    letter = _letter(customer)

    text = _pdf_text(services.letter_pdf(notice=letter), tmp_path)

    for expected in (
        "淮阴供电营业部",
        "电力信用等级书面告知函",
        "淮阴黑色示例有限公司",
        customer.uscc,
        "黑色",
        "黑色等级评定要素第2条",
        "2026-05-15",
        "异议",
        letter.reference,
    ):
        assert expected in text.replace(" ", "") or expected in text, expected
    assert "black.2" not in text  # the criterion in words, not its id
    joined = text.replace(" ", "").replace("\n", "")
    assert "欠费起始日、被退回的公共信用信息查询报告或现行信用等级有异议" in joined  # every kind of objection
    fonts = subprocess.run(["pdffonts", str(tmp_path / "letter.pdf")], capture_output=True, text=True).stdout
    assert "PortalSerif" in fonts  # the cut font, not a fallback


def test_a_letter_composed_before_the_advice_named_criteria_in_words_prints_them_in_words(pinned, tmp_path):
    letter = _letter(late_payer(late_payments=5, name="淮阴旧函示例有限公司"))
    letter.payload = {**letter.payload, "improvements": ["black.2：若无新的记录，将于2027-02-01起不再成立。"]}
    letter.save(update_fields=["payload"])

    text = _pdf_text(services.letter_pdf(notice=letter), tmp_path).replace(" ", "")

    assert "黑色等级评定要素第2条：若无新的记录，将于2027-02-01起不再成立。" in text
    assert "black.2" not in text


def test_the_cut_font_is_made_once_from_noto_cjk_and_kept_out_of_the_repository(settings):
    path = pdf.pdf_font_path()

    assert path.is_file() and path.parent == settings.BASE_DIR / "var" / "fonts"
    assert pdf.pdf_font_path() == path
    tracked = subprocess.run(["git", "ls-files", "var"], cwd=settings.BASE_DIR, capture_output=True, text=True)
    assert tracked.stdout == ""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_staff_print_a_batch_of_letters_as_one_pdf_and_they_are_marked_printed(pinned, staff, tmp_path):
    letters = [_letter(late_payer(late_payments=3, name=f"淮阴批量打印{i}有限公司")) for i in range(3)]

    content = services.letters_print(notices=letters, actor=staff)

    text = _pdf_text(content, tmp_path)
    assert all(f"淮阴批量打印{i}有限公司" in text for i in range(3))
    assert text.count("电力信用等级书面告知函") == 3
    assert set(Notice.objects.filter(channel="letter").values_list("delivery_status", flat=True)) == {"printed"}
    assert Notice.history.filter(delivery_status="printed", history_user=staff).count() == 3


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_large_print_batch_is_rendered_in_parts_side_by_side_and_joined_in_order(
    pinned, staff, tmp_path, monkeypatch
):
    from credit_portal import pdf_parts

    monkeypatch.setattr(pdf_parts, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pdf_parts, "batch_processes", lambda: 2)
    letters = [_letter(late_payer(late_payments=3, name=f"淮阴分批打印{i}有限公司")) for i in range(4)]

    content = services.letters_print(notices=letters, actor=staff)

    text = _pdf_text(content, tmp_path)
    positions = [text.index(f"淮阴分批打印{i}有限公司") for i in range(4)]
    assert positions == sorted(positions)  # the parts joined in the batch's order
    assert text.count("电力信用等级书面告知函") == 4
    one_each = sum(len(PdfReader(io.BytesIO(services.letter_pdf(notice=letter))).pages) for letter in letters)
    assert len(PdfReader(tmp_path / "letter.pdf").pages) == one_each


def test_a_letters_delivery_is_recorded_step_by_step(pinned, staff):
    letter = _letter(late_payer(late_payments=3))

    with pytest.raises(ApplicationError, match="邮件单号"):
        services.letter_delivery_record(notice=letter, status="mailed", actor=staff)
    services.letter_delivery_record(notice=letter, status="mailed", tracking_number="EMS1234567890CN", actor=staff)
    with pytest.raises(ApplicationError, match="晚于今天"):
        services.letter_delivery_record(notice=letter, status="received", received_on=date(2026, 12, 30), actor=staff)
    services.letter_delivery_record(notice=letter, status="received", received_on=date(2026, 11, 28), actor=staff)

    letter.refresh_from_db()
    assert (letter.delivery_status, letter.tracking_number, letter.received_on) == (
        "received",
        "EMS1234567890CN",
        date(2026, 11, 28),
    )
    assert [h.delivery_status for h in letter.history.order_by("history_date")] == ["mailed", "received"]


def test_a_returned_letter_needs_a_reason_and_cannot_be_received_afterwards(pinned, staff):
    letter = _letter(late_payer(late_payments=3))
    services.letter_delivery_record(notice=letter, status="mailed", tracking_number="EMS1", actor=staff)

    with pytest.raises(ApplicationError, match="退回原因"):
        services.letter_delivery_record(notice=letter, status="returned", actor=staff)
    services.letter_delivery_record(notice=letter, status="returned", note="查无此单位", actor=staff)
    with pytest.raises(ApplicationError):
        services.letter_delivery_record(notice=letter, status="received", received_on=AS_OF, actor=staff)

    letter.refresh_from_db()
    assert letter.delivery_status == "returned" and letter.note == "查无此单位"
