from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "提醒、告知与报送"

    def ready(self) -> None:
        # Ratings announces level changes; notifications writes the notices they call for.
        from ratings.signals import customer_rerated, level_changed

        from . import receivers

        level_changed.connect(receivers.notices_when_level_changed, dispatch_uid="notifications.notices")
        customer_rerated.connect(receivers.letters_when_event_revoked, dispatch_uid="notifications.revoked")
        customer_rerated.connect(receivers.notices_when_event_counts, dispatch_uid="notifications.event_told")

        # An import announces its customers after writing; ratings (connected first) re-rates them.
        from archives.signals import facts_imported

        facts_imported.connect(receivers.notices_when_events_imported, dispatch_uid="notifications.imported_told")

        from archives.services.jobs import register_file_job
        from credit_portal.navigation import register_queue_count

        from . import selectors
        from .services.work import letters_print_build

        register_file_job("letters", permission="notifications.work_notices", builder=letters_print_build)

        from commitments.data_export import register_data_section
        from credit_portal.retention import register_retention

        from .services.personal_data import message_recipients_forget, notices_of

        register_data_section("notices", notices_of)  # the enterprise's download lists what it was told
        register_retention("message_recipients", message_recipients_forget)

        from credit_portal.signals import enterprise_message

        from .services.direct import direct_message_record

        enterprise_message.connect(
            lambda sender, **message: direct_message_record(**message),
            dispatch_uid="notifications.enterprise_message",
            weak=False,
        )

        from credit_portal.metrics import register_metrics

        from .metrics import outbox_metrics

        register_metrics("outbox", outbox_metrics)

        from .models import Notice

        # Staff's own work on notices (a call recorded, letters printed) is a model save; the workers'
        # sends are conditional UPDATEs and show within NAV_COUNT_SECONDS.
        for key, queue in {
            "calls": selectors.call_queue,
            "letters_to_print": lambda: selectors.letter_queue(state="to_print"),
            "failed": selectors.failed_notices,
        }.items():
            register_queue_count(key, permission="notifications.view_notice", queryset=queue, changed_by=[Notice])
