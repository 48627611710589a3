"""Writes of the notifications app (see each module)."""

from .creation import letter_reissue, notices_for_rating_changes
from .letters import letter_compose, letter_pdf, letter_reference, letters_pdf
from .sending import backoff_seconds, notice_message, notice_send, notices_enqueue, notices_send, notices_sweep
from .work import (
    NOTHING_TO_PRINT,
    call_needs_other_channel,
    call_outcome_record,
    letter_delivery_record,
    letters_print,
    letters_to_print,
    notice_retry,
)

__all__ = [
    "NOTHING_TO_PRINT",
    "backoff_seconds",
    "call_needs_other_channel",
    "call_outcome_record",
    "letter_compose",
    "letter_delivery_record",
    "letter_pdf",
    "letter_reference",
    "letter_reissue",
    "letters_pdf",
    "letters_print",
    "letters_to_print",
    "notice_message",
    "notice_retry",
    "notice_send",
    "notices_enqueue",
    "notices_for_rating_changes",
    "notices_send",
    "notices_sweep",
]
