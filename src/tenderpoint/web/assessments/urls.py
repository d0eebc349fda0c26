from django.urls import path

from tenderpoint.web.assessments import views

app_name = "assessments"

urlpatterns = [
    path(
        "<uuid:patient_id>/assessments/criteria/new/",
        views.AssessmentCreateView.as_view(),
        name="criteria_new",
    ),
    path(
        "<uuid:patient_id>/assessments/<uuid:assessment_id>/",
        views.AssessmentDetailView.as_view(),
        name="detail",
    ),
]
