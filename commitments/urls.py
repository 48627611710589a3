"""Pages of the enterprise side; mounted at the site root by credit_portal.urls.

Public: /register/, /commitments/public/ (信用承诺公示), /commitments/report-guide/ (Annex 1).
Enterprise: /enterprise/… (the applicant's own enterprise, no id in the URL).
Staff, DRC and shared record pages: /commitments/….
"""

from django.urls import path

from . import views, views_enterprise, views_measures, views_repairs

app_name = "commitments"

urlpatterns = [
    # public
    path("register/", views_enterprise.register, name="register"),
    path("privacy/", views_enterprise.privacy_notice, name="privacy_notice"),
    path("password/change/", views_enterprise.password_change, name="password_change"),
    path("password/reset/", views_enterprise.password_code_request, name="password_reset"),
    path("password/reset/confirm/", views_enterprise.password_reset_confirm, name="password_reset_confirm"),
    path("commitments/public/", views.public_letters, name="public_letters"),
    path("commitments/report-guide/", views.report_guide, name="report_guide"),
    # the enterprise's own pages
    path("enterprise/", views_enterprise.enterprise_home, name="enterprise_home"),
    path("enterprise/privacy/", views_enterprise.privacy_home, name="privacy_home"),
    path("enterprise/privacy/close/", views_enterprise.account_close, name="account_close"),
    path("enterprise/letter.pdf", views_enterprise.letter_pdf, name="letter_pdf"),
    path("enterprise/letters/new/", views_enterprise.letter_upload, name="letter_upload"),
    path("enterprise/reports/new/", views_enterprise.report_upload, name="report_upload"),
    path("enterprise/applications/new/", views_enterprise.application_create, name="application_create"),
    path("enterprise/services/new/", views_enterprise.service_request_create, name="service_request_create"),
    path("enterprise/events/<int:event_id>/objection/", views_enterprise.objection_create, name="objection_create"),
    path("enterprise/objections/new/", views_enterprise.objection_new, name="objection_new"),
    path("enterprise/events/<int:event_id>/repair/", views_repairs.repair_create, name="repair_create"),
    path("enterprise/events/<int:event_id>/repair-commitment.pdf", views_repairs.repair_pdf, name="repair_pdf"),
    # records (shared by the enterprise and staff) and staff queues
    path("commitments/registrations/", views.registration_list, name="registration_list"),
    path("commitments/registrations/<int:pk>/", views.registration_decide, name="registration_decide"),
    path(
        "commitments/registrations/<int:pk>/password/",
        views.registration_password_reset,
        name="registration_password_reset",
    ),
    path("commitments/letters/", views.letter_list, name="letter_list"),
    path("commitments/letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("commitments/applications/", views.application_queue, name="application_queue"),
    path("commitments/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("commitments/services/<int:pk>/", views.service_request_detail, name="service_request_detail"),
    path("commitments/objections/", views.objection_list, name="objection_list"),
    path("commitments/objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("commitments/objections/counter/<str:uscc>/", views.objection_counter, name="objection_counter"),
    path("commitments/repairs/", views_repairs.repair_list, name="repair_list"),
    path("commitments/repairs/<int:pk>/", views_repairs.repair_detail, name="repair_detail"),
    path("commitments/repairs/counter/<int:event_id>/", views_repairs.repair_counter, name="repair_counter"),
    path(
        "commitments/repairs/counter/<int:event_id>/commitment.pdf",
        views_repairs.repair_counter_pdf,
        name="repair_counter_pdf",
    ),
    path("commitments/repairs/source/<int:event_id>/", views_repairs.repair_source, name="repair_source"),
    path("commitments/measures/", views_measures.measure_list, name="measure_list"),
    path("commitments/measures/<int:pk>/", views_measures.measure_detail, name="measure_detail"),
    path("commitments/reports/new/", views.officer_credit_report_upload, name="officer_credit_report_upload"),
    path("commitments/files/<str:kind>/<int:pk>/", views.private_file, name="private_file"),
]
