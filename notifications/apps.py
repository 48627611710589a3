from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "提醒、告知与报送"

    def ready(self) -> None:
        # Ratings announces level changes; notifications writes the notices they call for.
        from archives.signals import credit_event_changed
        from ratings.signals import level_changed

        from . import receivers

        level_changed.connect(receivers.notices_when_level_changed, dispatch_uid="notifications.notices")
        credit_event_changed.connect(receivers.letters_when_event_revoked, dispatch_uid="notifications.revoked")
