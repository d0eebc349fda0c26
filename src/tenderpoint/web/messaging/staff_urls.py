"""Included under /patients/<uuid:patient_id>/messages/."""

from django.urls import path

from tenderpoint.web.messaging import staff_views

app_name = "messaging_staff"

urlpatterns = [path("", staff_views.StaffThreadView.as_view(), name="thread")]
