from django.urls import include, path

from tenderpoint.web.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<uuid:patient_id>/", views.PatientDetailView.as_view(), name="detail"),
    path("<uuid:patient_id>/edit/", views.PatientEditView.as_view(), name="edit"),
    path("<uuid:patient_id>/diary/", include("tenderpoint.web.diary.staff_urls")),
    path("<uuid:patient_id>/questionnaires/", include("tenderpoint.web.questionnaires.staff_urls")),
    path("<uuid:patient_id>/messages/", include("tenderpoint.web.messaging.staff_urls")),
]
