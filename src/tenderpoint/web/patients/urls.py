from django.urls import path

from tenderpoint.web.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<uuid:patient_id>/", views.PatientDetailView.as_view(), name="detail"),
    path("<uuid:patient_id>/edit/", views.PatientEditView.as_view(), name="edit"),
]
