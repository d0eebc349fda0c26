from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from tenderpoint.web.accounts import views as account_views
from tenderpoint.web.api import views as api_views
from tenderpoint.web.common import views as common_views
from tenderpoint.web.infusions import clinic_views
from tenderpoint.web.public import views as public_views

urlpatterns = [
    path("home/", clinic_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("robots.txt", public_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("session/keepalive/", common_views.keepalive, name="keepalive"),
    path("accounts/api-tokens/", include("tenderpoint.web.api.token_urls")),
    path("accounts/enrol/", account_views.mfa_enrolment_needed, name="mfa_enrolment_needed"),
    path("accounts/enrol/<str:token>/", account_views.mfa_invitation, name="mfa_invitation"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("tenderpoint.web.portal.urls")),
    path("patients/", include("tenderpoint.web.patients.urls")),
    path("clinic/messages/", include("tenderpoint.web.messaging.clinic_urls")),
    path("clinic/questionnaires/", include("tenderpoint.web.questionnaires.clinic_urls")),
    path("patients/", include("tenderpoint.web.assessments.urls")),
    path("patients/", include("tenderpoint.web.infusions.urls")),
    path("clinic/", include("tenderpoint.web.infusions.clinic_urls")),
    path("clinic/outcomes/", include("tenderpoint.web.outcomes.urls")),
    path("manage/", include("tenderpoint.web.accounts.urls")),
    path("manage/api-clients/", include("tenderpoint.web.api.client_urls")),
    path("manage/audit/", include("tenderpoint.web.audit.urls")),
    path("manage/contact/", include("tenderpoint.web.public.urls")),
    # One sign-in for everything: allauth's, which asks staff for their second factor. The
    # admin sites' own log-in forms would skip it.
    path("fhir/", include("tenderpoint.web.api.urls")),
    path("clinic/exports/", include("tenderpoint.web.api.export_urls")),
    path(".well-known/smart-configuration", api_views.smart_configuration, name="smart_config"),
    path("operator/login/", common_views.admin_login, name="operator_login"),
    path("cms/login/", common_views.admin_login, name="cms_login"),
    path("_util/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("operator/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The public site (Wagtail pages) answers every other path.
    path("", include(wagtail_urls)),
]

handler400 = "tenderpoint.web.common.views.bad_request"
handler403 = "tenderpoint.web.common.views.permission_denied"
handler404 = "tenderpoint.web.common.views.page_not_found"
handler500 = "tenderpoint.web.common.views.server_error"
