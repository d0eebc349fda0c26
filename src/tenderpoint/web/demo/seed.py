"""A synthetic demo clinic: staff of every role and patients with profiles.

Everything is invented and labelled so. Loading is idempotent (keyed on the clinic's slug), and
deterministic for a given seed so screenshots and tests see the same people.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Clinic, Membership, User
from tenderpoint.web.accounts.services import sync_cms_access
from tenderpoint.web.patients.choices import ContactPreference, DiagnosisStatus, Sex
from tenderpoint.web.patients.models import Patient

DEMO_SLUG = "demo-clinic"
DEMO_DOMAIN = "demo.example"
DEMO_PASSWORD = "tenderpoint-demo"  # noqa: S105  (printed to the person running the demo)
PATIENT_COUNT = 30


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str
    uses_mfa: bool


STAFF = [
    ("clinician@" + DEMO_DOMAIN, "Dr Ana Rivera", Role.CLINICIAN),
    ("clinician2@" + DEMO_DOMAIN, "Dr Samuel Chen", Role.CLINICIAN),
    ("nurse@" + DEMO_DOMAIN, "Grace Okafor, RN", Role.NURSE),
    ("admin@" + DEMO_DOMAIN, "Lena Fischer", Role.CLINIC_ADMIN),
]
PATIENT_LOGIN_EMAIL = "patient@" + DEMO_DOMAIN
PATIENT2_LOGIN_EMAIL = "patient2@" + DEMO_DOMAIN  # try that patients are kept apart

GIVEN_FEMALE = [
    "Maria",
    "Jennifer",
    "Aisha",
    "Sofia",
    "Emily",
    "Grace",
    "Hannah",
    "Olivia",
    "Chloe",
    "Priya",
    "Rosa",
    "Nadia",
    "Laura",
    "Fatima",
    "Julia",
    "Mei",
    "Sarah",
    "Elena",
    "Zoe",
    "Amara",
]
GIVEN_MALE = [
    "James",
    "David",
    "Carlos",
    "Daniel",
    "Omar",
    "Lukas",
    "Ethan",
    "Kwame",
    "Ivan",
    "Noah",
]
FAMILY = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Patel",
    "Kowalski",
    "Brown",
    "Hernandez",
    "Kim",
    "Martin",
    "Okonkwo",
    "Rossi",
    "Silva",
    "Novak",
    "Walker",
    "Haddad",
    "Lopez",
    "Murphy",
    "Yamamoto",
    "Andersen",
    "Clarke",
    "Dubois",
    "Schmidt",
    "Costa",
    "Ivanova",
    "Moreau",
    "Ali",
    "Bauer",
    "Reyes",
    "Tanaka",
]
REFERRALS = ["Primary care physician", "Rheumatology", "Pain clinic", "Self-referral", "Neurology"]


def demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin(email, role.value, name, uses_mfa=True) for email, name, role in STAFF]
    logins.append(
        DemoLogin(PATIENT_LOGIN_EMAIL, Role.PATIENT.value, "Maria Garcia", uses_mfa=False)
    )
    logins.append(
        DemoLogin(PATIENT2_LOGIN_EMAIL, Role.PATIENT.value, "second demo patient", uses_mfa=False)
    )
    return logins


def demo_clinic_exists() -> bool:
    return Clinic.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def load_demo_clinic(seed: int = 20261121) -> Clinic:
    """Create the demo clinic once; a second call returns the existing one unchanged."""
    existing = Clinic.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing
    rng = random.Random(seed)  # noqa: S311  (synthetic people, not secrets)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow by design
    clinic = Clinic.objects.create(
        name="Riverside Fibromyalgia & Infusion Clinic (demo)",
        slug=DEMO_SLUG,
        time_zone="America/Chicago",
        phone="+1 555 0100 200",
        sms_number="+1 555 0100 201",
        email="hello@" + DEMO_DOMAIN,
        address="1200 Example Avenue, Suite 300\nSpringfield, IL 62701",
        hours="Monday to Friday 8:00–17:00\nInfusion suite from 7:30\nClosed on public holidays",
    )
    staff_users = {}
    for email, name, role in STAFF:
        user = _demo_user(email, name, password_hash)
        Membership.objects.create(user=user, clinic=clinic, role=role)
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
        sync_cms_access(user)
        staff_users[role] = user

    creator = staff_users[Role.CLINICIAN]
    today = datetime.date(2026, 11, 1)
    patients: list[Patient] = []
    for index in range(PATIENT_COUNT):
        female = index == 0 or rng.random() < 0.8  # women are diagnosed about twice as often
        given = "Maria" if index == 0 else rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        family = "Garcia" if index == 0 else FAMILY[index % len(FAMILY)]
        age = rng.randint(24, 71)
        birth = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
        height = rng.gauss(164, 7) if female else rng.gauss(177, 7)
        bmi = rng.uniform(19.5, 36.0)
        patient = Patient.objects.create(
            clinic=clinic,
            medical_record_number=f"RFC-{1001 + index}",
            given_name=given,
            family_name=family,
            date_of_birth=birth,
            sex=Sex.FEMALE if female else Sex.MALE,
            email=f"{given.lower()}.{family.lower()}@example.org",
            phone=f"+1 555 01{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
            contact_preference=rng.choice(list(ContactPreference)),
            height_cm=Decimal(f"{height:.1f}"),
            weight_kg=Decimal(f"{bmi * (height / 100) ** 2:.1f}"),
            diagnosis_status=rng.choices(list(DiagnosisStatus), weights=[3, 10, 1, 2], k=1)[0],
            referral_source=rng.choice(REFERRALS),
            created_by=creator,
            updated_by=creator,
        )
        if index in (0, 1):
            email = PATIENT_LOGIN_EMAIL if index == 0 else PATIENT2_LOGIN_EMAIL
            account = _demo_user(email, f"{given} {family}", password_hash)
            Membership.objects.create(user=account, clinic=clinic, role=Role.PATIENT)
            patient.user = account
            patient.save(update_fields=["user"])
        patients.append(patient)
    load_clinical_history(clinic, patients, staff_users)
    return clinic


def load_clinical_history(
    clinic: Clinic, patients: list[Patient], staff_users: dict[str, User]
) -> None:
    """Courses, sessions, diaries and questionnaires for the demo patients, from one cohort.

    Each bounded context seeds its own records (``demo/console_data.py``: assessments, courses,
    plans, sessions; ``demo/portal_data.py``: diary, questionnaires, messages) from the same
    synthetic cohort, console first because the portal's schedule reads the courses.
    """
    from tenderpoint.web.demo import console_data, portal_data
    from tenderpoint.web.demo.cohort import demo_cohort

    today = datetime.datetime.now(tz=clinic.tzinfo).date()
    cohort = demo_cohort(len(patients), today)
    console_data.load(clinic, patients, staff_users, cohort)
    portal_data.load(clinic, patients, staff_users, cohort)
    _first_outcome_snapshot(clinic, staff_users[Role.CLINICIAN])
    _queue_portal_pages(patients)


def _queue_portal_pages(patients: list[Patient]) -> None:
    """Queue the first drawing of each portal patient's progress page for the task worker, so
    it is ready before anyone signs in (seeding writes in bulk, which queues nothing)."""
    from tenderpoint.web.portal import cache as portal_cache

    for patient in patients:
        if patient.user_id is not None:
            portal_cache.invalidate(patient)


def _first_outcome_snapshot(clinic: Clinic, clinician: User) -> None:
    """Queue the clinic dashboard's first figures for the task worker (later ones come from
    the dashboard's button). Computing them here held up the demo's start by about 2 s (scipy's
    and lifelines' imports and the models); until the worker has run, the dashboard says the
    snapshot is still computing, as it does after the button."""
    from django.utils import timezone

    from tenderpoint.web.outcomes.dashboard import Filters
    from tenderpoint.web.outcomes.models import OutcomeSnapshot
    from tenderpoint.web.outcomes.tasks import compute_outcome_snapshot

    snapshot = OutcomeSnapshot.objects.create(
        clinic=clinic,
        filters=Filters().as_dict(),
        requested_by=clinician,
        requested_at=timezone.now(),
    )
    # Queued inside the seed's transaction: the task exists exactly when the snapshot does.
    compute_outcome_snapshot.enqueue(snapshot.pk)


def _demo_user(email: str, name: str, password_hash: str) -> User:
    user = User.objects.create(email=email, full_name=name, password=password_hash)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user
