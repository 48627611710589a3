"""No signed-in page and no API answer may be kept by a cache: every page of the URL map, opened by
every role, and every path of the API schema, called by every role and anonymously, answers
``Cache-Control: no-store`` (files, redirects and errors included)."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from tests.workplace.test_url_map_language import _pages, site  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ROLES = ("staff", "supervisor", "drc", "applicant", "other_applicant")


def _stored(response) -> bool:
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    return "no-store" not in directives


def _api_urls(site) -> list[str]:  # noqa: F811
    """Every path of the API schema, its parameters filled with the applicant's enterprise or an id."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    uscc = site.archive.customer.uscc
    return [re.sub(r"\{(\w+)\}", lambda m: uscc if "uscc" in m.group(1) else "1", path) for path in sorted(paths)]


def test_every_page_of_the_url_map_is_not_stored_for_every_signed_in_role(client, site):  # noqa: F811
    stored: list[str] = []
    for role in ROLES:
        client.force_login(site.users[role])
        for name, url in _pages(site):
            response = client.get(url)
            if _stored(response):
                stored.append(f"{role} {name} {url} ({response.status_code}): {response.get('Cache-Control')}")

    assert not stored, "signed-in answers a cache may keep:\n" + "\n".join(stored)


def test_every_api_answer_is_not_stored_whoever_calls(api_client_for, api_client, site):  # noqa: F811
    token = Token.objects.create(user=site.users["staff"])
    callers = {role: api_client_for(site.users[role]) for role in ROLES}
    callers["anonymous"] = api_client
    stored: list[str] = []
    for who, caller in callers.items():
        for url in _api_urls(site):
            for response in (caller.get(url), caller.post(url, {}, format="json")):
                if _stored(response):
                    stored.append(f"{who} {response.request['REQUEST_METHOD']} {url} ({response.status_code})")
    by_token = api_client_for(None)
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for url in _api_urls(site):
        if _stored(response := by_token.get(url)):
            stored.append(f"token GET {url} ({response.status_code})")

    assert not stored, "API answers a cache may keep:\n" + "\n".join(stored)


def test_a_public_page_for_an_anonymous_visitor_is_not_marked_no_store(client, site):  # noqa: F811
    response = client.get(reverse("commitments:public_letters"))

    assert response.status_code == 200
    assert _stored(response)
