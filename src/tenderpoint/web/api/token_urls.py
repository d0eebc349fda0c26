from django.urls import path

from tenderpoint.web.api import token_views

app_name = "api_tokens"

urlpatterns = [
    path("new/", token_views.token_new, name="new"),
    path("<int:token_id>/revoke/", token_views.token_revoke, name="revoke"),
]
