from django.contrib.auth.decorators import login_required
from django.urls import path

from tenderpoint.web.api import csv_exports

app_name = "exports"

urlpatterns = [
    path("outcomes.csv", login_required(csv_exports.outcomes_csv), name="outcomes_csv"),
    path("sessions.csv", login_required(csv_exports.sessions_csv), name="sessions_csv"),
    path(
        "questionnaires.csv",
        login_required(csv_exports.questionnaires_csv),
        name="questionnaires_csv",
    ),
]
