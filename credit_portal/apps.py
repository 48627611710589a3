from django.apps import AppConfig


class CreditPortalConfig(AppConfig):
    """The bottom layer: helpers every app may use, and the one table they share (repeated requests)."""

    name = "credit_portal"
    verbose_name = "门户公共"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .retention import login_records_forget, register_retention

        register_retention("login_records", login_records_forget)
