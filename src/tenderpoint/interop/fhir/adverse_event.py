"""An adverse event charted during or after an infusion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import interop, iso, meta, reference

SEVERITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
# FHIR R4's AdverseEvent.severity has mild, moderate, severe; life-threatening is a
# seriousness, so it maps to severe plus seriousness "serious".
_SEVERITY = {
    "mild": "mild",
    "moderate": "moderate",
    "severe": "severe",
    "life_threatening": "severe",
}
SERIOUSNESS_SYSTEM = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"


def adverse_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """``event``: id, patient_id, session_id, at, event_type (the chart's choices), severity
    (mild, moderate, severe, life_threatening), description, action, outcome, recorded_at,
    last_updated."""
    code = interop(f"adverse.{event['event_type']}")
    severity = event["severity"]
    serious = severity in ("severe", "life_threatening")
    text = "; ".join(
        part
        for part in (
            event.get("description"),
            f"Action: {event['action']}" if event.get("action") else "",
            f"Outcome: {event['outcome']}" if event.get("outcome") else "",
        )
        if part
    )
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": str(event["id"]),
        "meta": meta(event["last_updated"]),
        "actuality": "actual",
        "event": {"coding": [code], "text": text or code["display"]},
        "subject": reference("Patient", event["patient_id"]),
        "encounter": reference("Encounter", event["session_id"]),
        "date": iso(event["at"]),
        "recordedDate": iso(event["recorded_at"]),
        "severity": {"coding": [{"system": SEVERITY_SYSTEM, "code": _SEVERITY[severity]}]},
        "seriousness": {
            "coding": [
                {
                    "system": SERIOUSNESS_SYSTEM,
                    "code": "serious" if serious else "non-serious",
                }
            ]
        },
        "suspectEntity": [{"instance": reference("MedicationAdministration", event["session_id"])}],
    }
    if severity == "life_threatening":
        resource["event"]["text"] = f"Life-threatening. {resource['event']['text']}"
    return resource
