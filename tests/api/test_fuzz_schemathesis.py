"""Schemathesis against the live test server, signed in with a staff token and an applicant token:
no answer is a server error, and every answer matches the schema the portal publishes.

Bounded (a few examples per operation, derandomized) so that the suite stays quick; raise
FUZZ_EXAMPLES locally for a longer run.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from commitments.models import Objection
from tests.factories import EventFactory, PowerApplicationFactory

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))


def _records(applicant, applicant_customer) -> dict[str, dict[str, object]]:
    """Records both personas may read, each in the shape the schema was found to misdescribe (an event
    without severity, an application without report, an objection neither reviewed nor revoked), and
    the path parameters that reach them."""
    event = EventFactory(customer=applicant_customer, severity="")
    application = PowerApplicationFactory(customer=applicant_customer, submitted_by=applicant)
    objection = Objection.objects.create(
        event=event, customer=applicant_customer, reason="并未逾期", submitted_by=applicant
    )
    return {
        "/api/customers/{uscc}/": {"uscc": applicant_customer.uscc},
        "/api/events/{event_id}/": {"event_id": event.pk},
        "/api/applications/{id}/": {"id": application.pk},
        "/api/objections/{id}/": {"id": objection.pk},
    }


def _pinned(path: str, records: dict[str, dict[str, object]]) -> dict[str, object]:
    for prefix, parameters in records.items():
        if path.startswith(prefix.split("{")[0]) and "{" in path:
            return {name: value for name, value in parameters.items() if f"{{{name}}}" in path}
    return {}


def _exercise(operation, pinned: dict[str, object], tokens: dict[str, str], base_url: str) -> list[str]:
    """Positive and negative cases of one operation, each sent with every token; the failures found."""
    failures: list[str] = []
    strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), pin=st.booleans())
    def exercise(case, pin):
        if pin and pinned:  # half the cases reach a real record, half a random one
            case.path_parameters = {**(case.path_parameters or {}), **pinned}
        for persona, token in tokens.items():
            headers = {"Authorization": f"Token {token}"}
            response = case.call(base_url=base_url, headers=headers)
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance], headers=headers
                )
            except Exception as error:  # a failed check, or a group of them
                failures.append(f"{persona} {operation.label}: {str(error)[:600]}")
                return

    exercise()
    return failures


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, staff, applicant, applicant_customer):
    records = _records(applicant, applicant_customer)
    tokens = {persona.username: Token.objects.create(user=persona).key for persona in (staff, applicant)}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        failures += _exercise(operation, _pinned(operation.path, records), tokens, live_server.url)

    assert not failures, "\n\n".join(failures)
