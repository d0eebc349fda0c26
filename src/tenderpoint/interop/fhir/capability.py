"""The CapabilityStatement: exactly what the API serves (GET /fhir/metadata)."""

from __future__ import annotations

from typing import Any

from tenderpoint.interop.fhir.search import SEARCH_PARAMETERS

_TYPES = {
    "_id": "token",
    "patient": "reference",
    "code": "token",
    "category": "token",
    "date": "date",
}
SMART_SECURITY = "http://terminology.hl7.org/CodeSystem/restful-security-service"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


def capability_statement(
    *, base_url: str, software_version: str, released: str, token_url: str, authorize_url: str
) -> dict[str, Any]:
    """``released``: the date this statement describes (ISO date)."""
    resources = []
    for resource_type, params in SEARCH_PARAMETERS.items():
        search_params = [
            {"name": name, "type": _TYPES[name]} for name in params if name != "_id"
        ] + [
            {"name": "_id", "type": "token"},
            {"name": "_lastUpdated", "type": "date"},
        ]
        resources.append(
            {
                "type": resource_type,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": search_params,
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": released,
        "publisher": "tenderpoint",
        "kind": "instance",
        "software": {"name": "tenderpoint", "version": software_version},
        "implementation": {"description": "tenderpoint FHIR R4 API", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "extension": [
                        {
                            "url": OAUTH_URIS,
                            "extension": [
                                {"url": "token", "valueUri": token_url},
                                {"url": "authorize", "valueUri": authorize_url},
                            ],
                        }
                    ],
                    "service": [{"coding": [{"system": SMART_SECURITY, "code": "SMART-on-FHIR"}]}],
                    "description": "OAuth 2.0 bearer tokens with SMART scopes "
                    "(patient/*.read, user/*.read, system/*.read).",
                },
                "resource": resources,
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    },
                    {
                        "name": "group-export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                    },
                ],
            }
        ],
    }
