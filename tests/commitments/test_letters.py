"""The commitment letter (信用承诺书, plan Annex 2): the pre-filled PDF, the signed upload, staff review,
the commitment code, and the public list (信用承诺公示, clause 5)."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from commitments import services
from commitments.models import CommitmentLetter, Fulfilment, LetterStatus
from credit_portal.errors import ApplicationError
from tests.factories import CommitmentLetterFactory, CustomerFactory

from .conftest import database_state, fake_pdf, pdf, png

pytestmark = pytest.mark.django_db


def _pdftotext(content: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (Debian's poppler-utils) is needed to read the PDF back"
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_letter_pdf_gives_back_the_annex_2_text_with_the_enterprises_name_and_uscc(
    client, applicant, applicant_customer, tmp_path
):
    client.force_login(applicant)

    response = client.get(reverse("commitments:letter_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF-")
    text = _flat(_pdftotext(content, tmp_path))
    expected = [
        "信用承诺书",
        "_____单位",
        f"我单位/公司（名称）{applicant_customer.name}，统一社会信用代码为{applicant_customer.uscc}。",
        "郑重承诺如下：",
        "一、提供给国网淮安供电公司淮阴供电营业部的所有资料均合法、真实、有效，并对所提供资料的真实性负责；",
        "二、遵守国家法律、法规、规章和政策规定，开展生产经营活动，主动接受行业监管，自愿接受依法开展的日常用电检查；",
        "三、若发生违法失信、违约用电等行为，将依照有关法律、法规规章和政策规定接受处罚，并依法承担相应责任；",
        "四、自觉接受政府、行业组织、社会公众、新闻舆论的监督，积极履行社会责任；",
        "五、本《信用承诺书》同意向社会公开。",
        "承诺单位（加盖公章）",
        "法定代表人签章：",
        "年",
    ]
    position = 0
    for line in expected:
        found = text.find(_flat(line), position)
        assert found >= 0, f"missing or out of order in the PDF text: {line}"
        position = found + len(_flat(line))


def test_the_letter_pdf_embeds_its_chinese_font(client, applicant, tmp_path):
    client.force_login(applicant)
    path = tmp_path / "letter.pdf"
    path.write_bytes(client.get(reverse("commitments:letter_pdf")).content)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout

    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, fonts
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_only_a_confirmed_applicant_downloads_its_letter(client, staff, drc, other_applicant, applicant_customer):
    for user in (staff, drc):
        client.force_login(user)
        assert client.get(reverse("commitments:letter_pdf")).status_code == 404
    client.force_login(other_applicant)
    response = client.get(reverse("commitments:letter_pdf"))
    assert applicant_customer.uscc.encode() not in response.content


def test_an_applicant_uploads_its_signed_letter_for_review(applicant, applicant_customer):
    letter = services.letter_upload(
        customer=applicant_customer, actor=applicant, committed_on=date(2025, 6, 10), file=png()
    )

    assert letter.status == LetterStatus.PENDING
    assert letter.code is None
    assert letter.file.name.endswith(".png")
    assert "scan" not in letter.file.name  # server-chosen name
    assert letter.history.get().history_user == applicant


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"file": fake_pdf()}, "file", "只接受 PDF、JPEG 或 PNG 文件"),
        ({"committed_on": date(2025, 6, 17)}, "committed_on", "晚于今天"),
        # Its code would lose a digit (801 for 0801): no commitment is older than 1990.
        ({"committed_on": date(801, 4, 11)}, "committed_on", "承诺日期 0801-04-11 早于 1990-01-01，请核对"),
    ],
)
def test_a_bad_letter_upload_is_refused_with_a_message_and_changes_nothing(
    applicant, applicant_customer, kwargs, field, message
):
    before = database_state()
    arguments = {"committed_on": date(2025, 6, 10), "file": pdf(), **kwargs}

    with pytest.raises(ApplicationError) as error:
        services.letter_upload(customer=applicant_customer, actor=applicant, **arguments)

    assert (error.value.field, message in error.value.message) == (field, True)
    assert database_state() == before


def test_the_upload_page_says_why_a_text_file_is_refused(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("commitments:letter_upload"), {"committed_on": "2025-06-10", "file": fake_pdf()})

    assert response.status_code == 200
    assert "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别为：无法识别的内容）" in response.content.decode()
    assert not CommitmentLetter.objects.exists()


def test_an_applicant_cannot_upload_a_letter_for_another_enterprise(applicant, other_customer):
    before = database_state()

    with pytest.raises(ApplicationError, match="不能代表该企业"):
        services.letter_upload(customer=other_customer, actor=applicant, committed_on=date(2025, 6, 1), file=pdf())

    assert database_state() == before


def test_accepting_a_letter_gives_it_its_commitment_code(staff, applicant_customer):
    first = CommitmentLetterFactory(customer=applicant_customer, committed_on=date(2025, 6, 10))
    second = CommitmentLetterFactory(committed_on=date(2025, 6, 10))
    other_day = CommitmentLetterFactory(committed_on=date(2025, 6, 11))

    for letter in (first, second, other_day):
        services.letter_decide(letter=letter, accept=True, actor=staff)

    codes = list(CommitmentLetter.objects.order_by("pk").values_list("code", flat=True))
    assert codes == ["32080420250610000001", "32080420250610000002", "32080420250611000001"]
    assert all(re.fullmatch(r"320804\d{8}\d{6}", code) for code in codes)
    first.refresh_from_db()
    assert (first.status, first.decided_by, first.fulfilment) == (LetterStatus.ACCEPTED, staff, Fulfilment.FULL)


def test_rejecting_a_letter_needs_a_reason(staff, applicant_customer):
    letter = CommitmentLetterFactory(customer=applicant_customer)
    before = database_state()

    with pytest.raises(ApplicationError, match="退回时请填写理由"):
        services.letter_decide(letter=letter, accept=False, actor=staff, note="")
    assert database_state() == before

    services.letter_decide(letter=letter, accept=False, actor=staff, note="未加盖公章")

    letter.refresh_from_db()
    assert (letter.status, letter.code, letter.decision_note) == (LetterStatus.REJECTED, None, "未加盖公章")


def test_drc_officers_read_letters_but_cannot_decide_them(client, drc, applicant_customer):
    letter = CommitmentLetterFactory(customer=applicant_customer)
    before = database_state()

    with pytest.raises(ApplicationError, match="只有营业厅工作人员可以审核信用承诺书"):
        services.letter_decide(letter=letter, accept=True, actor=drc)

    client.force_login(drc)
    assert client.get(reverse("commitments:letter_detail", args=[letter.pk])).status_code == 200
    assert (
        client.post(reverse("commitments:letter_detail", args=[letter.pk]), {"decision": "accept"}).status_code == 403
    )
    assert database_state() == before


def test_staff_accept_a_letter_through_the_page(client, staff, applicant_customer):
    letter = CommitmentLetterFactory(customer=applicant_customer, committed_on=date(2025, 6, 3))
    client.force_login(staff)

    queue = client.get(reverse("commitments:letter_list")).content.decode()
    response = client.post(reverse("commitments:letter_detail", args=[letter.pk]), {"decision": "accept"}, follow=True)

    assert applicant_customer.name in queue
    assert "32080420250603000001" in response.content.decode()


def test_staff_record_how_a_commitment_was_kept(staff, applicant_customer):
    letter = services.letter_decide(
        letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff
    )

    with pytest.raises(ApplicationError, match="请填写未履行的承诺内容"):
        services.letter_record_fulfilment(letter=letter, actor=staff, fulfilment=Fulfilment.PARTIAL)
    services.letter_record_fulfilment(
        letter=letter,
        actor=staff,
        fulfilment=Fulfilment.PARTIAL,
        unfulfilled_content="第三条",
        liability_pursued="约谈",
    )

    letter.refresh_from_db()
    assert (letter.fulfilment, letter.unfulfilled_content) == (Fulfilment.PARTIAL, "第三条")


def test_another_enterprises_letter_answers_404(client, applicant, other_customer):
    letter = CommitmentLetterFactory(customer=other_customer)
    client.force_login(applicant)

    assert client.get(reverse("commitments:letter_detail", args=[letter.pk])).status_code == 404
    assert client.get(reverse("commitments:private_file", args=["letter", letter.pk])).status_code == 404


def test_the_public_list_shows_accepted_letters_without_login_searchable_and_paginated(client, staff):
    accepted = []
    for n in range(23):
        customer = CustomerFactory(name=f"淮阴公示{n:02d}有限公司")
        letter = CommitmentLetterFactory(customer=customer, committed_on=date(2025, 5, 1 + n))
        accepted.append(services.letter_decide(letter=letter, accept=True, actor=staff))
    CommitmentLetterFactory(customer=CustomerFactory(name="淮阴待审有限公司"))
    rejected = CommitmentLetterFactory(customer=CustomerFactory(name="淮阴退回有限公司"))
    services.letter_decide(letter=rejected, accept=False, actor=staff, note="无公章")

    first = client.get(reverse("commitments:public_letters")).content.decode()
    second = client.get(reverse("commitments:public_letters"), {"page": 2}).content.decode()
    by_name = client.get(reverse("commitments:public_letters"), {"q": "公示05"}).content.decode()
    by_uscc = client.get(
        reverse("commitments:public_letters"), {"q": accepted[7].customer.uscc.lower()}
    ).content.decode()

    assert "共 23 份" in first
    assert "淮阴公示22有限公司" in first  # newest commitment first
    assert "淮阴公示00有限公司" in second
    assert "淮阴待审有限公司" not in first + second
    assert "淮阴退回有限公司" not in first + second
    for column in ("承诺编码", "企业名称", "统一社会信用代码", "承诺类型", "承诺日期", "状态"):
        assert column in first
    assert "证明事项型" in first
    assert "淮阴公示05有限公司" in by_name and "淮阴公示06有限公司" not in by_name
    assert accepted[7].code in by_uscc and "共 1 份" in by_uscc
