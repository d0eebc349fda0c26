from django.urls import path

from tenderpoint.web.outcomes import views

app_name = "clinic_outcomes"

urlpatterns = [
    path("", views.ClinicOutcomesView.as_view(), name="dashboard"),
    path("<uuid:snapshot_id>/export.csv", views.SnapshotExportView.as_view(), name="export"),
    path("<uuid:snapshot_id>/review/", views.SnapshotReviewView.as_view(), name="review"),
]
