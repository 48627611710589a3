"""NUL and the other control characters are refused at the edge with 400, before any query: in the
path and the query string of every route of the URL map, and in a form field. Files are not read."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from archives.models import CreditEvent, Customer
from tests.factories import PNG_BYTES, AccountFactory, CustomerFactory, make_uscc

SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?\w+>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def _route(pattern) -> str:
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RoutePattern):
        return CONVERTER.sub(lambda m: SAMPLE_ARGUMENTS.get(m.group("kind") or "str", "1"), text)
    return REGEX_GROUP.sub("x", text).lstrip("^").rstrip("$").replace("\\", "")


def every_route() -> list[str]:
    """One address of every route of the URL map, the API's and the admin's included."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + _route(pattern))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + _route(pattern))

    walk(get_resolver().url_patterns, "/")
    return sorted(set(routes))


def _with_nul_in_path(route: str) -> str:
    stem, slash, _ = route.rstrip("/").rpartition("/")
    last = route.rstrip("/").rsplit("/", 1)[-1]
    return f"{stem}{slash}{last}%00{'/' if route.endswith('/') else ''}"


def test_the_walk_covers_the_url_map_including_the_public_search_and_the_api():
    routes = every_route()
    assert len(routes) > 100
    assert reverse("commitments:public_letters") in routes
    assert "/api/customers/x/events/" in routes


@pytest.mark.parametrize("persona", ["anonymous", "staff", "applicant"])
def test_a_nul_in_the_path_or_a_query_parameter_of_every_route_answers_400_before_any_query(
    client, persona, staff, applicant, django_assert_num_queries
):
    if persona != "anonymous":
        client.force_login({"staff": staff, "applicant": applicant}[persona])
    wrong = []
    for route in every_route():
        for url in (_with_nul_in_path(route), f"{route}?q=%00", f"{route}?page=1&q%01=x", f"{route}?q=a%0Ab"):
            with django_assert_num_queries(0):
                response = client.get(url)
            if response.status_code != 400:
                wrong.append(f"{url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_public_search_with_a_nul_answers_the_portals_chinese_400_page(client):
    response = client.get(reverse("commitments:public_letters") + "?q=%00")

    assert response.status_code == 400
    page = response.content.decode()
    assert "请求无法处理" in page and "查询条件中含有不允许的控制字符（U+0000）" in page and "回到首页" in page


def test_a_refusal_for_a_signed_in_user_is_never_stored(client, staff):
    client.force_login(staff)

    response = client.get(reverse("archives:customer_list") + "?search=%00")

    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


def test_the_api_answers_a_nul_with_its_uniform_error_body(api_client_for, staff):
    response = api_client_for(staff).get("/api/customers/?search=%00")

    assert response.status_code == 400
    assert response.json()["message"] == "查询条件中含有不允许的控制字符（U+0000），请删除后重试"
    assert response.json()["errors"] == {"non_field_errors": [response.json()["message"]]}


def test_a_nul_in_a_form_field_answers_400_and_creates_nothing(client, staff):
    client.force_login(staff)
    uscc = make_uscc(9001)

    response = client.post(reverse("archives:customer_create"), {"uscc": uscc, "name": "淮阴\x00测试有限公司"})

    assert response.status_code == 400
    assert "提交的内容中含有不可见的控制字符（U+0000）" in response.content.decode()
    assert not Customer.objects.filter(uscc=uscc).exists()


def test_an_escape_character_in_an_api_form_body_answers_400_and_records_nothing(api_client_for, staff):
    customer = CustomerFactory()
    body = {"customer": customer.uscc, "type": "late_payment", "occurred_on": "2024-03-01"}
    body["description"] = "逾期\x1b[31m"  # an ANSI colour code, as pasted from a terminal

    response = api_client_for(staff).post("/api/events/", body, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"] == {"description": [response.json()["message"]]}
    assert not CreditEvent.objects.exists()


def test_a_control_character_in_a_json_body_answers_400_and_records_nothing(api_client_for, staff):
    customer = CustomerFactory()
    body = {"customer": customer.uscc, "type": "late_payment", "occurred_on": "2024-03-01", "description": "逾期\x07"}

    response = api_client_for(staff).post("/api/events/", body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "提交的内容中含有不可见的控制字符（U+0007），请删除后重新提交"
    assert not CreditEvent.objects.exists()


def test_line_breaks_in_a_json_text_are_kept(api_client_for, staff):
    customer = CustomerFactory()
    body = {
        "customer": customer.uscc,
        "type": "late_payment",
        "occurred_on": "2024-03-01",
        "description": "甲\r\n乙\t丙",
    }

    response = api_client_for(staff).post("/api/events/", body, format="json")

    assert response.status_code == 201, response.json()
    assert CreditEvent.objects.get().description == "甲\r\n乙\t丙"


def test_tab_and_line_breaks_in_a_text_field_and_nul_bytes_in_an_uploaded_file_are_accepted(client, staff):
    customer = AccountFactory(opened_on="2018-01-01").customer
    client.force_login(staff)
    assert b"\x00" in PNG_BYTES

    response = client.post(
        reverse("archives:event_create", args=[customer.uscc]),
        {
            "type": "late_payment", "occurred_on": "2024-03-01", "description": "第一行\r\n第二行\t备注",
            "evidence": SimpleUploadedFile("evidence.png", PNG_BYTES, content_type="image/png"),
        },
    )  # fmt: skip

    assert response.status_code == 302
    assert CreditEvent.objects.get(customer=customer).description == "第一行\r\n第二行\t备注"
