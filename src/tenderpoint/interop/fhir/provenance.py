"""Who signed a record: a Provenance for each signature (session, plan verification, diagnosis)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import PROVENANCE_PARTICIPANT_SYSTEM, iso, meta

ACTIVITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SIGNATURE_TYPE_SYSTEM = "urn:iso-astm:E1762-95:2013"


def provenance(signature: Mapping[str, Any]) -> dict[str, Any]:
    """``signature``: id, target (FHIR reference text, e.g. "Encounter/<uuid>"), signed_at,
    signer (name), signer_role (e.g. clinician), last_updated; optionally reason (an amendment's
    reason) and activity (CREATE, UPDATE)."""
    activity = signature.get("activity", "CREATE")
    resource: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": str(signature["id"]),
        "meta": meta(signature["last_updated"]),
        "target": [{"reference": signature["target"]}],
        "recorded": iso(signature["signed_at"]),
        "activity": {"coding": [{"system": ACTIVITY_SYSTEM, "code": activity}]},
        "agent": [
            {
                "type": {"coding": [{"system": PROVENANCE_PARTICIPANT_SYSTEM, "code": "verifier"}]},
                "role": [{"text": signature.get("signer_role", "")}]
                if signature.get("signer_role")
                else [],
                "who": {"display": signature["signer"]},
            }
        ],
        "signature": [
            {
                "type": [
                    {
                        "system": SIGNATURE_TYPE_SYSTEM,
                        "code": "1.2.840.10065.1.12.1.1",
                        "display": "Author's Signature",
                    }
                ],
                "when": iso(signature["signed_at"]),
                "who": {"display": signature["signer"]},
            }
        ],
    }
    if not resource["agent"][0]["role"]:
        del resource["agent"][0]["role"]
    if signature.get("reason"):
        resource["reason"] = [{"text": signature["reason"]}]
    return resource
