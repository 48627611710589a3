"""Celery tasks of the notifications: thin, they take ids and call a service."""

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings
from django.db import DatabaseError

from credit_portal.retries import task_retry_options

from .backends import TransientSendError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # A gateway failure is retried per notice by the service (its attempts are counted in the row);
    # a database hiccup retries the whole batch, which is safe because sending is claimed per notice.
    **task_retry_options("notice", autoretry_for=(DatabaseError,)),
)
def notices_send_task(notice_ids: list[int]) -> None:
    """Send the notices with these ids; ids already sent, failed or claimed elsewhere are skipped."""
    from .services import notices_send

    notices_send(notice_ids=notice_ids)


@worker_init.connect
@worker_process_init.connect
def _prepare_pdf(**_kwargs) -> None:
    """Import WeasyPrint and make sure the cut font exists before the first letter is asked for."""
    if not settings.NOTIFICATION_PDF_WARM_UP:
        return
    try:
        import weasyprint  # noqa: F401

        from credit_portal.pdf import pdf_font_path

        pdf_font_path()
    except Exception:  # noqa: BLE001 - a worker without fonts still sends SMS; letters will report it
        import logging

        logging.getLogger(__name__).warning("PDF font not prepared", exc_info=True)


@shared_task(ignore_result=True)
def report_expiry_reminders_task() -> None:
    """Remind honest customers whose public credit report reaches one year in 30 days, or today."""
    from django.utils import timezone

    from .services.reminders import report_expiry_reminders

    report_expiry_reminders(today=timezone.localdate())


@shared_task(ignore_result=True)
def notices_sweep_task() -> None:
    """Re-queue notices left pending (broker down at commit) or stuck sending (worker killed); tell anew the
    records whose level-change notices were superseded before they went out."""
    from .services import notices_sweep
    from .services.direct import direct_messages_sweep
    from .services.events import events_retell

    events_retell()
    notices_sweep()
    direct_messages_sweep()


@shared_task(
    acks_late=True,
    ignore_result=True,
    **task_retry_options("direct_message", autoretry_for=(TransientSendError,)),
)
def direct_message_send_task(message_id: int, text: str | None = None) -> None:
    """Send one enterprise text (objection decision, reset code) by SMS; a missing row is a no-op."""
    from .services.direct import direct_message_send

    direct_message_send(message_id=message_id, text=text)
