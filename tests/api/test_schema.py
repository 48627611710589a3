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
