"""FHIR JSON responses and OperationOutcome errors."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from tenderpoint.interop.fhir.outcome import operation_outcome

FHIR_JSON = "application/fhir+json"


def fhir_response(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, separators=(",", ":"), default=str),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )


def outcome_response(
    status: int, diagnostics: str, *, code: str = "invalid", expression: str = ""
) -> HttpResponse:
    response = fhir_response(
        operation_outcome(diagnostics, code=code, expression=expression), status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="tenderpoint", error="invalid_token"'
    return response
