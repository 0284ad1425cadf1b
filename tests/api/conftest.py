"""Fixtures for the partner API: keys with scopes, an authenticated client, bulk rows for paging."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation
from licensing.models import Application, Licence
from materials.models import ControlledItem
from partners.models import APIKey, Scope
from partners.services import api_key_create
from whitelist.models import Authority

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def make_key(db: None) -> Callable[..., tuple[APIKey, str]]:
    def make(organisation: Organisation, scopes: list[str] | None = None, **kwargs: Any) -> tuple[APIKey, str]:
        return api_key_create(
            organisation=organisation, name=kwargs.pop("name", "Test key"), scopes=scopes or ALL_SCOPES, **kwargs
        )

    return make


@pytest.fixture
def client_for() -> Callable[[str], APIClient]:
    def make(raw_key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
        return client

    return make


@pytest.fixture
def exporter_api(exporter: Any, make_key: Callable, client_for: Callable) -> APIClient:
    """A client with every scope for the exporter's organisation (an exporter's own ERP)."""
    _, raw = make_key(exporter.organisation)
    return client_for(raw)


@pytest.fixture
def partner_org(db: None) -> Organisation:
    return Organisation.objects.create(name="Busan Customs", kind=Organisation.Kind.PARTNER)


def bulk_licences(organisation: Organisation, applicant: Any, issuer: Any, count: int, start: int = 0) -> list[Licence]:
    """Rows for read-path tests (paging, query counts): inserted directly, not through the workflow."""
    jp = Authority.objects.get(code="JP")
    resist = ControlledItem.objects.get(slug="resist")
    now = timezone.now()
    apps = Application.objects.bulk_create(
        [
            Application(
                reference=f"JP-2099-{start + i:06d}",
                organisation=organisation,
                applicant=applicant,
                authority=jp,
                item=resist,
                destination="KR",
                quantity=Decimal("10"),
                licence_type="bulk",
            )
            for i in range(count)
        ]
    )
    # bulk_create leaves status at its default; approved apps carry their licence.
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status="approved")
    return Licence.objects.bulk_create(
        [
            Licence(
                number=f"JP-B-2099-{start + i:06d}",
                verification_code=f"BULK{start + i:08d}",
                application=app,
                organisation=organisation,
                authority=jp,
                item=resist,
                destination="KR",
                licence_type="bulk",
                valid_from=now.date(),
                valid_until=now.date() + timedelta(days=365),
                quantity_authorised=Decimal("10"),
                unit="kg",
                issued_at=now,
                issued_by=issuer,
            )
            for i, app in enumerate(apps)
        ]
    )


def problem(response: Any) -> dict[str, Any]:
    """Assert the response is an RFC 9457 problem document and return it."""
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code
    return body
