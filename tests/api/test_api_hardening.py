"""What a probe of the API found: bodies that made it fail, attributes it dropped, HTML where JSON was
promised, 403 where 401 belongs, and a schema that did not match the answers."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from archives.models import CreditEvent

pytestmark = pytest.mark.django_db


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [40, 1_100, 100_000])
def test_a_deeply_nested_json_body_to_the_token_endpoint_is_a_400_with_a_reason(api_client, depth):
    response = api_client.post("/api/token/", _nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["message"]


def test_a_deeply_nested_json_body_to_a_signed_in_endpoint_is_a_400(api_client_for, staff, applicant_customer):
    body = f'{{"customer": "{applicant_customer.uscc}", "type": "late_payment", "description": {_nested(1_100)}}}'

    response = api_client_for(staff).post("/api/events/", body, content_type="application/json")

    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["message"]
    assert not CreditEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"{'single': 'quotes'}", "application/json"),
        (b"NaN", "application/json"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"%%%", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_to_the_token_endpoint_are_a_400_never_a_500(api_client, body, content_type):
    response = api_client.post("/api/token/", body, content_type=content_type)

    assert response.status_code == 400


def test_an_attribute_of_another_event_type_is_refused_by_name(api_client_for, staff, applicant_customer, time_machine):
    time_machine.move_to(datetime(2025, 6, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    body = {"customer": applicant_customer.uscc, "type": "late_payment", "occurred_on": "2025-05-01"}

    response = api_client_for(staff).post("/api/events/", {**body, "amount_yuan": "5000"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["amount_yuan"]
    assert "不含此项" in response.json()["errors"]["amount_yuan"][0]
    assert not CreditEvent.objects.exists()
    assert api_client_for(staff).post("/api/events/", {**body, "amount_yuan": None}, format="json").status_code == 201


def test_a_theft_with_a_voltage_and_a_severity_names_both(api_client_for, staff, applicant_customer, time_machine):
    time_machine.move_to(datetime(2025, 6, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    body = {
        "customer": applicant_customer.uscc,
        "type": "theft",
        "occurred_on": "2025-05-01",
        "amount_yuan": "100",
        "voltage_kv": "10",
        "severity": "serious",
    }

    response = api_client_for(staff).post("/api/events/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"voltage_kv", "severity"}
    assert not CreditEvent.objects.exists()


@pytest.mark.parametrize("url", ["/api/no-such-endpoint/", "/api/customers/91320800MA00000000/", "/api/events/x/y/"])
def test_a_404_under_the_api_is_json(api_client_for, staff, url):
    response = api_client_for(staff).get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"]


def test_a_404_outside_the_api_is_still_the_portals_page(client, staff):
    client.force_login(staff)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]


def _admits(schema: dict, property_schema: dict, value) -> bool:
    if "$ref" in property_schema:
        property_schema = schema[property_schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in property_schema or "oneOf" in property_schema:
        return any(_admits(schema, part, value) for part in property_schema.get("allOf", property_schema.get("oneOf")))
    if value is None:
        return property_schema.get("nullable", False)
    return "enum" not in property_schema or value in property_schema["enum"]


@pytest.mark.parametrize(
    ("component", "field", "value"),
    [
        ("Application", "report", None),
        ("Objection", "revocation", None),
        ("Objection", "recommendation", ""),
        ("Event", "severity", ""),
    ],
)
def test_the_schema_admits_the_values_the_api_answers_with(api_client, component, field, value):
    schema = _schema(api_client)
    assert _admits(schema, schema[component]["properties"][field], value), schema[component]["properties"][field]
