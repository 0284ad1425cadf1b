"""Who may call what: API keys, scopes, organisations, and the problem documents for refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.services import api_key_revoke
from tests.api.conftest import ALL_SCOPES, problem

ENDPOINT_SCOPES = [
    ("/api/v1/regime/?item=resist&destination=KR", "regimes:read"),
    ("/api/v1/whitelist/KR/", "whitelist:read"),
    ("/api/v1/licences/", "licences:read"),
    ("/api/v1/applications/", "applications:read"),
    ("/api/v1/webhooks/", "webhooks:manage"),
]


@pytest.mark.django_db
def test_no_key_is_401_problem_with_a_challenge(client):
    response = client.get("/api/v1/licences/")
    assert response.status_code == 401
    assert problem(response)["type"] == "/api/problems/authentication-required"
    assert response["WWW-Authenticate"].startswith("Api-Key")


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer abc.def", "Api-Key", "Api-Key nodot", "Api-Key unknown.secret"])
def test_other_schemes_and_bad_keys_are_401(client, exporter, make_key, header):
    make_key(exporter.organisation)
    response = client.get("/api/v1/licences/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    problem(response)


@pytest.mark.django_db
def test_right_prefix_wrong_secret_is_401(client, exporter, make_key):
    key, _raw = make_key(exporter.organisation)
    forged = f"{key.prefix}.{'x' * 32}"
    response = client.get("/api/v1/licences/", HTTP_AUTHORIZATION=f"Api-Key {forged}")
    assert response.status_code == 401
    assert problem(response)["type"] == "/api/problems/invalid-api-key"


@pytest.mark.django_db
def test_revoked_key_is_refused_at_once(exporter, make_key, client_for):
    key, raw = make_key(exporter.organisation)
    api = client_for(raw)
    assert api.get("/api/v1/items/").status_code == 200
    api_key_revoke(api_key=key)
    response = api.get("/api/v1/items/")
    assert response.status_code == 401
    assert "revoked" in problem(response)["detail"]


@pytest.mark.django_db
def test_expired_key_is_401(exporter, make_key, client_for):
    key, raw = make_key(exporter.organisation, expires_at=timezone.now() + timedelta(seconds=30))
    key.expiry_date = timezone.now() - timedelta(seconds=1)
    key.save(update_fields=["expiry_date"])
    response = client_for(raw).get("/api/v1/items/")
    assert response.status_code == 401
    assert "expired" in problem(response)["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "scope"), ENDPOINT_SCOPES)
def test_each_endpoint_needs_its_scope(exporter, make_key, client_for, url, scope):
    _, without = make_key(exporter.organisation, scopes=[s for s in ALL_SCOPES if s != scope])
    refused = client_for(without).get(url)
    assert refused.status_code == 403
    body = problem(refused)
    assert body["type"] == "/api/problems/missing-scope"
    assert scope in body["required_scopes"]
    _, only = make_key(exporter.organisation, scopes=[scope])
    assert client_for(only).get(url).status_code == 200


@pytest.mark.django_db
def test_verify_scope_alone_cannot_list_licences(partner_org, make_key, client_for):
    _, raw = make_key(partner_org, scopes=["licences:verify"])
    assert client_for(raw).get("/api/v1/licences/").status_code == 403


@pytest.mark.django_db
def test_change_feed_needs_a_feed_scope(exporter, make_key, client_for):
    _, raw = make_key(exporter.organisation, scopes=["licences:verify"])
    assert client_for(raw).get("/api/v1/changes/").status_code == 403


@pytest.mark.django_db
def test_items_need_only_a_valid_key(partner_org, make_key, client_for):
    _, raw = make_key(partner_org, scopes=["licences:verify"])
    assert client_for(raw).get("/api/v1/items/").status_code == 200


@pytest.mark.django_db
def test_rate_limit_per_key_is_429_with_retry_after(settings, exporter, make_key, client_for):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "2/min"}}
    _, first = make_key(exporter.organisation)
    _, second = make_key(exporter.organisation)
    api = client_for(first)
    ok = api.get("/api/v1/items/")
    assert ok.status_code == 200
    assert ok["RateLimit-Limit"] == "2"
    assert api.get("/api/v1/items/").status_code == 200
    limited = api.get("/api/v1/items/")
    assert limited.status_code == 429
    assert problem(limited)["type"] == "/api/problems/rate-limited"
    assert 1 <= int(limited["Retry-After"]) <= 61
    # Another key of the same organisation has its own budget.
    assert client_for(second).get("/api/v1/items/").status_code == 200


@pytest.mark.django_db
def test_a_scope_removed_from_a_cached_key_is_refused_at_once(exporter, make_key, client_for):
    from partners.services import api_key_update

    key, raw = make_key(exporter.organisation, scopes=["licences:read", "regimes:read"])
    api = client_for(raw)
    assert api.get("/api/v1/licences/").status_code == 200  # the key row is cached now
    api_key_update(api_key=key, name=key.name, scopes=["regimes:read"])
    assert api.get("/api/v1/licences/").status_code == 403
