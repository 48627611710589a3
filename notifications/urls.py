from django.urls import path

from . import views

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
    path("reports-running-out/", views.reports_running_out, name="reports_running_out"),
    path("mine/", views.my_notices, name="my_notices"),
]
