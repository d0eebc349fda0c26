from django.urls import path

from tenderpoint.web.infusions import clinic_views

app_name = "clinic"

urlpatterns = [
    path(
        "controlled-substances/",
        clinic_views.controlled_substance_log,
        name="controlled_substances",
    ),
    path("console-settings/", clinic_views.console_settings, name="console_settings"),
    path("prescribers/", clinic_views.prescribers, name="prescribers"),
]
