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
        "clinic/staff/<int:membership_id>/invite-mfa/",
        views.StaffInviteEnrolmentView.as_view(),
        name="staff_invite_mfa",
    ),
    path(
        "clinic/staff/<int:membership_id>/request-mfa-reset/",
        views.StaffRequestMFAResetView.as_view(),
        name="staff_request_mfa_reset",
    ),
    path(
        "clinic/mfa-resets/<int:reset_id>/approve/",
        views.MFAResetApproveView.as_view(),
        name="mfa_reset_approve",
    ),
    path(
        "clinic/staff/<int:membership_id>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff_deactivate",
    ),
]
