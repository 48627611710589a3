from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "信用承诺与用电申请"

    def ready(self) -> None:
        # The archive announces recorded and revoked events; an accepted letter is breached or restored.
        from archives.signals import credit_event_changed

        from . import receivers

        credit_event_changed.connect(receivers.letters_when_event_changed, dispatch_uid="commitments.breach")
