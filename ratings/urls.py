"""Ratings pages; mounted at the site root so that the public standards page lives at /standards/."""

from django.urls import path

from . import rule_set_views, views

app_name = "ratings"

urlpatterns = [
    path("standards/", views.standards, name="standards"),
    path("credit-services/", views.credit_services, name="credit_services"),
    path("ratings/what-if/<str:uscc>/", views.what_if, name="what_if"),
    path("ratings/dashboard/", views.dashboard, name="dashboard"),
    path("ratings/overrides/", views.override_list, name="override_list"),
    path("ratings/overrides/<int:pk>/", views.override_decide, name="override_decide"),
    path("ratings/overrides/<int:pk>/end/", views.override_end, name="override_end"),
    path("ratings/overrides/<int:pk>/document/", views.override_document, name="override_document"),
    path("ratings/customers/<str:uscc>/override/", views.override_request, name="override_request"),
    path("ratings/my-requests/", views.my_requests, name="my_requests"),
    path("ratings/decisions/", views.decision_history, name="decision_history"),
    path("ratings/rule-sets/", rule_set_views.rule_set_list, name="rule_set_list"),
    path("ratings/rule-sets/new/", rule_set_views.rule_set_new, name="rule_set_new"),
    path("ratings/rule-sets/<int:version>/", rule_set_views.rule_set_detail, name="rule_set_detail"),
    path("ratings/rule-sets/<int:version>/approve/", rule_set_views.rule_set_approve, name="rule_set_approve"),
    path("ratings/rule-sets/<int:version>/impact/", rule_set_views.impact_new, name="impact_new"),
    path("ratings/impacts/<int:pk>/", rule_set_views.impact_detail, name="impact_detail"),
    path(
        "ratings/impacts/<int:pk>/cells/<str:from_level>/<str:to_level>/",
        rule_set_views.impact_cell_view,
        name="impact_cell",
    ),
    path("ratings/impacts/<int:pk>/export.xlsx", rule_set_views.impact_export, name="impact_export"),
]
