"""Model factories for web tests."""

from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress

from tenderpoint.web.accounts.choices import Role
from tenderpoint.web.accounts.models import Clinic, Membership, User
from tenderpoint.web.patients.choices import Sex
from tenderpoint.web.patients.models import Patient

PASSWORD = "correct horse battery staple"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "Europe/Berlin"
    phone = "+49 30 1234567"
    sms_number = "+49 170 1234567"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


def member(clinic: Clinic, role: Role, **kwargs: object) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    medical_record_number = factory.Sequence(lambda n: f"MRN-{n:05d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1978, 5, 17)
    sex = Sex.FEMALE
