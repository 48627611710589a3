"""The customer list at a million archives: what the search asks the database, counting, paging, caches."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives import selectors
from archives.services import customer_update
from credit_portal import pagination
from tests.factories import CustomerFactory, EventFactory, make_uscc

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [customer.name for customer in response.context["page"]]


def test_a_whole_uscc_is_searched_by_equality_alone(staff):
    wanted = CustomerFactory(uscc=make_uscc(7001), name="淮阴精工机械有限公司")
    CustomerFactory(uscc=make_uscc(7002), name=f"名称里有{wanted.uscc}的企业")

    found = selectors.customer_list(user=staff, search=wanted.uscc.lower())

    assert list(found) == [wanted]
    sql = str(found.query)
    assert "LIKE" not in sql.upper()


def test_a_uscc_prefix_finds_by_code_and_a_chinese_part_by_name_only(staff):
    first = CustomerFactory(uscc=make_uscc(7001), name="淮阴精工机械有限公司")
    CustomerFactory(uscc=make_uscc(7_000_000), name="淮阴纺织有限公司")

    assert list(selectors.customer_list(user=staff, search=first.uscc[:14])) == [first]
    by_name = selectors.customer_list(user=staff, search="精工机")
    assert list(by_name) == [first]
    assert "uscc" not in str(by_name.query).split("WHERE", 1)[1]


def test_the_list_counts_exactly_up_to_the_cap_and_reads_only_its_page(client, staff, monkeypatch):
    monkeypatch.setattr(pagination.LargeTablePaginator, "exact_limit", 30)
    CustomerFactory.create_batch(60)
    client.force_login(staff)

    response = client.get(reverse("archives:customer_list"), {"page": 2})

    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.object_list) == 25
    if connection.vendor == "postgresql":  # beyond the cap: the planner's estimate, and the page says so
        assert page.paginator.estimated and page.paginator.count > 30
        assert f"约 {page.paginator.count} 户" in response.content.decode()
    else:  # no planner estimate: it counts, and says so exactly
        assert page.paginator.count == 60 and not page.paginator.estimated
        assert "共 60 户" in response.content.decode()


def test_the_first_page_of_a_large_archive_runs_at_most_ten_queries_as_the_sessions_first_page(
    client, staff, monkeypatch, django_assert_max_num_queries
):
    """bench/pages.py's "customer list, page 1" at a million customers: beyond the exact count's cap and the
    small-set path (here both lowered), and the first page of the session, with the permissions, the
    navigation's counts and the industries still to be cached (the test starts with an empty cache)."""
    monkeypatch.setattr(pagination.LargeTablePaginator, "exact_limit", 30)
    monkeypatch.setattr(pagination, "SMALL_SET", 30)
    for n in range(60):
        CustomerFactory(name=f"淮阴规模企业{n:02d}")
    client.force_login(staff)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("archives:customer_list"))

    assert response.status_code == 200
    assert response.context["page"].paginator.count > 30
    assert _names(response) == [f"淮阴规模企业{n:02d}" for n in range(25)]


def test_a_page_keeps_the_lists_order(client, staff):
    for n in (3, 1, 2):
        CustomerFactory(name=f"淮阴排序企业{n}")
    client.force_login(staff)

    response = client.get(reverse("archives:customer_list"), {"search": "排序企业"})

    assert _names(response) == ["淮阴排序企业1", "淮阴排序企业2", "淮阴排序企业3"]


def test_the_industry_list_is_cached_and_forgotten_when_an_industry_is_written(
    staff, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(industry="制造业")
    assert selectors.industries() == ["制造业"]
    with CaptureQueriesContext(connection) as queries:
        assert selectors.industries() == ["制造业"]
    assert len(queries) == 0

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=customer, actor=staff, industry="建筑业")

    assert selectors.industries() == ["建筑业"]


def test_the_archive_page_shows_an_event_without_a_recorder(client, staff):
    customer = CustomerFactory()
    EventFactory(customer=customer, type="late_payment", occurred_on=date(2025, 1, 5), recorded_by=None)
    client.force_login(staff)

    response = client.get(reverse("archives:customer_detail", args=[customer.uscc]))

    assert response.status_code == 200
    assert "录入人 系统" in response.content.decode()


def test_spaces_join_terms_with_and_across_name_words_and_the_uscc(staff):
    wanted = CustomerFactory(uscc=make_uscc(7101), name="棉花庄博远纺织有限公司")
    CustomerFactory(uscc=make_uscc(8_000_000), name="棉花庄食品有限公司")
    CustomerFactory(uscc=make_uscc(9_000_000), name="博远物流有限公司")

    assert list(selectors.customer_list(user=staff, search="棉花庄 博远")) == [wanted]
    assert list(selectors.customer_list(user=staff, search="博远\u3000棉花庄")) == [wanted]  # full-width space
    assert list(selectors.customer_list(user=staff, search=f"博远 {wanted.uscc[:14]}")) == [wanted]
    assert list(selectors.customer_list(user=staff, search=f"{wanted.uscc.lower()} 纺织")) == [wanted]
    assert list(selectors.customer_list(user=staff, search="棉花庄 不存在")) == []
    # each term is its own condition, so PostgreSQL can answer each from the trigram index
    sql = str(selectors.customer_list(user=staff, search="棉花庄 博远").query).split("WHERE", 1)[1]
    assert sql.count("LIKE") == 2


def test_the_list_page_finds_two_words_that_each_find_the_customer(client, staff):
    CustomerFactory(uscc=make_uscc(7201), name="棉花庄博远纺织有限公司")
    CustomerFactory(uscc=make_uscc(7202), name="棉花庄食品有限公司")
    client.force_login(staff)

    response = client.get(reverse("archives:customer_list"), {"search": "棉花庄 博远"})

    assert _names(response) == ["棉花庄博远纺织有限公司"]
