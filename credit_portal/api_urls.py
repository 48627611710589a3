"""The REST API under /api/: archives, ratings, token login, the OpenAPI schema and offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

app_name = "api"

urlpatterns = [
    path("", include("archives.api_urls")),
    path("", include("commitments.api_urls")),
    path("drc/", include("notifications.drc.api")),
    path("", include("ratings.api_urls")),
    path("token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
