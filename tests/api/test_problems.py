"""Every error is an RFC 9457 problem document, never an HTML page."""

import logging

import pytest
from rest_framework.test import APIRequestFactory

from licensing.api.problems import exception_handler
from tests.api.conftest import problem


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/v1/licences", "/api/v2/licences/"])
def test_unknown_urls_under_api_are_json_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert problem(response)["instance"] == path


@pytest.mark.django_db
def test_problem_types_resolve_to_a_description(client):
    body = client.get("/api/problems/no-regime").json()
    assert body["status"] == 404
    assert body["title"] == "No regime"


@pytest.mark.django_db
def test_wrong_method_is_405_problem_with_allow(exporter_api):
    response = exporter_api.post("/api/v1/licences/", {})
    assert response.status_code == 405
    problem(response)
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_malformed_json_is_400_problem(exporter_api):
    response = exporter_api.post("/api/v1/webhooks/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert problem(response)["type"] == "/api/problems/malformed-request"


@pytest.mark.django_db
def test_body_over_the_limit_is_413(settings, exporter_api):
    settings.KYOKA_API_MAX_BODY_BYTES = 100
    big = {"url": "https://erp.example.com/hook", "description": "x" * 200, "event_types": ["licence.revoked"]}
    response = exporter_api.post("/api/v1/webhooks/", big, format="json")
    assert response.status_code == 413
    assert problem(response)["type"] == "/api/problems/payload-too-large"


@pytest.mark.django_db
def test_wrong_content_type_is_415(exporter_api):
    response = exporter_api.post("/api/v1/webhooks/", data="url=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    problem(response)


def test_an_unexpected_error_is_a_logged_500_problem(caplog):
    request = APIRequestFactory().get("/api/v1/items/")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = exception_handler(RuntimeError("boom"), {"request": request})
    assert response.status_code == 500
    assert response.data["type"] == "/api/problems/server-error"
    assert "boom" not in response.data["detail"]
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)
