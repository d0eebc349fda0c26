"""An infusion session as an Encounter (ambulatory, at the clinic's infusion chair)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenderpoint.interop.fhir.codes import ACT_CODE_SYSTEM, interop, iso, meta, reference

_STATUS = {"draft": "in-progress", "signed": "finished", "amended": "finished"}


def encounter(session: Mapping[str, Any]) -> dict[str, Any]:
    """``session``: id, patient_id, status, started_at, ended_at (or None), last_updated,
    entered_in_error; optionally clinic_name."""
    status = "entered-in-error" if session.get("entered_in_error") else _STATUS[session["status"]]
    period = {"start": iso(session["started_at"])}
    if session.get("ended_at"):
        period["end"] = iso(session["ended_at"])
    code = interop("encounter.infusion")
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(session["id"]),
        "meta": meta(session["last_updated"]),
        "status": status,
        "class": {"system": ACT_CODE_SYSTEM, "code": "AMB", "display": "ambulatory"},
        "type": [{"coding": [code], "text": code["display"]}],
        "subject": reference("Patient", session["patient_id"]),
        "period": period,
    }
    if session.get("clinic_name"):
        resource["serviceProvider"] = {"display": session["clinic_name"]}
    return resource
