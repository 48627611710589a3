from django.urls import path

from . import views, views_imports

app_name = "archives"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/export.xlsx", views.customer_export, name="customer_export"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<str:uscc>/", views.customer_detail, name="customer_detail"),
    path("customers/<str:uscc>/history/", views.customer_history, name="customer_history"),
    path("customers/<str:uscc>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<str:uscc>/identity/", views.identity_reveal, name="identity_reveal"),
    path("customers/<str:uscc>/accounts/new/", views.account_create, name="account_create"),
    path("customers/<str:uscc>/events/new/", views.event_create, name="event_create"),
    path("customers/<str:uscc>/reports/new/", views.report_upload, name="report_upload"),
    path("customers/<str:uscc>/information/new/", views.information_create, name="information_create"),
    path("accounts/<str:number>/edit/", views.account_edit, name="account_edit"),
    path("events/<int:event_id>/revocation/", views.revocation_request, name="revocation_request"),
    path("revocations/", views.revocation_list, name="revocation_list"),
    path("revocations/<int:revocation_id>/", views.revocation_decide, name="revocation_decide"),
    path("reports/", views.report_queue, name="report_queue"),
    path("reports/<int:report_id>/verify/", views.report_verify, name="report_verify"),
    path("files/<str:kind>/<int:pk>/", views.private_file, name="private_file"),
    path("jobs/<int:job_id>/", views.file_job, name="file_job"),
    path("jobs/<int:job_id>/download/", views.file_job_download, name="file_job_download"),
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/<int:job_id>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:job_id>/start/", views_imports.import_start, name="import_start"),
    path("imports/sample/<str:kind>.csv", views_imports.import_sample, name="import_sample"),
]
