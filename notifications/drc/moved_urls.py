"""The officers' pages' old place, /notifications/drc/ (mounted by credit_portal.urls): links and
bookmarks redirect to /drc/ (`views.moved_to_drc`)."""

from django.urls import re_path

from . import views

urlpatterns = [re_path(r"^(?P<rest>.*)$", views.moved_to_drc)]
