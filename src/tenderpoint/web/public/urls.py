from django.urls import path

from tenderpoint.web.public import views

app_name = "public"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.inbox_detail, name="inbox_detail"),
]
