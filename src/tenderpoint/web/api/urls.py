from django.urls import include, path, re_path
from oauth2_provider import urls as oauth2_urls

from tenderpoint.web.api import bulk, views

app_name = "api"

TYPE = r"(?P<resource_type>[A-Z][A-Za-z]+)"

urlpatterns = [
    path("", views.unknown, {"path": ""}, name="base"),
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", views.smart_configuration, name="smart_config_base"),
    path(
        "auth/",
        include((oauth2_urls.base_urlpatterns, "oauth2_provider"), namespace="oauth2_provider"),
    ),
    path("$export", bulk.kick_off, name="export"),
    path("Group/<slug:group>/$export", bulk.kick_off, name="group_export"),
    path("$export-status/<uuid:export_id>", bulk.status, name="export_status"),
    re_path(
        r"^\$export-files/(?P<export_id>[0-9a-f-]{36})/" + TYPE + r"\.ndjson$",
        bulk.download,
        name="export_file",
    ),
    re_path(r"^" + TYPE + r"/?$", views.search, name="search"),
    re_path(r"^" + TYPE + r"/(?P<resource_id>[A-Za-z0-9\-\.]{1,64})$", views.read, name="read"),
    # any other path, control characters included, is a FHIR OperationOutcome (found by fuzzing)
    re_path(r"^(?P<path>(?s:.*))$", views.unknown),
]
