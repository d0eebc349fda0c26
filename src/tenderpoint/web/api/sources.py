"""One provider per resource type: which records own its resources, and how they map.

A provider lists "owner" records (a patient, a diary entry, a session …) of the patients a
principal may read, narrowed in the database by patient and date, then maps each owner to its
resources; the search applies the exact filters to the mapped resources. Resource ids start
with the owner's public UUID, so a read finds the owner first.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from tenderpoint.clinical.fhir import fhir_questionnaire
from tenderpoint.clinical.registry import REGISTRY
from tenderpoint.interop.fhir import diary_observations, patient_resource, questionnaire_response
from tenderpoint.interop.fhir.adverse_event import adverse_event
from tenderpoint.interop.fhir.codes import meta
from tenderpoint.interop.fhir.condition import fibromyalgia_condition
from tenderpoint.interop.fhir.encounter import encounter
from tenderpoint.interop.fhir.medication import medication_administration, medication_request
from tenderpoint.interop.fhir.observation_scores import questionnaire_score_observations
from tenderpoint.interop.fhir.observation_session import (
    session_score_observations,
    vitals_observations,
)
from tenderpoint.interop.fhir.provenance import provenance
from tenderpoint.interop.fhir.search import Search
from tenderpoint.web.api import adapters
from tenderpoint.web.infusions.models import InfusionPlan, InfusionSession
from tenderpoint.web.patients.models import Patient, PatientQuerySet

Resource = dict[str, Any]
# Session observations are charted within hours of the start; the database pre-filter on
# started_at is widened by this much and the exact date filter runs on the resources.
SESSION_MARGIN = datetime.timedelta(days=1)
SEARCH_CHUNK_ROWS = 100


def resource_date(resource: Resource) -> datetime.datetime | None:
    """The instant a resource's ``date`` search parameter compares."""
    for key in ("effectiveDateTime", "authored", "authoredOn", "date", "recorded"):
        if key in resource:
            return _instant(resource[key])
    for key in ("effectivePeriod", "period"):
        if key in resource:
            return _instant(resource[key]["start"])
    return None


def _instant(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


def last_updated(resource: Resource) -> datetime.datetime | None:
    found = resource.get("meta", {}).get("lastUpdated")
    return _instant(found) if found else None


def _codings(resource: Resource) -> list[dict[str, Any]]:
    for key in ("code", "medicationCodeableConcept", "event"):
        if key in resource:
            return list(resource[key].get("coding", []))
    return []


def _categories(resource: Resource) -> list[str]:
    return [
        coding.get("code", "")
        for concept in resource.get("category", [])
        for coding in concept.get("coding", [])
    ]


def matches(resource: Resource, search: Search) -> bool:
    """The exact filters of ``search`` applied to one mapped resource."""
    if search.ids and resource["id"] not in search.ids:
        return False
    if search.date and not search.date_matches(resource_date(resource)):
        return False
    if search.last_updated and not search.last_updated_matches(last_updated(resource)):
        return False
    return search.code_matches(_codings(resource)) and search.category_matches(
        _categories(resource)
    )


def _date_filter(search: Search, field_name: str, margin: datetime.timedelta) -> dict[str, Any]:
    lookups: dict[str, Any] = {}
    for bound in search.date:
        if bound.start is not None:
            lookups[f"{field_name}__gte"] = bound.start - margin
        if bound.end is not None:
            lookups[f"{field_name}__lt"] = bound.end + margin
    return lookups


def owner_uuid(resource_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(resource_id[:36])
    except ValueError:
        return None


@dataclass
class Provider:
    """Owners of one resource type's resources, and the mapping of one owner."""

    resource_type: str
    owners: Callable[[PatientQuerySet, Search | None], Iterable[Any]]
    resources: Callable[[Any], list[Resource]]
    owner_by_uuid: Callable[[PatientQuerySet, uuid.UUID], Any]
    patient_bound: bool = True
    extra: list[Any] = field(default_factory=list)

    def read(self, patients: PatientQuerySet, resource_id: str) -> tuple[Resource, Any] | None:
        """The resource and its owner, or None when absent or not visible."""
        key = owner_uuid(resource_id)
        if key is None:
            return None
        owner = self.owner_by_uuid(patients, key)
        if owner is None:
            return None
        for resource in self.resources(owner):
            if resource["id"] == resource_id:
                return resource, owner
        return None

    def search(self, patients: PatientQuerySet, search: Search) -> Iterator[Resource]:
        for owner in self.owners(patients, search):
            for resource in self.resources(owner):
                if matches(resource, search):
                    yield resource


def _with_meta(resource: Resource, updated: datetime.datetime) -> Resource:
    resource.setdefault("meta", meta(updated))
    return resource


# --- Patient and Condition -----------------------------------------------------------------


def _patients(patients: PatientQuerySet, search: Search | None) -> QuerySet[Patient]:
    return patients.select_related("clinic").order_by("pk")


def _patient_by_uuid(patients: PatientQuerySet, key: uuid.UUID) -> Patient | None:
    return patients.select_related("clinic").filter(public_id=key).first()


def _patient_resources(patient: Patient) -> list[Resource]:
    return [_with_meta(patient_resource(adapters.patient_dict(patient)), patient.updated_at)]


def _condition_resources(patient: Patient) -> list[Resource]:
    found = fibromyalgia_condition(adapters.diagnosis_dict(patient))
    return [found] if found else []


# --- questionnaire responses and diary -----------------------------------------------------


def _responses(patients: PatientQuerySet, search: Search | None) -> Iterable[Any]:
    model = adapters.response_model()
    if model is None:
        return []
    queryset = model.objects.filter(patient__in=patients).select_related("patient")
    if search is not None:
        queryset = queryset.filter(**_date_filter(search, "submitted_at", datetime.timedelta(0)))
    return queryset.order_by("submitted_at", "pk")


def _response_by_uuid(patients: PatientQuerySet, key: uuid.UUID) -> Any:
    model = adapters.response_model()
    if model is None:
        return None
    return (
        model.objects.filter(patient__in=patients, public_id=key).select_related("patient").first()
    )


def _response_resources(response: Any) -> list[Resource]:
    data = adapters.response_dict(response)
    return [_with_meta(questionnaire_response(data, data["patient_id"]), response.updated_at)]


def _diary_rows(patients: PatientQuerySet, search: Search | None) -> Iterable[dict[str, Any]]:
    model = adapters.diary_model()
    if model is None:
        return []
    queryset = model.objects.filter(patient__in=patients)
    if search is not None:
        queryset = queryset.filter(**_date_filter(search, "recorded_at", datetime.timedelta(0)))
    # A search page stops after _count resources (about six per entry): read the rows in small
    # chunks so a page converts the few rows it maps, not every matching row.
    rows = queryset.order_by("recorded_at", "pk").values(*adapters.DIARY_FIELDS)
    return rows.iterator(chunk_size=SEARCH_CHUNK_ROWS)


def diary_resources(row: dict[str, Any]) -> list[Resource]:
    updated = meta(row["updated_at"])
    found = diary_observations(adapters.diary_dict(row), str(row["patient__public_id"]))
    for resource in found:
        resource["meta"] = updated
    return found


# The bulk export reads the patient's integer key instead of joining for its UUID on every row.
_EXPORT_DIARY_FIELDS = tuple(
    "patient_id" if name == "patient__public_id" else name for name in adapters.DIARY_FIELDS
)


def export_diary_observations(
    patients: PatientQuerySet, since: datetime.datetime | None, chunk_size: int = 5000
) -> Iterator[Resource]:
    """The diary Observations of ``patients`` for a bulk export, streamed.

    The same resources, in the same order, as the Observation provider's diary owners (the
    mapping's dicts via :func:`diary_resources`), read in chunks rather than held in memory, with
    each patient's id looked up once and ``_since`` applied in the database (a diary
    Observation's ``meta.lastUpdated`` is its entry's ``updated_at``).
    """
    model = adapters.diary_model()
    if model is None:
        return
    patient_ids = {pk: str(key) for pk, key in patients.values_list("pk", "public_id")}
    queryset = model.objects.filter(patient__in=patients)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    rows = (
        queryset.order_by("recorded_at", "pk")
        .values(*_EXPORT_DIARY_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        updated = meta(row["updated_at"])
        entry = adapters.diary_dict(row)
        for resource in diary_observations(entry, patient_ids[row["patient_id"]]):
            resource["meta"] = updated
            yield resource


# --- infusion sessions and plans -----------------------------------------------------------


def _sessions(patients: PatientQuerySet, search: Search | None) -> QuerySet[InfusionSession]:
    queryset = (
        InfusionSession.objects.filter(patient__in=patients, started_at__isnull=False)
        .select_related("patient__clinic", "plan", "signed_by")
        .prefetch_related("vitals", "scores", "adverse_events", "amendments__amended_by")
    )
    if search is not None:
        queryset = queryset.filter(**_date_filter(search, "started_at", SESSION_MARGIN))
    return queryset.order_by("started_at", "pk")


def _session_by_uuid(patients: PatientQuerySet, key: uuid.UUID) -> InfusionSession | None:
    return _sessions(patients, None).filter(public_id=key).first()


def session_observations(session: InfusionSession) -> list[Resource]:
    data = adapters.session_dict(session)
    found: list[Resource] = []
    for index, vitals in enumerate(session.vitals.all(), start=1):
        found.extend(vitals_observations(data, adapters.vitals_dict(vitals), index))
    for index, score in enumerate(session.scores.all(), start=1):
        found.extend(session_score_observations(data, adapters.score_dict(score), index))
    return found


def _session_adverse_events(session: InfusionSession) -> list[Resource]:
    return [
        adverse_event(adapters.adverse_event_dict(session, event, index))
        for index, event in enumerate(session.adverse_events.all(), start=1)
    ]


def _plans(patients: PatientQuerySet, search: Search | None) -> QuerySet[InfusionPlan]:
    queryset = InfusionPlan.objects.filter(patient__in=patients).select_related(
        "patient", "prescribed_by", "verified_by"
    )
    if search is not None:
        queryset = queryset.filter(**_date_filter(search, "prescribed_at", datetime.timedelta(0)))
    return queryset.order_by("prescribed_at", "pk")


def _plan_by_uuid(patients: PatientQuerySet, key: uuid.UUID) -> InfusionPlan | None:
    return _plans(patients, None).filter(public_id=key).first()


# --- Observation: several owners -----------------------------------------------------------

_OBSERVATION_KIND = "kind"


def _streamed(owners: Iterable[Any], chunk_size: int = 2000) -> Iterable[Any]:
    """A queryset read in chunks (prefetches included) instead of all at once."""
    return owners.iterator(chunk_size=chunk_size) if isinstance(owners, QuerySet) else owners


def _record_observation_owners(patients: PatientQuerySet, search: Search | None) -> Iterator[Any]:
    """Owners of the Observations that are not diary scores: questionnaires, sessions."""
    for response in _streamed(_responses(patients, search)):
        yield ("response", response)
    for session in _streamed(_sessions(patients, search)):
        yield ("session", session)


def _observation_owners(patients: PatientQuerySet, search: Search | None) -> Iterator[Any]:
    for row in _diary_rows(patients, search):
        yield ("diary", row)
    yield from _record_observation_owners(patients, search)


def _observation_resources(owner: tuple[str, Any]) -> list[Resource]:
    kind, record = owner
    if kind == "diary":
        return diary_resources(record)
    if kind == "response":
        return questionnaire_score_observations(
            {**adapters.response_dict(record), "patient_id": str(record.patient.public_id)}
        )
    return session_observations(record)


def _observation_owner(patients: PatientQuerySet, key: uuid.UUID) -> Any:
    model = adapters.diary_model()
    if model is not None:
        row = (
            model.objects.filter(patient__in=patients, public_id=key)
            .values(*adapters.DIARY_FIELDS)
            .first()
        )
        if row is not None:
            return ("diary", row)
    response = _response_by_uuid(patients, key)
    if response is not None:
        return ("response", response)
    session = _session_by_uuid(patients, key)
    return ("session", session) if session is not None else None


# --- Questionnaire (not patient data) ------------------------------------------------------


def published_questionnaires() -> list[Resource]:
    """Every Questionnaire whose wording may ship (licensed wording stays with the clinic)."""
    return [
        fhir_questionnaire(instrument_id)
        for instrument_id, instrument in REGISTRY.items()
        if instrument.kind != "derived" and instrument.licence.wording_may_ship
    ]


PROVIDERS: dict[str, Provider] = {
    "Patient": Provider("Patient", _patients, _patient_resources, _patient_by_uuid),
    "Condition": Provider("Condition", _patients, _condition_resources, _patient_by_uuid),
    "Observation": Provider(
        "Observation", _observation_owners, _observation_resources, _observation_owner
    ),
    "QuestionnaireResponse": Provider(
        "QuestionnaireResponse", _responses, _response_resources, _response_by_uuid
    ),
    "MedicationRequest": Provider(
        "MedicationRequest",
        _plans,
        lambda plan: [medication_request(adapters.plan_dict(plan))],
        _plan_by_uuid,
    ),
    "MedicationAdministration": Provider(
        "MedicationAdministration",
        _sessions,
        lambda s: [medication_administration(adapters.session_dict(s))],
        _session_by_uuid,
    ),
    "Encounter": Provider(
        "Encounter", _sessions, lambda s: [encounter(adapters.session_dict(s))], _session_by_uuid
    ),
    "AdverseEvent": Provider("AdverseEvent", _sessions, _session_adverse_events, _session_by_uuid),
    "Provenance": Provider(
        "Provenance",
        lambda patients, search: [
            *(("session", s) for s in _sessions(patients, None)),
            *(("plan", p) for p in _plans(patients, None)),
        ],
        lambda owner: [
            provenance(d)
            for d in (
                adapters.signatures(owner[1])
                if owner[0] == "session"
                else adapters.plan_signatures(owner[1])
            )
        ],
        lambda patients, key: (
            ("session", s)
            if (s := _session_by_uuid(patients, key))
            else (("plan", p) if (p := _plan_by_uuid(patients, key)) else None)
        ),
    ),
}


def export_resources(
    resource_type: str, patients: PatientQuerySet, since: datetime.datetime | None
) -> Iterator[Resource]:
    """Every ``resource_type`` resource of ``patients`` for a bulk export, in the provider's
    order, skipping those last updated before ``since``; records are streamed in chunks."""
    provider = PROVIDERS[resource_type]
    if resource_type == "Observation":
        yield from export_diary_observations(patients, since)
        owners: Iterable[Any] = _record_observation_owners(patients, None)
    else:
        owners = _streamed(provider.owners(patients, None))
    for owner in owners:
        for resource in provider.resources(owner):
            if since is not None:
                updated = last_updated(resource)
                if updated is not None and updated < since:
                    continue
            yield resource


def owner_patient_id(owner: Any) -> str | None:
    """The public id of the patient an owner record belongs to (for the audit event)."""
    record = owner[1] if isinstance(owner, tuple) else owner
    if isinstance(record, dict):
        return str(record["patient__public_id"])
    if isinstance(record, Patient):
        return str(record.public_id)
    return str(record.patient.public_id)


__all__ = ["PROVIDERS", "Prefetch", "published_questionnaires"]
