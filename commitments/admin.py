"""Read-only admin views: every write goes through the services, which audit it."""

from django.contrib import admin

from .models import (
    CommitmentLetter,
    EnterpriseRegistration,
    Objection,
    PowerApplication,
    PrivacyConsent,
    ValueAddedServiceRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EnterpriseRegistration)
class EnterpriseRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise_name", "phone", "customer", "status", "created_at")
    list_filter = ("status",)


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(ReadOnlyAdmin):
    list_display = ("user", "notice_version", "consented_at")


@admin.register(CommitmentLetter)
class CommitmentLetterAdmin(ReadOnlyAdmin):
    list_display = ("code", "customer", "committed_on", "status", "fulfilment")
    list_filter = ("status", "fulfilment")
    search_fields = ("code", "customer__uscc", "customer__name")


@admin.register(PowerApplication)
class PowerApplicationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "customer", "kind", "route", "status", "level_at_submission", "submitted_at")
    list_filter = ("status", "kind", "route")


@admin.register(ValueAddedServiceRequest)
class ValueAddedServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "customer", "service", "status", "submitted_at")
    list_filter = ("status", "service")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "customer", "event", "status", "submitted_at")
    list_filter = ("status",)
