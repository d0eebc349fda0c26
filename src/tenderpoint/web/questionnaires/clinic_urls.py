"""Included under /clinic/questionnaires/: the urgent flags list and the clinic's schedule."""

from django.urls import path

from tenderpoint.web.questionnaires import staff_views

app_name = "questionnaires_clinic"

urlpatterns = [
    path("flags/", staff_views.FlagListView.as_view(), name="flags"),
    path("schedule/", staff_views.ScheduleView.as_view(), name="schedule"),
]
