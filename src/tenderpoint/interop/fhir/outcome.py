"""OperationOutcome: how the API says what was wrong with a request."""

from __future__ import annotations

from typing import Any


def operation_outcome(
    diagnostics: str, *, code: str = "invalid", severity: str = "error", expression: str = ""
) -> dict[str, Any]:
    """One issue; ``code`` from the FHIR issue-type value set (invalid, not-supported,
    not-found, forbidden, login, too-costly, processing, informational)."""
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
