"""Shared fixtures. Domain objects are made through the services, the way users make them."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from licensing.models import Application, DocumentType, Licence
from licensing.selectors.regimes import determine_regime
from licensing.services import applications as svc
from licensing.services.clock import local_date
from licensing.services.documents import document_upload
from materials.models import ControlledItem
from tests.factories import APPLICATION_DEFAULTS, ExporterFactory, OfficialFactory, pdf_upload, supervisor
from whitelist.models import Authority


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def jp(db: None) -> Authority:
    return Authority.objects.get(code="JP")


@pytest.fixture
def kr(db: None) -> Authority:
    return Authority.objects.get(code="KR")


@pytest.fixture
def resist(db: None) -> ControlledItem:
    return ControlledItem.objects.get(slug="resist")


@pytest.fixture
def hydrogen_fluoride(db: None) -> ControlledItem:
    return ControlledItem.objects.get(slug="hydrogen-fluoride")


@pytest.fixture
def exporter(db: None) -> Any:
    return ExporterFactory(organisation__name="Tokyo Resist K.K.")


@pytest.fixture
def other_exporter(db: None) -> Any:
    return ExporterFactory(organisation__name="Osaka Chemicals K.K.")


@pytest.fixture
def officer(db: None) -> Any:
    return OfficialFactory()


@pytest.fixture
def supervisor_user(db: None) -> Any:
    return supervisor()


@pytest.fixture
def make_draft(jp: Authority, resist: ControlledItem, exporter: Any) -> Callable[..., Application]:
    def make(
        user: Any = None, item: ControlledItem | None = None, destination: str = "KR", **fields: Any
    ) -> Application:
        data = {**APPLICATION_DEFAULTS, **fields}
        return svc.application_create_draft(
            user=user or exporter, authority=jp, item=item or resist, destination=destination, **data
        )

    return make


def upload_mandatory_documents(app: Application, user: Any) -> None:
    today = local_date(app.authority, timezone.now())
    regime = determine_regime(authority=app.authority, item=app.item, destination=app.destination.code, on_date=today)
    for doc in regime.documents:
        if doc.mandatory:
            document_upload(
                application=app,
                user=user,
                document_type=DocumentType.objects.get(pk=doc.document_type_id),
                upload=pdf_upload(f"{doc.code}.pdf"),
            )


@pytest.fixture
def make_submitted(make_draft: Callable[..., Application], exporter: Any) -> Callable[..., Application]:
    def make(user: Any = None, **fields: Any) -> Application:
        user = user or exporter
        app = make_draft(user=user, **fields)
        upload_mandatory_documents(app, user)
        return svc.application_submit(application=app, user=user)

    return make


@pytest.fixture
def make_licence(
    make_submitted: Callable[..., Application], officer: Any, supervisor_user: Any
) -> Callable[..., Licence]:
    def make(**fields: Any) -> Licence:
        app = make_submitted(**fields)
        svc.application_start_review(application=app, official=officer)
        return svc.application_approve(application=app, official=supervisor_user)

    return make


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
