"""The one declared table of what each level brings, and the gates, texts and pages that read it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commitments.models import ServiceKind
from notifications import services as notices
from notifications.models import Notice
from notifications.services import notice_message
from ratings import consequences, rules
from ratings.models import RatingCause, RatingHistory
from tests.factories import CustomerFactory, PowerApplicationFactory, rate

TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_every_state_has_one_row_and_only_honest_levels_bring_incentives():
    assert set(consequences.TERMS) == set(rules.LEVEL_LABELS)
    for level, terms in consequences.TERMS.items():
        honest = level in rules.HONEST_LEVELS
        assert all(terms.grants(offer) == honest for offer in consequences.OFFERS), level


@pytest.mark.parametrize("level", ["red", "black"])
def test_red_and_black_lose_every_incentive_and_get_the_letter(level):
    measures = {m.code for m in consequences.measures_for(level)}

    assert measures == {consequences.LOSS_OF_INCENTIVES, consequences.WRITTEN_LETTER}
    assert consequences.terms_for(level).letter
    assert "letter" in consequences.terms_for(level).notice_channels


def test_measures_the_plan_does_not_name_are_off_unless_the_utility_switches_them_on():
    optional = [m for m in consequences.MEASURES.values() if not m.plan_named]

    assert optional and all("方案未规定" in m.basis for m in optional)
    enabled = {consequences.PREPAYMENT_REQUIRED}
    assert consequences.PREPAYMENT_REQUIRED in {m.code for m in consequences.measures_for("black", enabled=enabled)}
    assert consequences.PREPAYMENT_REQUIRED not in {m.code for m in consequences.measures_for("black")}


def test_the_value_added_services_are_the_plans_and_the_table_is_where_they_are_declared():
    assert [label for _value, label in ServiceKind.choices] == [
        "设备代维", "节能咨询", "能源托管", "临时用电设备租赁", "电费金融理财", "专用发票寄送", "安全用电管家",
    ]  # fmt: skip


def test_an_anonymous_visitor_lands_on_the_public_credit_services_page(client, db):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "“信用+供电服务”" in page
    assert "方案第四部分第（三）项" in page
    for offer in consequences.OFFERS.values():
        assert offer.label in page
    assert 'id="level-terms"' in page
    assert "企业注册" in page


def test_the_standards_page_shows_the_table_and_labels_the_utilitys_own_measures(client, db, settings):
    settings.CREDIT_OPTIONAL_MEASURES = [consequences.PREPAYMENT_REQUIRED]

    page = client.get(reverse("ratings:standards")).content.decode()

    assert 'id="level-terms"' in page
    assert "不享受诚信客户的任何激励" in page
    assert "要求采用预存方式交付电费（供电企业自主措施）" in page
    assert "要求采用预存方式交付电费（本营业部已启用）" in page
    assert "增加用电检查频次（未启用）" in page


@pytest.mark.django_db
def test_the_enterprise_home_says_what_the_level_gives_and_what_it_would_gain(client, applicant, applicant_customer):
    client.force_login(applicant)
    rate(applicant_customer, "yellow")

    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "当前等级可享受" in page and "当前信用等级不享受诚信客户待遇" in page
    assert "成为诚信客户（绿色、蓝色）后可获得" in page
    assert consequences.OFFERS[consequences.NO_PROPERTY_ROUTE].label in page

    rate(applicant_customer, "green")
    page = client.get(reverse("commitments:enterprise_home")).content.decode()

    assert "成为诚信客户（绿色、蓝色）后可获得" not in page
    assert consequences.OFFERS[consequences.GREEN_CHANNEL].portal_text in page


def _change(customer, *, level, previous, rules_=(), computed=None):
    return RatingHistory.objects.create(
        customer=customer, level=level, previous_level=previous, computed_level=computed or level,
        rules=list(rules_), explanation="", as_of=date(2026, 11, 28), rules_version="t", cause=RatingCause.REPORT,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_honest_customer_sms_lists_the_incentives_of_the_table(time_machine):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory()
    notices.notices_for_rating_changes(history_rows=[_change(customer, level="green", previous="unrated")])

    text = notice_message(notice=Notice.objects.get(customer=customer)).text

    for offer in consequences.offers_for("green"):
        assert offer.label in text


@pytest.mark.django_db
def test_a_blue_customer_that_becomes_unrated_is_told_why_and_how_to_renew(time_machine):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory()
    change = _change(customer, level="unrated", previous="blue", rules_=["blue.3"])

    notices.notices_for_rating_changes(history_rows=[change])

    sent = {n.channel: notice_message(notice=n).text for n in Notice.objects.filter(customer=customer)}
    assert set(sent) == {"sms", "wechat"}
    assert "已不再是诚信客户" in sent["sms"]
    assert "未满足blue.3" in sent["sms"]
    assert "0517-84997781" in sent["sms"]  # plan Annex 1: where to get the report again


@pytest.mark.django_db
def test_the_unmet_blue_condition_is_worded_as_the_rule_set_the_rating_was_made_under(time_machine, supervisor):
    from ratings.rulesets import ruleset_draft

    time_machine.move_to(TODAY, tick=False)
    wording = "两年内出具的江苏省法人公共信用信息查询报告显示无失信行为"
    draft = ruleset_draft(
        actor=supervisor,
        parameters={"windows": {"report_valid_years": 2}},
        wordings={"green.4": wording, "blue.3": wording},
    )
    under_v1, under_v2 = CustomerFactory(), CustomerFactory()
    change_v1 = _change(under_v1, level="unrated", previous="blue", rules_=["blue.3"])
    change_v2 = _change(under_v2, level="unrated", previous="blue", rules_=["blue.3"])
    change_v2.rule_set_version = draft.version
    change_v2.save()

    notices.notices_for_rating_changes(history_rows=[change_v1, change_v2])

    sms_v1 = notice_message(notice=Notice.objects.get(customer=under_v1, channel="sms")).text
    sms_v2 = notice_message(notice=Notice.objects.get(customer=under_v2, channel="sms")).text
    assert f"未满足blue.3（{rules.CRITERIA_BY_ID['blue.3'].plan_text}）" in sms_v1
    assert f"未满足blue.3（{wording}）" in sms_v2
    assert f"未满足blue.3（{rules.CRITERIA_BY_ID['blue.3'].plan_text}）" not in sms_v2


@pytest.mark.django_db
def test_a_first_rating_of_unrated_and_an_unrated_customer_staying_unrated_send_nothing():
    customer = CustomerFactory()

    notices.notices_for_rating_changes(history_rows=[_change(customer, level="unrated", previous="")])
    notices.notices_for_rating_changes(history_rows=[_change(customer, level="unrated", previous="yellow")])

    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_losing_honest_status_for_yellow_says_so_in_the_reminder(time_machine):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory()
    notices.notices_for_rating_changes(
        history_rows=[_change(customer, level="yellow", previous="green", rules_=["yellow.2"])]
    )

    text = notice_message(notice=Notice.objects.get(customer=customer, channel="sms")).text

    assert "已不再是诚信客户" in text


@pytest.mark.django_db
def test_an_application_that_lost_the_green_channel_says_why_in_the_queue(client, staff, time_machine):
    time_machine.move_to(TODAY, tick=False)
    customer = CustomerFactory(name="淮阴失优先有限公司")
    other = rate(CustomerFactory(name="淮阴一直绿有限公司"), "green").customer
    PowerApplicationFactory(customer=customer, level_at_submission="green", submitted_at=TODAY - timedelta(days=9))
    PowerApplicationFactory(customer=other, level_at_submission="green", submitted_at=TODAY - timedelta(days=1))
    rate(customer, "red")  # the queue is read with the level now, not the level when submitted
    client.force_login(staff)

    page = client.get(reverse("commitments:application_queue")).content.decode()

    assert page.index("淮阴一直绿有限公司") < page.index("淮阴失优先有限公司")
    assert "提交时为绿色（诚信客户，绿色通道），现为红色，已不再优先受理" in page


@pytest.mark.django_db
def test_a_black_customer_may_not_ask_for_a_value_added_service(applicant, applicant_customer):
    from commitments import services as commitments
    from credit_portal.errors import ApplicationError

    rate(applicant_customer, "black")

    with pytest.raises(ApplicationError, match="当前信用等级为：黑色"):
        commitments.service_request_submit(customer=applicant_customer, actor=applicant, service="energy_consulting")
