"""The archive page's audit history: who changed what, with names rather than ids."""

from datetime import date

import pytest

from archives import services
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_audit_history_names_the_users_behind_a_change(client, staff, supervisor):
    staff.first_name = "王芳"
    staff.save()
    customer = AccountFactory(opened_on=date(2015, 3, 1)).customer
    event = services.event_record(customer=customer, type="late_payment", occurred_on=date(2024, 5, 1), actor=staff)
    services.revocation_request(event=event, reason="录入错误", actor=staff)
    client.force_login(supervisor)

    page = client.get(f"/archives/customers/{customer.uscc}/history/").content.decode()
    history = page[page.index('id="h-history"') :]

    assert "录入人：王芳" in history
    assert "申请人：王芳" in history
    assert f"录入人：#{staff.pk}" not in history
