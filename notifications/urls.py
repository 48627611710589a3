from django.urls import path

from . import views, views_drc

app_name = "notifications"

urlpatterns = [
    path("", views.queues, name="queues"),
    path("failed/", views.failed_list, name="failed_list"),
    path("<int:notice_id>/retry/", views.notice_retry, name="notice_retry"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/<int:notice_id>/", views.call_record, name="call_record"),
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/print/", views.letters_print, name="letters_print"),
    path("letters/<int:notice_id>/delivery/", views.letter_delivery, name="letter_delivery"),
    path("letters/<int:notice_id>.pdf", views.letter_pdf, name="letter_pdf"),
    path("templates/", views.message_templates, name="message_templates"),
    path("mine/", views.my_notices, name="my_notices"),
    # The DRC officers' side (报送与查询): views_drc
    path("drc/", views_drc.report_list, name="drc_reports"),
    path("drc/reports/<str:report_date>/", views_drc.report_detail, name="drc_report_detail"),
    path("drc/reports/<str:report_date>/files/<str:name>", views_drc.report_file, name="drc_report_file"),
    path("drc/reports/<str:report_date>/download.zip", views_drc.report_zip, name="drc_report_zip"),
    path("drc/archives/", views_drc.archive_search, name="drc_archives"),
    path("drc/archives/<str:uscc>/information/new/", views_drc.information_create, name="drc_information_create"),
    path("drc/letters/", views_drc.letter_list, name="drc_letters"),
]
