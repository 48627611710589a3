from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "信用承诺与用电申请"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from archives.signals import credit_event_changed, facts_imported
        from credit_portal.navigation import register_queue_count

        from . import receivers, repair_selectors, selectors

        queues = {
            "registrations": ("commitments.confirm_enterpriseregistration", selectors.pending_registrations),
            "letters": ("commitments.review_commitmentletter", selectors.letters_awaiting_review),
            "objections": ("commitments.review_objection", selectors.objections_open),
            "repairs": ("commitments.propose_repair", repair_selectors.repairs_open),
        }
        for key, (permission, queue) in queues.items():
            register_queue_count(key, permission=permission, count=lambda queue=queue: queue().count())
        # One queue page holds the applications and the value-added service requests: one number.
        register_queue_count(
            "applications",
            permission="commitments.handle_powerapplication",
            count=lambda: selectors.application_queue().count() + selectors.service_request_queue().count(),
        )
        # The archive announces recorded and revoked events; an accepted letter is breached or restored.
        credit_event_changed.connect(receivers.letters_when_event_changed, dispatch_uid="commitments.breach")
        facts_imported.connect(receivers.letters_when_facts_imported, dispatch_uid="commitments.breach_imported")
        # An event with an open objection is shown and shared as 异议中 (archives.selectors).
        from archives.publication import register_objected_events

        register_objected_events(selectors.objected_event_ids)
        # A temporary password from the hall: the session remembers it must be changed first.
        user_logged_in.connect(receivers.password_change_on_login, dispatch_uid="commitments.password_change")
