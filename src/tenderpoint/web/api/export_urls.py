from django.urls import path

from tenderpoint.web.api import csv_exports

app_name = "exports"

# The views are ``ClinicView``s: sign-in, the permission and the audit are the mixin's.
urlpatterns = [
    path("outcomes.csv", csv_exports.outcomes_csv, name="outcomes_csv"),
    path("sessions.csv", csv_exports.sessions_csv, name="sessions_csv"),
    path("questionnaires.csv", csv_exports.questionnaires_csv, name="questionnaires_csv"),
]
