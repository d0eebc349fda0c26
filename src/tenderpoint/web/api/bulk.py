"""FHIR Bulk Data Access: kick-off, status polling, file download, cancel.

Only a system client (``system/*.read``, approved by a clinician of its clinic) may export, and
only its own clinic: ``/fhir/$export`` and ``/fhir/Group/<clinic slug>/$export`` both cover the
clinic's patients. The job runs as a background task; files expire 24 h after completion.
"""

from __future__ import annotations

import shutil

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tenderpoint.interop.fhir.search import FhirSearchError, parse_date
from tenderpoint.web.api import exporting
from tenderpoint.web.api.models import BulkExport, ExportStatus
from tenderpoint.web.api.principal import Principal
from tenderpoint.web.api.responses import fhir_response, outcome_response
from tenderpoint.web.api.tasks import run_bulk_export
from tenderpoint.web.api.views import FHIR_API_PUBLIC_REASON, fhir_view
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import public_view

KICK_OFF_PARAMETERS = ("_type", "_since", "_outputFormat")
NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")


def _types(principal: Principal, value: str | None) -> list[str]:
    if not value:
        wanted = list(exporting.EXPORT_TYPES)
    else:
        wanted = [t.strip() for t in value.split(",") if t.strip()]
        unknown = [t for t in wanted if t not in exporting.EXPORT_TYPES]
        if unknown:
            raise FhirSearchError(
                f"_type: {', '.join(unknown)} cannot be exported (exportable: "
                f"{', '.join(exporting.EXPORT_TYPES)})",
                parameter="_type",
            )
    return [t for t in wanted if principal.allows(t)]


def _check_kick_off(request: HttpRequest, principal: Principal) -> HttpResponse | None:
    if principal.context != "system" or principal.client is None:
        return outcome_response(
            403, "$export needs a system client's token (system/*.read)", code="forbidden"
        )
    if "respond-async" not in request.headers.get("prefer", ""):
        return outcome_response(400, "$export needs the header Prefer: respond-async")
    for name in request.GET:
        if name not in KICK_OFF_PARAMETERS:
            raise FhirSearchError(
                f"unknown or unsupported $export parameter {name!r} "
                f"(supported: {', '.join(KICK_OFF_PARAMETERS)})",
                parameter=name,
                code="not-supported",
            )
    output_format = request.GET.get("_outputFormat")
    if output_format and output_format not in NDJSON_FORMATS:
        raise FhirSearchError("_outputFormat: only NDJSON is written", parameter="_outputFormat")
    return None


@public_view(FHIR_API_PUBLIC_REASON)
@fhir_view
@require_http_methods(["GET"])
def kick_off(request: HttpRequest, principal: Principal, group: str | None = None) -> HttpResponse:
    refused = _check_kick_off(request, principal)
    if refused is not None:
        return refused
    assert principal.client is not None  # noqa: S101  (checked just above)
    clinic = principal.client.clinic
    if group is not None and group != clinic.slug:
        return outcome_response(404, f"Group/{group} is not known", code="not-found")
    since = None
    if request.GET.get("_since"):
        since = parse_date("_since", request.GET["_since"]).start
    exporting.purge_expired()
    export = BulkExport.objects.create(
        clinic=clinic,
        client=principal.client,
        request_url=request.build_absolute_uri()[:1000],
        types=_types(principal, request.GET.get("_type")),
        since=since,
        requested_at=exporting.now(),
    )
    audit.record(
        Action.EXPORT,
        request=request,
        object_type="fhir.$export",
        object_id=str(export.public_id),
        detail={**principal.audit_detail(), "types": export.types, "clinic": clinic.slug},
    )
    run_bulk_export.enqueue(export.pk)
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(
        reverse("api:export_status", kwargs={"export_id": export.public_id})
    )
    return response


def _own_export(principal: Principal, export_id: str) -> BulkExport | None:
    if principal.client is None:
        return None
    return BulkExport.objects.filter(public_id=export_id, client=principal.client).first()


@public_view(FHIR_API_PUBLIC_REASON)
@fhir_view
@require_http_methods(["GET", "DELETE"])
def status(request: HttpRequest, principal: Principal, export_id: str) -> HttpResponse:
    export = _own_export(principal, export_id)
    if export is None:
        return outcome_response(404, "no such export", code="not-found")
    if request.method == "DELETE":
        if export.status in (ExportStatus.ACCEPTED, ExportStatus.RUNNING, ExportStatus.COMPLETE):
            BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.CANCELLED)
            shutil.rmtree(exporting.export_dir(export), ignore_errors=True)
            return HttpResponse(status=202)
        return outcome_response(404, "the export is no longer running", code="not-found")
    if export.status in (ExportStatus.ACCEPTED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = export.status
        response["Retry-After"] = "5"
        return response
    if export.status == ExportStatus.FAILED:
        return outcome_response(500, f"the export failed: {export.error}", code="exception")
    if export.status == ExportStatus.CANCELLED or (
        export.expires_at is not None and export.expires_at <= exporting.now()
    ):
        return outcome_response(404, "the export has expired or was cancelled", code="not-found")
    manifest = {
        "transactionTime": export.requested_at.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": item["type"],
                "url": request.build_absolute_uri(
                    reverse(
                        "api:export_file",
                        kwargs={"export_id": export.public_id, "resource_type": item["type"]},
                    )
                ),
                "count": item["count"],
            }
            for item in export.output
        ],
        "error": [],
    }
    return fhir_response(manifest)


@public_view(FHIR_API_PUBLIC_REASON)
@fhir_view
@require_http_methods(["GET"])
def download(
    request: HttpRequest, principal: Principal, export_id: str, resource_type: str
) -> HttpResponse:
    export = _own_export(principal, export_id)
    path = None
    live = (
        export is not None
        and export.status == ExportStatus.COMPLETE
        and export.expires_at is not None
        and export.expires_at > exporting.now()
    )
    if live and resource_type in exporting.EXPORT_TYPES:
        candidate = exporting.export_dir(export) / f"{resource_type}.ndjson"
        if candidate.exists():
            path = candidate
    if path is None:
        return outcome_response(404, "no such file, or it has expired", code="not-found")
    audit.record(
        Action.EXPORT,
        request=request,
        object_type="fhir.$export.file",
        object_id=str(export.public_id),
        detail={**principal.audit_detail(), "type": resource_type},
    )
    return FileResponse(path.open("rb"), content_type="application/fhir+ndjson")
