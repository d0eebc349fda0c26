from django.urls import path

from tenderpoint.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("clinic/", views.ClinicSettingsView.as_view(), name="clinic_settings"),
    path("clinic/staff/", views.StaffListView.as_view(), name="staff"),
    path(
        "clinic/staff/<int:membership_id>/role/",
        views.StaffChangeRoleView.as_view(),
        name="staff_role",
    ),
    path(
        "clinic/staff/<int:membership_id>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff_deactivate",
    ),
]
