from django.urls import path

from tenderpoint.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("clinic/", views.clinic_settings, name="clinic_settings"),
    path("clinic/staff/", views.staff_list, name="staff"),
    path("clinic/staff/<int:membership_id>/role/", views.staff_change_role, name="staff_role"),
    path(
        "clinic/staff/<int:membership_id>/deactivate/",
        views.staff_deactivate,
        name="staff_deactivate",
    ),
]
