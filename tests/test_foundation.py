"""Project-level promises: demo seeding, append-only events, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from licensing.models import Application, Event

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_the_demo_accounts(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "s3cret-demo")
    call_command("seed_demo", "--password", "s3cret-demo")
    exporter = User.objects.get(username="exporter")
    assert exporter.organisation.name == "Demo Materials Co."
    assert exporter.check_password("s3cret-demo")
    assert User.objects.get(username="officer").groups.filter(name="Officer").exists()
    assert User.objects.get(username="supervisor").groups.filter(name="Supervisor").exists()
    assert Application.objects.filter(organisation=exporter.organisation).count() == 4


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.filter(username="exporter").exists()


@pytest.mark.django_db
def test_events_are_append_only(make_draft):
    make_draft()
    event = Event.objects.filter(verb="application.created").get()
    event.verb = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "z" * 20,
        "ALLOWED_HOSTS": "kyoka.example",
        "KYOKA_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only; never in a deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "production", "ALLOWED_HOSTS": "x"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_server_error_under_the_api_is_a_problem_document(rf):
    from config.views import server_error

    response = server_error(rf.get("/api/v1/licences/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_a_server_error_on_the_site_is_the_sites_page(rf):
    from config.views import server_error

    response = server_error(rf.get("/applications/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
