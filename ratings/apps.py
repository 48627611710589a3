from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "信用等级评定"

    def ready(self) -> None:
        from archives import signals

        from . import receivers

        signals.customer_facts_changed.connect(receivers.rerate_customer, dispatch_uid="ratings.rerate_customer")
