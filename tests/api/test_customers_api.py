"""The customer endpoints of the REST API: list and search, detail, opening an archive, the rating."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from archives.models import Customer
from ratings import rules
from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingHistory
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, make_uscc

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NEW_USCC = make_uscc(424242)


def _rated(customer: Customer, level: str) -> CustomerRating:
    return CustomerRating.objects.create(
        customer=customer,
        level=level,
        computed_level=level,
        rules=[],
        explanation="",
        as_of=date(2025, 6, 1),
        rules_version=rules.RULES_VERSION,
        changed_on=date(2025, 6, 1),
    )


def _usccs(response) -> list[str]:
    return [row["uscc"] for row in response.json()["results"]]


# --------------------------------------------------------------------------------------------
# List and search
# --------------------------------------------------------------------------------------------


def test_staff_list_every_customer_with_their_level(api_client_for, staff, applicant_customer, other_customer):
    _rated(applicant_customer, rules.RED)

    response = api_client_for(staff).get("/api/customers/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = {row["uscc"]: row for row in body["results"]}
    assert rows[applicant_customer.uscc]["rating"]["level"] == "red"
    assert rows[applicant_customer.uscc]["rating"]["level_label"] == "红色"
    assert rows[other_customer.uscc]["rating"] is None


def test_search_matches_a_uscc_prefix_in_any_case_or_a_name_fragment(api_client_for, staff):
    first = CustomerFactory(uscc=make_uscc(7001), name="淮阴精工机械有限公司")
    CustomerFactory(uscc=make_uscc(7_000_000), name="淮阴纺织有限公司")
    client = api_client_for(staff)

    assert _usccs(client.get("/api/customers/", {"search": first.uscc[:14].lower()})) == [first.uscc]
    assert _usccs(client.get("/api/customers/", {"search": "精工"})) == [first.uscc]
    assert _usccs(client.get("/api/customers/", {"search": "不存在的企业"})) == []


def test_customers_are_filtered_by_level_and_industry(api_client_for, staff):
    red_maker = CustomerFactory(industry="制造业")
    green_maker = CustomerFactory(industry="制造业")
    red_shop = CustomerFactory(industry="零售业")
    _rated(red_maker, rules.RED)
    _rated(green_maker, rules.GREEN)
    _rated(red_shop, rules.RED)
    client = api_client_for(staff)

    assert set(_usccs(client.get("/api/customers/", {"level": "red"}))) == {red_maker.uscc, red_shop.uscc}
    assert _usccs(client.get("/api/customers/", {"level": "red", "industry": "制造业"})) == [red_maker.uscc]


def test_an_unknown_level_filter_is_refused_naming_the_parameter(api_client_for, staff):
    response = api_client_for(staff).get("/api/customers/", {"level": "purple"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["level"]


def test_applicant_lists_only_its_own_enterprise(api_client_for, applicant, applicant_customer, other_customer):
    response = api_client_for(applicant).get("/api/customers/", {"search": ""})

    assert _usccs(response) == [applicant_customer.uscc]


def test_unconfirmed_applicant_sees_no_enterprise(api_client_for, applicant, applicant_customer):
    applicant.membership.confirmed_at = None
    applicant.membership.save()
    client = api_client_for(applicant)

    assert client.get("/api/customers/").json()["count"] == 0
    assert client.get(f"/api/customers/{applicant_customer.uscc}/").status_code == 404


# --------------------------------------------------------------------------------------------
# Detail
# --------------------------------------------------------------------------------------------


def test_detail_shows_the_archive_with_accounts(api_client_for, staff, applicant_customer):
    AccountFactory(customer=applicant_customer, number="3208049999")

    response = api_client_for(staff).get(f"/api/customers/{applicant_customer.uscc}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == applicant_customer.name
    assert [account["number"] for account in body["accounts"]] == ["3208049999"]
    assert body["accounts"][0]["opened_on"] == "2018-01-01"


def test_a_lower_case_uscc_finds_the_customer(api_client_for, staff):
    customer = CustomerFactory(uscc=make_uscc(31 * 31 * 31 * 20))
    assert customer.uscc != customer.uscc.lower()

    response = api_client_for(staff).get(f"/api/customers/{customer.uscc.lower()}/")

    assert response.status_code == 200
    assert response.json()["uscc"] == customer.uscc


def test_staff_see_the_full_phone_and_drc_and_applicants_a_masked_one(
    api_client_for, staff, drc, applicant, applicant_customer
):
    Customer.objects.filter(pk=applicant_customer.pk).update(contact_phone="13812345678")
    url = f"/api/customers/{applicant_customer.uscc}/"

    assert api_client_for(staff).get(url).json()["contact_phone"] == "13812345678"
    assert api_client_for(drc).get(url).json()["contact_phone"] == "138****5678"
    assert api_client_for(applicant).get(url).json()["contact_phone"] == "138****5678"
    assert api_client_for(drc).get("/api/customers/").json()["results"][0]["contact_phone"] == "138****5678"


def test_applicant_cannot_open_another_enterprises_archive(api_client_for, applicant, other_customer):
    client = api_client_for(applicant)

    for suffix in ("", "events/", "rating/", "rating/history/"):
        response = client.get(f"/api/customers/{other_customer.uscc}/{suffix}")
        assert response.status_code == 404, suffix
        assert other_customer.name not in response.content.decode()


def test_an_unknown_uscc_answers_404_with_the_error_body(api_client_for, staff):
    response = api_client_for(staff).get(f"/api/customers/{make_uscc(999)}/")

    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


# --------------------------------------------------------------------------------------------
# Opening an archive
# --------------------------------------------------------------------------------------------


def test_staff_open_an_archive_with_a_lower_case_uscc(api_client_for, staff):
    response = api_client_for(staff).post(
        "/api/customers/",
        {"uscc": f" {NEW_USCC.lower()} ", "name": "淮阴新建企业有限公司", "contact_phone": "0517-84912345"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == NEW_USCC
    customer = Customer.objects.get(uscc=NEW_USCC)
    assert customer.name == "淮阴新建企业有限公司"
    assert customer.history.get().history_user == staff


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"uscc": NEW_USCC[:-1] + ("0" if NEW_USCC[-1] != "0" else "1"), "name": "甲"}, "uscc", "校验码错误"),
        ({"uscc": NEW_USCC[:17], "name": "甲"}, "uscc", "应为18位"),
        ({"uscc": NEW_USCC[:8] + "OOOOOOOOOO", "name": "甲"}, "uscc", "不允许的字符"),
        ({"uscc": NEW_USCC, "name": "   "}, "name", "不能为空"),
        ({"uscc": NEW_USCC}, "name", "必填"),
        ({"uscc": NEW_USCC, "name": "甲", "contact_phone": "call me"}, "contact_phone", "数字"),
    ],
    ids=["bad-check-character", "too-short", "forbidden-letters", "blank-name", "missing-name", "bad-phone"],
)
def test_bad_customer_input_names_the_field_and_writes_nothing(api_client_for, staff, payload, field, reason):
    response = api_client_for(staff).post("/api/customers/", payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert reason in body["errors"][field][0]
    assert body["message"]
    assert not Customer.objects.exists()


def test_a_duplicate_uscc_is_refused_in_any_case(api_client_for, staff, applicant_customer):
    response = api_client_for(staff).post(
        "/api/customers/", {"uscc": applicant_customer.uscc.lower(), "name": "重复企业"}, format="json"
    )

    assert response.status_code == 400
    assert "已建档" in response.json()["errors"]["uscc"][0]
    assert Customer.objects.count() == 1
    assert Customer.objects.get().name == applicant_customer.name


# --------------------------------------------------------------------------------------------
# Rating
# --------------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_rating_shows_level_rules_with_the_plans_text_and_explanation(api_client_for, applicant, applicant_customer):
    EventFactory(customer=applicant_customer, type="theft", amount_yuan=1000, occurred_on=date(2025, 5, 1))
    rating_refresh(customer=applicant_customer, cause="event")

    response = api_client_for(applicant).get(f"/api/customers/{applicant_customer.uscc}/rating/")

    assert response.status_code == 200
    body = response.json()
    assert body["level"] == body["computed_level"] == "red"
    assert body["level_label"] == "红色"
    assert body["honest"] is False
    assert body["rules"] == [
        {
            "id": "red.3",
            "level": "red",
            "plan_text": rules.CRITERIA_BY_ID["red.3"].plan_text,
            "condition": rules.CRITERIA_BY_ID["red.3"].condition,
        }
    ]
    assert "窃电" in body["explanation"]
    assert body["as_of"] == "2025-06-02"
    assert body["rules_version"] == rules.RULES_VERSION
    assert body["override"] is None
    assert body["stored"] is True


@time_machine.travel(TODAY, tick=False)
def test_rating_shows_an_active_override(api_client_for, staff, supervisor, applicant_customer):
    override = LevelOverride.objects.create(
        customer=applicant_customer,
        level=rules.BLUE,
        reason="整改到位",
        ends_on=date(2025, 12, 31),
        status=OverrideStatus.ACTIVE,
        requested_by=staff,
        decided_by=supervisor,
        decided_at=timezone.now(),
    )
    rating_refresh(customer=applicant_customer, cause="override")

    body = api_client_for(staff).get(f"/api/customers/{applicant_customer.uscc}/rating/").json()

    assert body["level"] == "blue"
    assert body["computed_level"] == "unrated"
    assert body["override"]["id"] == override.pk
    assert body["override"]["ends_on"] == "2025-12-31"


@time_machine.travel(TODAY, tick=False)
def test_a_customer_never_rated_shows_todays_evaluation_without_storing_it(api_client_for, drc, applicant_customer):
    body = api_client_for(drc).get(f"/api/customers/{applicant_customer.uscc}/rating/").json()

    assert body["level"] == "unrated"
    assert body["stored"] is False
    assert body["as_of"] == "2025-06-02"
    assert not CustomerRating.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_rating_history_lists_level_changes_newest_first(api_client_for, applicant, applicant_customer):
    rating_refresh(customer=applicant_customer, cause="manual")
    EventFactory(customer=applicant_customer, type="theft", amount_yuan=1000, occurred_on=date(2025, 5, 1))
    rating_refresh(customer=applicant_customer, cause="event", cause_ref="1")

    response = api_client_for(applicant).get(f"/api/customers/{applicant_customer.uscc}/rating/history/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["level"], row["previous_level"], row["cause"]) for row in rows] == [
        ("red", "unrated", "event"),
        ("unrated", "", "manual"),
    ]
    assert rows[0]["rules"] == ["red.3"]
    assert rows[0]["cause_label"] == "录入失信行为"
    assert RatingHistory.objects.count() == 2
