"""Archive endpoints of the REST API, mounted under /api/ by credit_portal.api_urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("customers/", api.CustomerListApi.as_view(), name="customer-list"),
    path("customers/<str:uscc>/", api.CustomerDetailApi.as_view(), name="customer-detail"),
    path("customers/<str:uscc>/events/", api.CustomerEventListApi.as_view(), name="customer-events"),
    path("events/", api.EventCreateApi.as_view(), name="event-create"),
    path("events/<int:event_id>/revocation/", api.EventRevocationApi.as_view(), name="event-revocation"),
    path("revocations/<int:revocation_id>/decision/", api.RevocationDecisionApi.as_view(), name="revocation-decision"),
    path("reports/", api.ReportListApi.as_view(), name="report-list"),
]
