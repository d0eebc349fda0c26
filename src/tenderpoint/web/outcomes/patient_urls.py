from django.urls import path

from tenderpoint.web.outcomes import views

app_name = "patient_outcomes"

urlpatterns = [
    path("", views.PatientOutcomesView.as_view(), name="detail"),
]
