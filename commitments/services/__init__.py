"""Writes of the enterprise side. Every service is one transaction, audited, with the acting user."""

from .accounts import account_close
from .applications import application_advance, application_submit, service_request_advance, service_request_submit
from .letters import commitment_code, letter_decide, letter_record_fulfilment, letter_upload
from .objections import (
    objection_decide,
    objection_open_for,
    objection_override_request,
    objection_reply_due,
    objection_review,
    objection_submit,
)
from .passwords import (
    password_change,
    password_change_required,
    password_code_send,
    password_reset_by_staff,
    password_reset_with_code,
)
from .registration import enterprise_register, registration_confirm, registration_reject
from .repairs import repair_apply, repair_decide, repair_decision_due, repair_propose, repair_record_at_source
from .reports import enterprise_report_upload, officer_credit_report_upload

__all__ = [
    "account_close",
    "application_advance",
    "application_submit",
    "commitment_code",
    "officer_credit_report_upload",
    "enterprise_register",
    "enterprise_report_upload",
    "letter_decide",
    "letter_record_fulfilment",
    "letter_upload",
    "objection_decide",
    "objection_review",
    "objection_open_for",
    "objection_override_request",
    "objection_reply_due",
    "objection_submit",
    "password_change",
    "password_change_required",
    "password_code_send",
    "password_reset_by_staff",
    "password_reset_with_code",
    "registration_confirm",
    "repair_apply",
    "repair_decide",
    "repair_decision_due",
    "repair_propose",
    "repair_record_at_source",
    "registration_reject",
    "service_request_advance",
    "service_request_submit",
]
