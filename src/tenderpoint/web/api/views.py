"""The FHIR R4 API: metadata, SMART configuration, read and search. Bulk export: ``bulk.py``.

Every request is authorised by its bearer token (``principal.resolve``) and every read or
search writes an audit event like a page view, naming the patient(s) returned.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from functools import wraps
from importlib.metadata import version
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from tenderpoint.interop.fhir.capability import capability_statement
from tenderpoint.interop.fhir.search import FhirSearchError, Search, parse_search, searchset
from tenderpoint.web.api.principal import Forbidden, NotAuthenticated, Principal, resolve
from tenderpoint.web.api.responses import fhir_response, outcome_response
from tenderpoint.web.api.sources import PROVIDERS, owner_patient_id, published_questionnaires
from tenderpoint.web.audit import services as audit
from tenderpoint.web.audit.choices import Action
from tenderpoint.web.common.access import public_view
from tenderpoint.web.patients.models import Patient

RELEASED = "2026-11-30"

#: Why the token-authenticated views are not ``AccessPolicyView``s: they take no session, and
#: ``fhir_view`` decides per token (SMART scopes over the same access rule) and audits.
FHIR_API_PUBLIC_REASON = (
    "bearer-token FHIR API: access decided per token by tenderpoint.web.api "
    "(SMART scopes, the same access rule), audited per read; see tests/web/api"
)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api:base"))


def fhir_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the token first; turn our errors into OperationOutcomes (never a 500)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            principal = resolve(request)
        except NotAuthenticated as error:
            audit.record(
                Action.DENIED, request=request, object_type="fhir", detail={"reason": str(error)}
            )
            return outcome_response(401, str(error), code="login")
        except Forbidden as error:
            audit.record(
                Action.DENIED, request=request, object_type="fhir", detail={"reason": str(error)}
            )
            return outcome_response(403, str(error), code="forbidden")
        if principal.user is not None:
            request.user = principal.user  # the audit trail names the token's user
        try:
            return view(request, principal, *args, **kwargs)
        except FhirSearchError as error:
            return outcome_response(400, str(error), code=error.code, expression=error.parameter)

    return wrapper


@public_view("the CapabilityStatement holds no patient data; FHIR clients read it first")
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement; public, as FHIR clients read it before they authenticate."""
    return fhir_response(
        capability_statement(
            base_url=base_url(request),
            software_version=version("tenderpoint"),
            released=RELEASED,
            token_url=request.build_absolute_uri(reverse("api:oauth2_provider:token")),
            authorize_url=request.build_absolute_uri(reverse("api:oauth2_provider:authorize")),
        )
    )


@public_view("SMART discovery document: endpoints and scopes, no patient data")
@require_GET
def smart_configuration(request: HttpRequest) -> JsonResponse:
    """SMART App Launch discovery (``/.well-known/smart-configuration``)."""
    return JsonResponse(
        {
            "issuer": base_url(request),
            "authorization_endpoint": request.build_absolute_uri(
                reverse("api:oauth2_provider:authorize")
            ),
            "token_endpoint": request.build_absolute_uri(reverse("api:oauth2_provider:token")),
            "revocation_endpoint": request.build_absolute_uri(
                reverse("api:oauth2_provider:revoke-token")
            ),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "scopes_supported": ["patient/*.read", "user/*.read", "system/*.read"],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "capabilities": [
                "launch-standalone",
                "client-public",
                "client-confidential-symmetric",
                "permission-patient",
                "permission-user",
                "permission-v1",
            ],
        }
    )


def _check_type(principal: Principal, resource_type: str) -> HttpResponse | None:
    if resource_type != "Questionnaire" and resource_type not in PROVIDERS:
        return outcome_response(
            404, f"{resource_type} is not a resource type served here", code="not-supported"
        )
    if not principal.allows(resource_type):
        return outcome_response(
            403, f"the token's scopes do not include {resource_type}", code="forbidden"
        )
    return None


def _query_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.GET.lists() for value in values]


def _narrow_to_patient(principal: Principal, search: Search, resource_type: str) -> Any:
    patients = principal.patients()
    if search.patient is not None:
        try:
            return patients.filter(public_id=uuid.UUID(search.patient))
        except ValueError:
            raise FhirSearchError(
                f"patient={search.patient!r} is not a patient id", parameter="patient"
            ) from None
    if resource_type != "Patient" and principal.context != "patient":
        raise FhirSearchError(
            f"a {resource_type} search needs patient=<id> (whole-clinic extracts go through "
            "$export)",
            parameter="patient",
            code="too-costly",
        )
    return patients


def _page_url(request: HttpRequest, offset: int) -> str:
    pairs = [(k, v) for k, v in _query_pairs(request) if k != "_offset"]
    pairs.append(("_offset", str(offset)))
    return request.build_absolute_uri(f"{request.path}?{urlencode(pairs)}")


@public_view(FHIR_API_PUBLIC_REASON)
@fhir_view
def search(request: HttpRequest, principal: Principal, resource_type: str) -> HttpResponse:
    refused = _check_type(principal, resource_type)
    if refused is not None:
        return refused
    query = parse_search(resource_type, _query_pairs(request))
    if resource_type == "Questionnaire":
        found = [q for q in published_questionnaires() if not query.ids or q["id"] in query.ids]
        page, more = found[query.offset : query.offset + query.count], False
        more = len(found) > query.offset + query.count
        patients_seen: set[str] = set()
    else:
        patients = _narrow_to_patient(principal, query, resource_type)
        results = PROVIDERS[resource_type].search(patients, query)
        try:
            window = list(islice(results, query.offset, query.offset + query.count + 1))
        finally:
            results.close()  # ends the streamed read before the audit event is written
        page, more = window[: query.count], len(window) > query.count
        patients_seen = {_subject_id(r) for r in page} - {None}
    _audit_search(request, principal, resource_type, page, patients_seen)
    next_url = _page_url(request, query.offset + query.count) if more else None
    return fhir_response(
        searchset(
            page,
            base_url=base_url(request),
            self_url=request.build_absolute_uri(),
            next_url=next_url,
        )
    )


def _subject_id(resource: dict[str, Any]) -> str | None:
    if resource["resourceType"] == "Patient":
        return resource["id"]
    if resource["resourceType"] == "Provenance":
        return None
    reference = resource.get("subject", {}).get("reference", "")
    return reference.removeprefix("Patient/") or None


def _audit_search(
    request: HttpRequest,
    principal: Principal,
    resource_type: str,
    page: list[dict[str, Any]],
    patient_ids: set[str],
) -> None:
    patient = None
    if len(patient_ids) == 1:
        patient = Patient.objects.filter(public_id=next(iter(patient_ids))).first()
    audit.record(
        Action.VIEW,
        request=request,
        object_type=f"fhir.{resource_type}",
        object_id="search",
        patient=patient,
        detail={
            **principal.audit_detail(),
            "results": len(page),
            "patients": sorted(patient_ids),
        },
    )


@public_view(FHIR_API_PUBLIC_REASON)
@fhir_view
def read(
    request: HttpRequest, principal: Principal, resource_type: str, resource_id: str
) -> HttpResponse:
    refused = _check_type(principal, resource_type)
    if refused is not None:
        return refused
    if resource_type == "Questionnaire":
        for questionnaire in published_questionnaires():
            if questionnaire["id"] == resource_id:
                audit.record(
                    Action.VIEW,
                    request=request,
                    object_type="fhir.Questionnaire",
                    object_id=resource_id,
                    detail=principal.audit_detail(),
                )
                return fhir_response(questionnaire)
        return outcome_response(404, f"Questionnaire/{resource_id} is not known", code="not-found")
    provider = PROVIDERS[resource_type]
    found = provider.read(principal.patients(), resource_id)
    if found is None:
        # Tell a refusal from a miss in the audit trail only, never in the answer.
        hidden = provider.read(Patient.objects.all(), resource_id)
        if hidden is not None:
            audit.record(
                Action.DENIED,
                request=request,
                object_type=f"fhir.{resource_type}",
                object_id=resource_id[:64],
                patient=Patient.objects.filter(public_id=owner_patient_id(hidden[1])).first(),
                detail=principal.audit_detail(),
            )
        return outcome_response(
            404, f"{resource_type}/{resource_id} is not known", code="not-found"
        )
    resource, owner = found
    audit.record(
        Action.VIEW,
        request=request,
        object_type=f"fhir.{resource_type}",
        object_id=resource_id[:64],
        patient=Patient.objects.filter(public_id=owner_patient_id(owner)).first(),
        detail=principal.audit_detail(),
    )
    return fhir_response(resource)


@public_view("answers an OperationOutcome 404 for paths outside the API, reads nothing")
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    return outcome_response(404, f"/fhir/{path} is not part of this API", code="not-supported")


def now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)
