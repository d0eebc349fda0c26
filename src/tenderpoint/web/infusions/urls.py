"""The console's URLs beneath ``/patients/<public_id>/`` (a contract: outside checks call them)."""

from django.urls import path

from tenderpoint.web.infusions import views

app_name = "console"

P = "<uuid:patient_id>/"

urlpatterns = [
    path(P + "problems/", views.ProblemsView.as_view(), name="problems"),
    path(P + "medications/", views.MedicationsView.as_view(), name="medications"),
    path(
        P + "contraindications/new/", views.ContraindicationView.as_view(), name="contraindications"
    ),
    path(P + "courses/", views.CoursesView.as_view(), name="courses"),
    path(P + "appointments/", views.AppointmentsView.as_view(), name="appointments"),
    path(P + "infusions/plan/", views.PlanCreateView.as_view(), name="plan_new"),
    path(P + "infusions/plans/<uuid:plan_id>/", views.PlanDetailView.as_view(), name="plan"),
    path(P + "sessions/", views.SessionListView.as_view(), name="sessions"),
    path(P + "sessions/<uuid:session_id>/", views.SessionView.as_view(), name="session"),
]
