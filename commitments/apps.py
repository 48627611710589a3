from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "信用承诺与用电申请"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from archives.models import EventRevocation
        from archives.signals import facts_changed, facts_imported
        from credit_portal.navigation import register_queue_count

        from . import measure_selectors, receivers, repair_selectors, selectors
        from .models import (
            CommitmentLetter,
            EnterpriseRegistration,
            MeasureTask,
            Objection,
            PowerApplication,
            RepairApplication,
            ValueAddedServiceRequest,
        )

        queues = {
            "registrations": (
                "commitments.confirm_enterpriseregistration", selectors.pending_registrations, [EnterpriseRegistration]
            ),
            "letters": ("commitments.review_commitmentletter", selectors.letters_awaiting_review, [CommitmentLetter]),
            # An objection waits for a supervisor while its revocation is pending.
            "objections": ("commitments.review_objection", selectors.objections_open, [Objection, EventRevocation]),
            "repairs": ("commitments.propose_repair", repair_selectors.repairs_open, [RepairApplication]),
            "measures": ("commitments.handle_measuretask", measure_selectors.measures_open, [MeasureTask]),
            # One queue page holds the applications and the value-added service requests: one number.
            "applications": (
                "commitments.handle_powerapplication",
                lambda: [selectors.applications_open(), selectors.service_requests_open()],
                [PowerApplication, ValueAddedServiceRequest],
            ),
        }  # fmt: skip
        for key, (permission, queue, models) in queues.items():
            register_queue_count(key, permission=permission, queryset=queue, changed_by=models)
        # The archive announces recorded and revoked events; an accepted letter is breached or restored.
        facts_changed.connect(receivers.letters_when_event_changed, dispatch_uid="commitments.breach")
        facts_imported.connect(receivers.letters_when_facts_imported, dispatch_uid="commitments.breach_imported")
        # An event with an open objection is shown and shared as 异议中 (archives.selectors).
        from archives.hooks import objected_events

        objected_events.register(selectors.objected_event_ids)
        # The measures for red and black follow the level in force (work items of the hall's queue).
        from ratings.signals import level_changed

        level_changed.connect(receivers.measures_when_level_changed, dispatch_uid="commitments.measures")
        # An override that raises a level names the objection or repair it rests on (ratings asks).
        from ratings.hooks import override_basis

        from .override_basis import override_basis_describe

        override_basis.register(override_basis_describe)
        # A temporary password from the hall: the session remembers it must be changed first.
        user_logged_in.connect(receivers.password_change_on_login, dispatch_uid="commitments.password_change")

        from archives.services.jobs import register_file_job
        from credit_portal.retention import register_retention

        from .data_export import enterprise_data_build
        from .services import accounts

        # Anyone signed in downloads the data about itself (and, once bound, its enterprise's): only its own.
        register_file_job(
            accounts.DATA_EXPORT_KIND, permission=lambda user: user.is_authenticated, builder=enterprise_data_build
        )
        register_retention("registrations", accounts.registrations_expire)
        register_retention("registration_history", accounts.registration_history_forget)
        register_retention("password_codes", accounts.password_codes_forget)
        register_retention("data_downloads", accounts.data_exports_forget)
