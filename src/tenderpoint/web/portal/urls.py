"""The patient's own portal, under /me/. These URLs are a contract: keep the names."""

from django.urls import path

from tenderpoint.web.diary import views as diary
from tenderpoint.web.messaging import views as messaging
from tenderpoint.web.portal import views
from tenderpoint.web.questionnaires import views as questionnaires

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("diary/", diary.DiaryView.as_view(), name="diary"),
    path("diary/<uuid:entry_id>/edit/", diary.DiaryEntryEditView.as_view(), name="diary_edit"),
    path(
        "diary/<uuid:entry_id>/entered-in-error/",
        diary.DiaryEntryErrorView.as_view(),
        name="diary_error",
    ),
    path("questionnaires/", questionnaires.QuestionnaireListView.as_view(), name="questionnaires"),
    path(
        "questionnaires/<slug:instrument_id>/",
        questionnaires.QuestionnaireView.as_view(),
        name="questionnaire",
    ),
    path(
        "self-check/save/",
        questionnaires.SaveSelfCheckView.as_view(),
        name="save_self_check",
    ),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("messages/", messaging.PatientMessagesView.as_view(), name="messages"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("export.csv", views.ExportCsvView.as_view(), name="export_csv"),
    path("export.fhir.json", views.ExportFhirView.as_view(), name="export_fhir"),
]
