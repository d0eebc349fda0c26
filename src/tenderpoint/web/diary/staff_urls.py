"""Included under /patients/<uuid:patient_id>/diary/."""

from django.urls import path

from tenderpoint.web.diary import staff_views

app_name = "diary_staff"

urlpatterns = [path("", staff_views.StaffDiaryView.as_view(), name="list")]
