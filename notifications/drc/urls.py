"""The DRC officers' pages (报送与查询), mounted under /drc/ by credit_portal.urls."""

from django.urls import path

from . import views

app_name = "drc"

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("build-today/", views.report_build_today, name="report_build_today"),
    path("reports/<str:report_date>/", views.report_detail, name="report_detail"),
    path("reports/<str:report_date>/files/<str:name>", views.report_file, name="report_file"),
    path("reports/<str:report_date>/download.zip", views.report_zip, name="report_zip"),
    path("archives/", views.archive_search, name="archives"),
    path("archives/<str:uscc>/information/new/", views.information_create, name="information_create"),
    path("letters/", views.letter_list, name="letters"),
]
