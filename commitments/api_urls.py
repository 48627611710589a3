"""Enterprise-side endpoints of the REST API, mounted under /api/ by credit_portal.api_urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("registrations/", api.RegistrationListApi.as_view(), name="registration-list"),
    path("registrations/<int:pk>/decision/", api.RegistrationDecisionApi.as_view(), name="registration-decision"),
    path("commitment-letters/", api.LetterListApi.as_view(), name="letter-list"),
    path("commitment-letters/<int:pk>/", api.LetterDetailApi.as_view(), name="letter-detail"),
    path("commitment-letters/<int:pk>/decision/", api.LetterDecisionApi.as_view(), name="letter-decision"),
    path("public/commitment-letters/", api.PublicLetterListApi.as_view(), name="public-letter-list"),
    path("report-submissions/", api.ReportSubmissionApi.as_view(), name="report-submission"),
    path("applications/", api.ApplicationListApi.as_view(), name="application-list"),
    path("applications/queue/", api.ApplicationQueueApi.as_view(), name="application-queue"),
    path("applications/turnaround/", api.ApplicationTurnaroundApi.as_view(), name="application-turnaround"),
    path("applications/<int:pk>/", api.ApplicationDetailApi.as_view(), name="application-detail"),
    path("applications/<int:pk>/status/", api.ApplicationStatusApi.as_view(), name="application-status"),
    path("service-requests/", api.ServiceRequestListApi.as_view(), name="service-request-list"),
    path("service-requests/<int:pk>/status/", api.ServiceRequestStatusApi.as_view(), name="service-request-status"),
    path("objections/", api.ObjectionListApi.as_view(), name="objection-list"),
    path("objections/<int:pk>/", api.ObjectionDetailApi.as_view(), name="objection-detail"),
    path("objections/<int:pk>/review/", api.ObjectionReviewApi.as_view(), name="objection-review"),
    path("objections/<int:pk>/decision/", api.ObjectionDecisionApi.as_view(), name="objection-decision"),
    path("repairs/", api.RepairListApi.as_view(), name="repair-list"),
    path("repairs/at-source/", api.RepairAtSourceApi.as_view(), name="repair-at-source"),
    path("repairs/counts/", api.RepairCountsApi.as_view(), name="repair-counts"),
    path("repairs/<int:pk>/", api.RepairDetailApi.as_view(), name="repair-detail"),
    path("repairs/<int:pk>/proposal/", api.RepairProposalApi.as_view(), name="repair-proposal"),
    path("repairs/<int:pk>/decision/", api.RepairDecisionApi.as_view(), name="repair-decision"),
]
