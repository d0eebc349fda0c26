"""Included under /patients/<uuid:patient_id>/questionnaires/."""

from django.urls import path

from tenderpoint.web.questionnaires import staff_views

app_name = "questionnaires_staff"

urlpatterns = [path("", staff_views.StaffQuestionnairesView.as_view(), name="list")]
