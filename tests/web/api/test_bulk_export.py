"""Bulk Data export by an approved system client: client-credentials token, kick-off, status
polling, NDJSON files that validate line by line, 24-hour expiry, and who may not export."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.test import Client

from tenderpoint.interop.fhir.validate import validate
from tenderpoint.web.api import exporting, tokens
from tenderpoint.web.api.models import BulkExport
from tenderpoint.web.audit.models import AuditEvent
from tests.web.api.conftest import bearer
from tests.web.conftest import World

pytestmark = pytest.mark.django_db
ASYNC = {"HTTP_PREFER": "respond-async"}


def system_token(client: Client, world: World, *, approve: bool = True) -> dict[str, str]:
    system, secret = tokens.do_register_client(world.clinic_admin, "Registry")
    if approve:
        tokens.do_approve_client(world.clinician, system)
    basic = base64.b64encode(f"{system.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/fhir/auth/token/",
        {"grant_type": "client_credentials", "scope": "system/*.read"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_export_round_trip(world: World, client: Client, charted) -> None:  # type: ignore[no-untyped-def]
    headers = system_token(client, world)
    kick = client.get("/fhir/$export", **headers, **ASYNC)
    assert kick.status_code == 202
    status_url = kick["Content-Location"]
    # the immediate task backend has already run the job
    manifest = client.get(status_url, **headers).json()
    counts = {item["type"]: item["count"] for item in manifest["output"]}
    assert counts["Patient"] == 2  # clinic A only
    assert counts["Encounter"] == 2
    assert counts["Observation"] == 22
    for item in manifest["output"]:
        response = client.get(item["url"], **headers)
        assert response["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == item["count"]
        for line in lines:
            resource = validate(json.loads(line))
            assert resource.__resource_type__ == item["type"]
    exported = {
        json.loads(line)["id"]
        for item in manifest["output"]
        if item["type"] == "Patient"
        for line in b"".join(client.get(item["url"], **headers).streaming_content).splitlines()
    }
    assert str(world.other_clinic_patient_record.public_id) not in exported
    assert AuditEvent.objects.filter(action="export", object_type="fhir.$export").count() == 1
    assert AuditEvent.objects.filter(action="export", object_type="fhir.$export.file").exists()


def test_group_export_of_another_clinic_is_404(world: World, client: Client) -> None:
    headers = system_token(client, world)
    assert (
        client.get(f"/fhir/Group/{world.other_clinic.slug}/$export", **headers, **ASYNC).status_code
        == 404
    )
    assert (
        client.get(f"/fhir/Group/{world.clinic.slug}/$export", **headers, **ASYNC).status_code
        == 202
    )


def test_unapproved_client_reads_nothing(world: World, client: Client) -> None:
    headers = system_token(client, world, approve=False)
    response = client.get("/fhir/$export", **headers, **ASYNC)
    assert response.status_code == 403
    assert "approved by a clinician" in response.json()["issue"][0]["diagnostics"]


def test_approval_ends_when_the_clinician_leaves(world: World, client: Client) -> None:
    headers = system_token(client, world)
    membership = world.clinician.membership
    membership.is_active = False
    membership.save()
    assert client.get("/fhir/$export", **headers, **ASYNC).status_code == 403


def test_withdrawn_client_token_stops(world: World, client: Client) -> None:
    headers = system_token(client, world)
    from tenderpoint.web.api.models import SystemClient

    tokens.do_revoke_client(world.clinic_admin, SystemClient.objects.get())
    assert client.get("/fhir/$export", **headers, **ASYNC).status_code == 401


def test_only_clinicians_of_the_clinic_approve(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    system, _ = tokens.do_register_client(world.clinic_admin, "Registry")
    for persona in ("nurse", "clinic_admin", "other_clinician"):
        with pytest.raises(PermissionDenied):
            tokens.do_approve_client(world.persona(persona), system)


def test_personal_tokens_cannot_export(world: World, client: Client) -> None:
    response = client.get("/fhir/$export", **bearer(world.clinician, "user/*.read"), **ASYNC)
    assert response.status_code == 403


def test_kick_off_needs_prefer_and_known_parameters(world: World, client: Client) -> None:
    headers = system_token(client, world)
    assert client.get("/fhir/$export", **headers).status_code == 400
    bad = client.get("/fhir/$export?_typeFilter=Observation", **headers, **ASYNC)
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["_typeFilter"]
    bad_type = client.get("/fhir/$export?_type=Basic", **headers, **ASYNC)
    assert bad_type.status_code == 400


def test_files_expire_after_24_hours(world: World, client: Client, charted) -> None:  # type: ignore[no-untyped-def]
    headers = system_token(client, world)
    status_url = client.get("/fhir/$export?_type=Patient", **headers, **ASYNC)["Content-Location"]
    manifest = client.get(status_url, **headers).json()
    export = BulkExport.objects.get()
    assert export.expires_at - export.completed_at == datetime.timedelta(hours=24)
    folder = exporting.export_dir(export)
    assert folder.exists()
    BulkExport.objects.filter(pk=export.pk).update(
        expires_at=exporting.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(status_url, **headers).status_code == 404
    assert client.get(manifest["output"][0]["url"], **headers).status_code == 404
    assert exporting.purge_expired() == 1
    assert not folder.exists()


def test_another_client_cannot_poll(world: World, client: Client, charted) -> None:  # type: ignore[no-untyped-def]
    headers = system_token(client, world)
    status_url = client.get("/fhir/$export", **headers, **ASYNC)["Content-Location"]
    other = system_token(client, world)
    assert client.get(status_url, **other).status_code == 404
