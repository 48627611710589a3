from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "信用等级评定"

    def ready(self) -> None:
        from credit_portal.navigation import register_queue_count

        from .models import LevelOverride, OverrideStatus

        register_queue_count(
            "overrides",
            permission="ratings.approve_override",
            count=lambda: LevelOverride.objects.filter(status=OverrideStatus.PENDING).count(),
        )
