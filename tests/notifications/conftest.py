"""Fixtures of the notifications tests: the local gateway, file-backend output, rated customers."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AccountFactory, CustomerFactory, EventFactory

from .gateway import Gateway

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AS_OF = date(2026, 11, 28)


@pytest.fixture
def gateway():
    server = Gateway().start()
    yield server
    server.stop()


@pytest.fixture
def outbox(settings, tmp_path):
    """SMS and WeChat go to the file backend; `outbox("sms")` reads what was written."""
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "sms": "notifications.backends.console.FileBackend",
        "wechat": "notifications.backends.console.FileBackend",
    }
    settings.NOTIFICATION_FILE_DIR = str(tmp_path / "outbox")

    def read(channel: str) -> list[dict]:
        path = tmp_path / "outbox" / f"{channel}.jsonl"
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    return read


@pytest.fixture
def pinned(time_machine):
    time_machine.move_to(NOW, tick=True)
    return NOW


def late_payer(*, late_payments: int, name: str | None = None, **customer):
    """A postpaid customer with this many late payments in 2026 (2 → yellow, 3–4 → red, 5 → black)."""
    customer = CustomerFactory(**({"name": name} if name else {}), **customer)
    AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
    for month in range(1, late_payments + 1):
        EventFactory(customer=customer, type="late_payment", occurred_on=date(2026, month, 15), recorded_by=None)
    return customer
