"""Writes to the credit archive. Every service is one transaction, audited, with the acting user."""

from .customers import account_create, account_update, customer_create, customer_update
from .events import event_record, event_repair_record, event_repairable, revocation_decide, revocation_request
from .information import credit_information_record, credit_information_refusal
from .personal_data import identity_reveal
from .reports import report_refuse, report_upload, report_verify

__all__ = [
    "account_create",
    "account_update",
    "credit_information_record",
    "credit_information_refusal",
    "customer_create",
    "customer_update",
    "event_record",
    "event_repair_record",
    "event_repairable",
    "identity_reveal",
    "report_refuse",
    "report_upload",
    "report_verify",
    "revocation_decide",
    "revocation_request",
]
