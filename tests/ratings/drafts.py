"""Builders shared by the rule-set and impact tests: a customer with a clean report, the yellow.1 draft."""

from __future__ import annotations

from datetime import date

from ratings.models import RuleSet
from ratings.rulesets import ruleset_draft
from tests.factories import AccountFactory, CustomerFactory, ReportFactory

#: The drafter's wording of yellow.1 once it counts one month of arrears instead of two.
YELLOW1_WORDING = "拖欠电费1个月及以上3个月以内"


def customer_with_clean_report(name: str, *, payment_method: str = "prepaid", arrears_since: date | None = None):
    """A customer with one account and a verified report of 2026-06-01 showing no dishonesty."""
    customer = CustomerFactory(name=name)
    AccountFactory(customer=customer, payment_method=payment_method, arrears_since=arrears_since)
    ReportFactory(
        customer=customer,
        issued_on=date(2026, 6, 1),
        shows_dishonesty=False,
        status="verified",
        file="publiccreditreport/test.pdf",
    )
    return customer


def yellow1_draft(supervisor) -> RuleSet:
    """A draft moving yellow.1 from two months of arrears to one, with its new wording."""
    return ruleset_draft(
        actor=supervisor,
        parameters={"yellow.1": {"arrears_months": 1}},
        wordings={"yellow.1": YELLOW1_WORDING},
        note="欠费1个月即预警",
    )
