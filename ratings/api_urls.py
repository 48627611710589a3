"""Rating endpoints of the REST API, mounted under /api/ by credit_portal.api_urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("customers/<str:uscc>/rating/", api.CustomerRatingApi.as_view(), name="customer-rating"),
    path(
        "customers/<str:uscc>/rating/history/",
        api.CustomerRatingHistoryApi.as_view(),
        name="customer-rating-history",
    ),
]
