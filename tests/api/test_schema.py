"""The OpenAPI schema and the browsable docs, served by the portal itself (no CDN)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/customers/",
    "/api/customers/{uscc}/",
    "/api/customers/{uscc}/events/",
    "/api/customers/{uscc}/rating/",
    "/api/customers/{uscc}/rating/history/",
    "/api/events/",
    "/api/events/{event_id}/revocation/",
    "/api/revocations/{revocation_id}/decision/",
    "/api/reports/",
    "/api/token/",
]


def test_the_schema_lists_every_archive_and_rating_endpoint(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    # Later apps add their own endpoints; these are the ones the archives and ratings promise.
    assert set(ENDPOINTS) <= set(schema["paths"])
    assert all(path.startswith("/api/") for path in schema["paths"])
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_generates_without_warnings(tmp_path: Path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/customers/{uscc}/rating/" in (tmp_path / "schema.yml").read_text(encoding="utf-8")


def test_the_docs_page_loads_only_the_portals_own_assets(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), asset
        assert "cdn" not in asset.lower(), asset
        if asset.startswith("/api/docs/?script"):  # the page's own start-up script, a file for the CSP
            assert "javascript" in api_client.get(asset)["Content-Type"]
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield path, method, item[method]


def test_every_operation_documents_a_refused_input_and_signed_in_ones_a_refused_caller(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    for path, method, operation in _operations(schema):
        assert "400" in operation["responses"], (method, path)
        if operation.get("security") and {} not in operation["security"]:
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_every_paginated_list_takes_a_page_from_one_and_documents_the_404_past_the_end(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    paginated = [
        (path, operation)
        for path, method, operation in _operations(schema)
        if any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    ]
    assert ("/api/customers/", schema["paths"]["/api/customers/"]["get"]) in paginated
    for path, operation in paginated:
        page = next(parameter for parameter in operation["parameters"] if parameter["name"] == "page")
        assert page["schema"] == {"type": "integer", "minimum": 1}, path
        assert "404" in operation["responses"], path


@pytest.mark.parametrize("page", ["2", "0", "-1", "last", "", "abc"])
def test_a_page_past_the_end_or_no_page_number_answers_404(api_client, staff, page):
    api_client.force_authenticate(staff)

    response = api_client.get("/api/customers/", {"page": page})

    assert response.status_code == 404
    assert response.json()["message"]


def test_an_empty_filter_is_no_filter_as_the_schema_allows(api_client, staff, applicant_customer):
    api_client.force_authenticate(staff)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/customers/"]["get"]["parameters"]}

    response = api_client.get("/api/customers/", {"search": "", "level": "", "in_arrears": "", "payment_method": ""})

    assert response.status_code == 200
    assert [row["uscc"] for row in response.json()["results"]] == [applicant_customer.uscc]
    assert parameters["search"].get("minLength", 0) == 0
    assert "" in _enum(schema, parameters["in_arrears"])


def test_a_filter_value_outside_its_list_is_refused(api_client, staff):
    api_client.force_authenticate(staff)

    response = api_client.get("/api/customers/", {"in_arrears": "maybe"})

    assert response.status_code == 400
    assert "in_arrears" in response.json()["errors"]


def _enum(schema: dict, property_schema: dict) -> list:
    """The values an enum property allows, through the components it refers to."""
    values: list = list(property_schema.get("enum", []))
    for part in [property_schema, *property_schema.get("oneOf", []), *property_schema.get("anyOf", [])]:
        if "$ref" in part:
            values += _enum(schema, schema["components"]["schemas"][part["$ref"].rsplit("/", 1)[1]])
        elif part is not property_schema:
            values += part.get("enum", [])
    return values


@pytest.mark.parametrize("bound", ["since", "until"])
def test_an_empty_date_bound_of_the_turnaround_is_refused_as_no_date(api_client, staff, bound):
    api_client.force_authenticate(staff)

    response = api_client.get("/api/applications/turnaround/", {bound: ""})

    assert response.status_code == 400
    assert bound in response.json()["errors"]
