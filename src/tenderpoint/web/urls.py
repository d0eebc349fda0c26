from django.contrib import admin
from django.urls import include, path

from tenderpoint.web.accounts import views as account_views
from tenderpoint.web.common import views as common_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("session/keepalive/", common_views.keepalive, name="keepalive"),
    path("accounts/", include("allauth.urls")),
    path("patients/", include("tenderpoint.web.patients.urls")),
    path("manage/", include("tenderpoint.web.accounts.urls")),
    path("manage/audit/", include("tenderpoint.web.audit.urls")),
    path("operator/", admin.site.urls),
]

handler400 = "tenderpoint.web.common.views.bad_request"
handler403 = "tenderpoint.web.common.views.permission_denied"
handler404 = "tenderpoint.web.common.views.page_not_found"
handler500 = "tenderpoint.web.common.views.server_error"
