from django.apps import AppConfig


class CreditPortalConfig(AppConfig):
    """The bottom layer: helpers every app may use, and the one table they share (repeated requests)."""

    name = "credit_portal"
    verbose_name = "门户公共"
    default_auto_field = "django.db.models.BigAutoField"
