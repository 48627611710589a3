"""Shared fixtures: the named personas of the four roles, and API clients signed in as them.

Personas: `staff`, `supervisor` and `other_supervisor` (two-person rule), `drc`, `applicant`
(bound to `applicant_customer`) and `other_applicant` (bound to `other_customer`).
"""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from credit_portal import roles

from .factories import CustomerFactory, MembershipFactory, UserFactory
from .outage import redis_cache, redis_server, redis_stopped  # noqa: F401 - fixtures: a real Redis that stops


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no throttle counts or tokens from the test before, and
    no rule set remembered by the process from a test whose transaction was rolled back."""
    from ratings.rulesets import rule_books_forget

    cache.clear()
    rule_books_forget()
    yield
    cache.clear()
    rule_books_forget()


@pytest.fixture(scope="session", autouse=True)
def _celery_configured_from_the_test_settings():
    """Celery reads the Django settings once, on first use: make that happen before any test overrides
    them (a test that turns eager tasks off in the settings would otherwise leave them off for good)."""
    from credit_portal.celery import app

    assert app.conf.task_always_eager, "the test settings run tasks in-process"


@pytest.fixture(autouse=True)
def _celery_restored():
    """Whatever a test did to the Celery app's broker or eagerness, the next starts in-process again."""
    from credit_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    yield
    if (app.conf.broker_url, app.conf.task_always_eager) != saved:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = app.amqp._producer_pool = None


def _persona(username: str, role: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff(db):
    return _persona("staff", roles.STAFF)


@pytest.fixture
def supervisor(db):
    return _persona("supervisor", roles.SUPERVISOR)


@pytest.fixture
def other_supervisor(db):
    return _persona("other_supervisor", roles.SUPERVISOR)


@pytest.fixture
def drc(db):
    return _persona("drc", roles.DRC)


@pytest.fixture
def applicant_customer(db):
    return CustomerFactory(name="淮阴甲电器有限公司")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(name="淮阴乙机械有限公司")


@pytest.fixture
def applicant(applicant_customer):
    user = _persona("applicant", roles.APPLICANT)
    MembershipFactory(user=user, customer=applicant_customer)
    return user


@pytest.fixture
def other_applicant(other_customer):
    user = _persona("other_applicant", roles.APPLICANT)
    MembershipFactory(user=user, customer=other_customer)
    return user


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_client_for() -> Callable[..., APIClient]:
    """`api_client_for(user)`: an API client with a session signed in as `user` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make
