"""Cheap polling: strong ETags, 304 decided before serialising, fixed query counts per endpoint."""

import pytest
from django.utils.http import http_date

from licensing.services import licences as lic_svc
from tests.api.conftest import bulk_licences

GET_ENDPOINTS = [
    "/api/v1/regime/?item=resist&destination=KR&date=2024-01-10",
    "/api/v1/whitelist/KR/?date=2024-01-10",
    "/api/v1/items/",
    "/api/v1/licences/",
    "/api/v1/applications/",
    "/api/v1/changes/",
    "/api/v1/webhooks/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", GET_ENDPOINTS)
def test_every_get_has_a_strong_etag_and_answers_304_when_unchanged(exporter_api, url):
    first = exporter_api.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"
    again = exporter_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert exporter_api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.django_db
def test_list_etag_changes_when_a_licence_changes(exporter, exporter_api, officer, supervisor_user):
    licences = bulk_licences(exporter.organisation, exporter, officer, 2)
    etag = exporter_api.get("/api/v1/licences/")["ETag"]
    lic_svc.licence_suspend(licence=licences[0], official=supervisor_user, reason="Audit.")
    changed = exporter_api.get("/api/v1/licences/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.django_db
def test_etag_depends_on_the_query(exporter_api):
    assert exporter_api.get("/api/v1/items/?page_size=1")["ETag"] != exporter_api.get("/api/v1/items/")["ETag"]


@pytest.mark.django_db
def test_verification_and_full_view_of_one_licence_have_different_etags(exporter, make_key, client_for, make_licence):
    licence = make_licence()
    _, full = make_key(exporter.organisation, scopes=["licences:read"])
    _, verify = make_key(exporter.organisation, scopes=["licences:verify"])
    url = f"/api/v1/licences/{licence.number}/"
    assert client_for(full).get(url)["ETag"] != client_for(verify).get(url)["ETag"]


@pytest.mark.django_db
def test_single_resources_honour_if_modified_since(exporter_api, make_licence):
    licence = make_licence()
    url = f"/api/v1/licences/{licence.number}/"
    response = exporter_api.get(url)
    assert response["Last-Modified"] == http_date(licence.updated_at.timestamp())
    assert exporter_api.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert exporter_api.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def _count(exporter_api, url, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = exporter_api.get(url, **headers)
    return response, len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/licences/", "/api/v1/applications/"])
def test_queries_do_not_grow_with_the_page_size_and_304_costs_less(exporter, exporter_api, officer, url):
    bulk_licences(exporter.organisation, exporter, officer, 50)
    exporter_api.get("/api/v1/items/")  # the key row is now cached: polls cost no query for it
    small, small_queries = _count(exporter_api, f"{url}?page_size=5")
    large, large_queries = _count(exporter_api, f"{url}?page_size=50")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 50
    assert small_queries == large_queries <= 3
    _, not_modified_queries = _count(exporter_api, f"{url}?page_size=50", HTTP_IF_NONE_MATCH=large["ETag"])
    assert not_modified_queries == 1  # the change marker
    assert not_modified_queries < large_queries


@pytest.mark.django_db
def test_changes_and_items_queries_are_fixed(exporter, exporter_api, officer, django_assert_num_queries, settings):
    settings.KYOKA_CHANGES_SETTLE_SECONDS = 0
    bulk_licences(exporter.organisation, exporter, officer, 3)
    exporter_api.get("/api/v1/items/?page_size=1")  # the key row is cached from here on
    with django_assert_num_queries(2):  # marker, events (the key row is cached)
        exporter_api.get("/api/v1/changes/?limit=5")
    with django_assert_num_queries(3):  # marker, items, their references
        exporter_api.get("/api/v1/items/")
    with django_assert_num_queries(6):  # authority, item, marker, grouping, rules, documents
        exporter_api.get("/api/v1/regime/?item=resist&destination=KR&date=2024-01-10")
