"""Fixtures for the officials' admin: signed-in clients per role, and cases in each state."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from licensing.models import Application
from licensing.services import applications as svc
from tests.factories import OfficialFactory, supervisor
from whitelist.models import Authority


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def sign_in(user: Any) -> Client:
        # The factories set the password without saving it; save, so the session's hash matches.
        user.save()
        c = Client()
        c.force_login(user)
        return c

    return sign_in


@pytest.fixture
def officer_client(login: Callable[[Any], Client], officer: Any) -> Client:
    return login(officer)


@pytest.fixture
def supervisor_client(login: Callable[[Any], Client], supervisor_user: Any) -> Client:
    return login(supervisor_user)


@pytest.fixture
def kr_officer(db: None) -> Any:
    return OfficialFactory(authority=Authority.objects.get(code="KR"))


@pytest.fixture
def second_supervisor(db: None) -> Any:
    return supervisor()


@pytest.fixture
def under_review(make_submitted: Callable[..., Application], officer: Any) -> Application:
    return svc.application_start_review(application=make_submitted(), official=officer)


def action_url(app: Application, name: str) -> str:
    return reverse("admin:licensing_application_action", args=[app.pk, name])


def change_url(app: Application) -> str:
    return reverse("admin:licensing_application_change", args=[app.pk])


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
