from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import metrics, views

urlpatterns = [
    path("", include("commitments.home")),
    # Early: every API call (the rating look-up above all) is resolved before the pages' patterns are tried.
    path("api/", include("credit_portal.api_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("archives/", include("archives.urls")),
    path("notifications/drc/", include("notifications.drc.moved_urls")),
    path("notifications/", include("notifications.urls")),
    path("drc/", include("notifications.drc.urls")),
    path("", include("ratings.urls")),
    path("", include("commitments.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
    path("metrics", metrics.metrics),
]

handler400 = "credit_portal.views.bad_request"
handler403 = "credit_portal.views.permission_denied"
handler404 = "credit_portal.views.page_not_found"
handler500 = "credit_portal.views.server_error"
