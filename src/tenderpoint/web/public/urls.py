from django.urls import path

from tenderpoint.web.public import views

app_name = "public"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<uuid:request_id>/", views.InboxDetailView.as_view(), name="inbox_detail"),
]
