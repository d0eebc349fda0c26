from django.urls import path

from tenderpoint.web.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<uuid:patient_id>/", views.PatientDetailView.as_view(), name="detail"),
    path("<uuid:patient_id>/edit/", views.PatientEditView.as_view(), name="edit"),
]
