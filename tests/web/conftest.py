"""Fixtures for the exporter site: signed-in clients and cases in each state, made through services."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from licensing.models import Application, InformationRequest, Licence
from licensing.services import applications as svc
from tests.factories import ExporterFactory, OrganisationFactory

# force_login needs a backend that can load users (axes' backend only counts failures).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


TEST_CLIENT_ADDRESSES = ("127.0.0.1", "10.0.0.9")


@pytest.fixture(autouse=True)
def _english_and_fresh_rate_limits(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    # Only our own counters: the cache may be the Redis database the broker also uses.
    cache.delete_many([f"verify-rate:{address}" for address in TEST_CLIENT_ADDRESSES])


PASSWORD = "pw-for-tests-1"  # tests.factories sets it on every user it makes


def sign_in(client: Client, user: Any) -> Client:
    """force_login that survives the next request: the factories set the password without saving it,
    and the session keeps a hash of the saved one."""
    user.save(update_fields=["password"])
    client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def exporter_client(client: Client, exporter: Any) -> Client:
    return sign_in(client, exporter)


@pytest.fixture
def other_client(other_exporter: Any) -> Client:
    return sign_in(Client(), other_exporter)


@pytest.fixture
def colleague(exporter: Any) -> Any:
    """Another member of the exporter's organisation."""
    return ExporterFactory(organisation=exporter.organisation)


@pytest.fixture
def partner_user(db: None) -> Any:
    from accounts.models import Organisation

    return ExporterFactory(organisation=OrganisationFactory(name="Busan Customs", kind=Organisation.Kind.PARTNER))


@pytest.fixture
def make_information_requested(
    make_submitted: Callable[..., Application], officer: Any
) -> Callable[..., tuple[Application, InformationRequest]]:
    def make(message: str = "Which fab will use the resist?", **fields: Any) -> tuple[Application, InformationRequest]:
        app = make_submitted(**fields)
        svc.application_start_review(application=app, official=officer)
        request = svc.application_request_information(application=app, official=officer, message=message)
        app.refresh_from_db()
        return app, request

    return make


@pytest.fixture
def licence(make_licence: Callable[..., Licence]) -> Licence:
    return make_licence()
