"""Ratings pages; mounted at the site root so that the public standards page lives at /standards/."""

from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("standards/", views.standards, name="standards"),
    path("credit-services/", views.credit_services, name="credit_services"),
    path("ratings/what-if/<str:uscc>/", views.what_if, name="what_if"),
    path("ratings/dashboard/", views.dashboard, name="dashboard"),
    path("ratings/overrides/", views.override_list, name="override_list"),
    path("ratings/overrides/<int:pk>/", views.override_decide, name="override_decide"),
    path("ratings/overrides/<int:pk>/end/", views.override_end, name="override_end"),
    path("ratings/customers/<str:uscc>/override/", views.override_request, name="override_request"),
]
