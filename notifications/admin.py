from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ("id", "customer", "channel", "level", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status", "level", "delivery_status", "call_outcome")
    search_fields = ("customer__name", "customer__uscc", "reference")
    raw_id_fields = ("customer", "rating_change", "handled_by")
    readonly_fields = ("idempotency_key", "claim_token", "created_at", "sent_at", "failed_at", "payload", "body")
