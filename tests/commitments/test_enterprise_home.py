"""The enterprise home page: its level and why, what would improve it, its records, on a phone too."""

from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from commitments import services
from ratings.services import rating_refresh
from tests.factories import (
    AccountFactory,
    CommitmentLetterFactory,
    EventFactory,
    PowerApplicationFactory,
    ReportFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def yellow_enterprise(applicant_customer):
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1), payment_method="prepaid")
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 2, 10))
    event = EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2025, 4, 10))
    rating_refresh(customer=applicant_customer, cause="manual")
    return event


def test_the_home_page_shows_the_level_why_and_what_would_improve_it(client, applicant, yellow_enterprise):
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "黄色" in page
    assert "黄色等级评定要素第2条" in page and "yellow.2" not in page
    assert "一年内发生2次未按合同、协议约定的方式和期限交付电费的行为" in page
    assert "如何改善" in page
    assert reverse("commitments:objection_create", args=[yellow_enterprise.pk]) in page
    assert "2025-04-10" in page
    assert "申请增值服务" not in page  # only honest customers see the offer


def test_the_home_page_lists_reports_letters_applications_services_and_objections(
    client, applicant, staff, applicant_customer, yellow_enterprise
):
    letter = services.letter_decide(
        letter=CommitmentLetterFactory(customer=applicant_customer), accept=True, actor=staff
    )
    PowerApplicationFactory(customer=applicant_customer, kind="capacity_increase", capacity_kva="630")
    ServiceRequestFactory(customer=applicant_customer, service="energy_management")
    services.objection_submit(event=yellow_enterprise, actor=applicant, reason="已缴费")
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    for text in (letter.code, "增容", "630", "能源托管", "待审查", "报告日期 2025-06-01", "已核验"):
        assert text in page, text
    assert 'id="no-property-status"' in page


def test_an_honest_enterprise_sees_the_green_channel_and_the_services(client, applicant, applicant_customer):
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1), payment_method="prepaid")
    ReportFactory(customer=applicant_customer, issued_on=date(2025, 6, 1), status="verified", shows_dishonesty=False)
    rating_refresh(customer=applicant_customer, cause="manual")
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "绿色" in page and "诚信客户 · 绿色通道" in page
    assert reverse("commitments:service_request_create") in page


def test_the_home_page_never_shows_another_enterprise(client, other_applicant, applicant_customer, yellow_enterprise):
    client.force_login(other_applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert applicant_customer.name not in page
    assert applicant_customer.uscc not in page


def test_enterprise_pages_are_made_for_phones_as_well(client, applicant):
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "/static/commitments/enterprise.css" in page
    css = Path(finders.find("commitments/enterprise.css")).read_text(encoding="utf-8")
    assert "@media (max-width: 640px)" in css


def test_the_home_page_lists_the_notices_sent_to_the_enterprise(client, applicant, applicant_customer):
    from django.utils import timezone

    from notifications.models import Notice
    from ratings.models import RatingHistory

    change = RatingHistory.objects.create(
        customer=applicant_customer, level="yellow", previous_level="blue", computed_level="yellow",
        rules=["yellow.2"], as_of=date(2025, 6, 16), rules_version="test", cause="event",
    )  # fmt: skip
    Notice.objects.create(
        customer=applicant_customer, rating_change=change, channel="sms", level="yellow", status="sent",
        sent_at=timezone.now(), body="【淮阴供电】贵单位电力信用等级调整为黄色",
    )  # fmt: skip
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "【淮阴供电】贵单位电力信用等级调整为黄色" in page
    assert reverse("notifications:my_notices") in page


def test_a_red_enterprises_home_says_its_level_closes_the_no_property_route_before_it_applies(
    client, applicant, staff, theft
):
    services.letter_decide(letter=CommitmentLetterFactory(customer=theft.customer), accept=True, actor=staff)
    client.force_login(applicant)

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    box = page[page.index('id="no-property-status"') : page.index('<div class="grid">')]
    assert box.count('class="ok"') == 2  # the report and the letter, but not the level
    assert '<li class="">诚信客户信用等级（绿色、蓝色）：贵单位当前为红色</li>' in box
    assert "贵单位当前信用等级为红色，暂不能办理。" in box
    assert "现在即可" in box and f"#event-{theft.pk}" in box
