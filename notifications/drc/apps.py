from django.apps import AppConfig


class DrcConfig(AppConfig):
    """The DRC's room (发改委): the daily report and the officers' pages, an app of its own (label ``drc``).

    It lives inside the notifications folder for history's sake only: it imports nothing of the notices
    and they nothing of it (.importlinter); its tables keep their names (``notifications_drcreport…``).
    """

    name = "notifications.drc"
    label = "drc"
    verbose_name = "发改委报送与查询"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credit_portal.metrics import register_metrics

        from .metrics import drc_report_metrics

        register_metrics("drc_report", drc_report_metrics)
