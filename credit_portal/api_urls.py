"""The REST API under /api/: archives, ratings, token login, the OpenAPI schema and offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api import TokenApi

app_name = "api"

urlpatterns = [
    # The rating look-up first: the API's busiest call, resolved without trying the others' patterns.
    path("", include("ratings.api_urls")),
    path("", include("archives.api_urls")),
    path("", include("commitments.api_urls")),
    path("drc/", include("notifications.drc.api")),
    path("token/", TokenApi.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
