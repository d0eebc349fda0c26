"""Included under /clinic/messages/: the clinic's message inbox."""

from django.urls import path

from tenderpoint.web.messaging import staff_views

app_name = "messaging_clinic"

urlpatterns = [
    path("", staff_views.InboxView.as_view(), name="inbox"),
    path("<uuid:patient_id>/", staff_views.UpdateThreadView.as_view(), name="update"),
]
