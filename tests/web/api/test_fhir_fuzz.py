"""Fuzzing the FHIR API with hypothesis: no generated read or search may cause a server error.

Every resource type the CapabilityStatement lists is searched with generated parameters (the
supported ones with hostile values — malformed dates and prefixes, repeated keys, huge and
negative counts, unicode, NUL characters, long strings, token syntax errors — and unknown ones)
and read by generated ids, as a clinician token and a patient token. A supported search answers
200 with a Bundle; anything refused answers 4xx with an OperationOutcome that validates. A 500
would be re-raised by the test client, failing the test with the generated request.

CI runs a small sample (TENDERPOINT_FUZZ_EXAMPLES, default 2, times 25 per type and token);
``benchmarks/fuzz_forms.py`` runs it with the form fuzzer for the figure in docs/security.md.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.api.conftest import bearer
from tests.web.conftest import World

pytestmark = pytest.mark.django_db

EXAMPLES = 25 * int(os.environ.get("TENDERPOINT_FUZZ_EXAMPLES", "2"))
KNOWN = ["patient", "date", "code", "category", "_lastUpdated", "_count", "_id", "subject"]
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            "ge2026-13-45",
            "le",
            "gt2026-01-01T25:61:00Z",
            "eq9999-12-31",
            "ne2026",
            "sa2026-01-01",
            "2026-01-01T00:00:00+99:00",
            "-1",
            "0",
            "1000000000000000000000",
            "1e308",
            "NaN",
            "http://loinc.org|",
            "|72514-3",
            "a|b|c",
            "Patient/",
            "Patient/not-a-uuid",
            "../../etc/passwd",
            "' OR 1=1 --",
            "\x00",
            "%00",
            "ünïcödé",
            "x" * 5000,
        ]
    ),
    st.text(max_size=40),
    st.dates().map(lambda d: "ge" + d.isoformat()),
)
PARAMS = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=20)), HOSTILE),
    max_size=5,
)
READ_IDS = st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=60))
REQUESTS = {"count": 0}


def _types(client: Any) -> list[str]:
    statement = json.loads(client.get("/fhir/metadata").content)
    return sorted(r["type"] for r in statement["rest"][0]["resource"])


def _check(response: Any, where: str) -> None:
    REQUESTS["count"] += 1
    assert response.status_code < 500, where
    if response.status_code == 200:
        return
    assert response.status_code in (400, 401, 403, 404, 410, 422), where
    outcome = json.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome", where
    assert outcome["issue"], where


@pytest.mark.parametrize("persona", ["clinician", "patient"])
def test_no_generated_search_or_read_is_a_server_error(
    world: World, client, charted, persona: str
) -> None:  # type: ignore[no-untyped-def]
    REQUESTS["count"] = 0
    scope = "user/*.read" if persona == "clinician" else "patient/*.read"
    headers = bearer(world.persona(persona), scope)
    types = _types(client)
    assert {"Observation", "Patient"} <= set(types)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        resource_type=st.sampled_from(types),
        params=PARAMS,
        read_id=READ_IDS,
        with_patient=st.booleans(),
    )
    def probe(resource_type: str, params: list[tuple[str, str]], read_id: str, with_patient: bool):
        if with_patient:
            params = [("patient", str(world.patient_record.public_id)), *params]
        query = urlencode(params)
        search = client.get(f"/fhir/{resource_type}?{query}", **headers)
        _check(search, f"GET /fhir/{resource_type}?{query}")
        read = client.get(f"/fhir/{resource_type}/{quote(read_id, safe='')}", **headers)
        _check(read, f"GET /fhir/{resource_type}/{read_id!r}")

    probe()
    print(f"\nfuzz: {REQUESTS['count']} FHIR requests as {persona}, 0 server errors")  # noqa: T201
