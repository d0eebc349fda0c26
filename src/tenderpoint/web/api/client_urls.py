from django.urls import path

from tenderpoint.web.api import token_views

app_name = "api_clients"

urlpatterns = [
    path("", token_views.client_list, name="list"),
    path("<uuid:client_id>/approve/", token_views.client_approve, name="approve"),
    path("<uuid:client_id>/revoke/", token_views.client_revoke, name="revoke"),
]
