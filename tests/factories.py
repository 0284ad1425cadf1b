"""Factories for tests. Reference data (items, authorities, rules) comes from the migrations."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, User
from accounts.roles import OFFICER, SUPERVISOR
from whitelist.models import Authority

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def pdf_upload(name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Exporter {n} K.K.")
    kind = Organisation.Kind.EXPORTER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")


class ExporterFactory(UserFactory):
    organisation = factory.SubFactory(OrganisationFactory)


class OfficialFactory(UserFactory):
    is_staff = True
    authority = factory.LazyFunction(lambda: Authority.objects.get(code="JP"))

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create:
            self.groups.add(Group.objects.get(name=extracted or OFFICER))
            self.save()


def supervisor(**kwargs: object) -> User:
    return OfficialFactory(role=SUPERVISOR, **kwargs)


APPLICATION_DEFAULTS = {
    "consignee_name": "Hanbit Semiconductor Co., Ltd.",
    "consignee_address": "123 Samsung-ro, Hwaseong",
    "consignee_country": "KR",
    "end_user_name": "Hanbit Semiconductor Co., Ltd.",
    "end_user_address": "123 Samsung-ro, Hwaseong",
    "end_user_country": "KR",
    "end_use": "Photolithography for memory chips.",
    "quantity": Decimal("100"),
    "value": Decimal("1500000"),
    "currency": "JPY",
    "shipment_window_start": date(2030, 1, 1),
    "shipment_window_end": date(2030, 6, 30),
}
