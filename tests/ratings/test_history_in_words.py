"""History rows in words: the criteria by name, the cause in Chinese, a first rating said so (issue 23)."""

from datetime import date

import pytest
from django.urls import reverse

from ratings import rules
from ratings.models import RatingHistory

pytestmark = pytest.mark.django_db


def _history(customer, **kwargs) -> RatingHistory:
    values = {
        "level": "blue",
        "computed_level": "blue",
        "rules": ["blue.3"],
        "as_of": date(2026, 3, 2),
        "rules_version": rules.RULES_VERSION,
        "rule_set_version": 1,
        "cause": "account",
    }
    return RatingHistory.objects.create(customer=customer, **{**values, **kwargs})


def _timeline(html: str) -> str:
    return html.split("等级变更记录", 1)[1].split("</ul>", 1)[0]


def test_the_archive_page_names_the_criteria_of_a_history_row_in_words(client, staff, applicant_customer):
    _history(applicant_customer)
    client.force_login(staff)

    html = client.get(reverse("archives:customer_detail", args=[applicant_customer.uscc])).content.decode()

    timeline = _timeline(html)
    assert "蓝色等级评定要素第3条" in timeline
    assert "blue.3" not in timeline
    assert "户号变更" in timeline
    assert "首次评定" in timeline


def test_the_enterprise_reads_its_history_and_findings_without_rule_ids(client, applicant, applicant_customer):
    _history(applicant_customer, previous_level="unrated", cause="nightly")
    client.force_login(applicant)

    html = client.get(reverse("commitments:enterprise_home")).content.decode()

    timeline = _timeline(html)
    assert "蓝色等级评定要素第3条" in timeline and "每日重新评定" in timeline
    assert "blue.3" not in timeline and "首次评定" not in timeline
    assert "条款 blue." not in html


def test_the_api_history_keeps_the_ids_and_adds_the_words(api_client_for, staff, applicant_customer):
    _history(applicant_customer, rules=["blue.3", "blue.1"])

    response = api_client_for(staff).get(f"/api/customers/{applicant_customer.uscc}/rating/history/")

    row = response.json()["results"][0] if "results" in response.json() else response.json()[0]
    assert row["rules"] == ["blue.3", "blue.1"]
    assert row["rules_words"] == ["蓝色等级评定要素第3条", "蓝色等级评定要素第1条"]
    assert row["cause_label"] == "户号变更"
