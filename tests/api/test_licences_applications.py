"""The organisation's licences and applications; customs verification; other organisations' data."""

import pytest

from licensing.services import applications as app_svc
from licensing.services import licences as lic_svc
from tests.api.conftest import bulk_licences, problem

LICENCE_FIELDS = {
    "number",
    "status",
    "licence_type",
    "bulk_type",
    "authority",
    "item",
    "destination",
    "valid_from",
    "valid_until",
    "quantity_authorised",
    "quantity_remaining",
    "unit",
    "application",
    "issued_at",
    "updated_at",
}


@pytest.mark.django_db
def test_licences_list_only_the_keys_organisation(exporter_api, make_licence, other_exporter, officer):
    mine = make_licence()
    theirs = bulk_licences(other_exporter.organisation, other_exporter, officer, 1)[0]
    body = exporter_api.get("/api/v1/licences/").json()
    numbers = [row["number"] for row in body["results"]]
    assert numbers == [mine.number]
    assert theirs.number not in numbers
    assert set(body["results"][0]) == LICENCE_FIELDS
    assert body["results"][0]["quantity_remaining"] == "100.000"


@pytest.mark.django_db
def test_another_organisations_licence_is_404_without_verify(exporter, make_key, client_for, other_exporter, officer):
    theirs = bulk_licences(other_exporter.organisation, other_exporter, officer, 1)[0]
    _, raw = make_key(exporter.organisation, scopes=["licences:read"])
    response = client_for(raw).get(f"/api/v1/licences/{theirs.number}/")
    assert response.status_code == 404
    problem(response)


@pytest.mark.django_db
def test_customs_verifies_any_licence_and_sees_validity_fields_only(partner_org, make_key, client_for, make_licence):
    licence = make_licence()
    _, raw = make_key(partner_org, scopes=["licences:verify"])
    body = client_for(raw).get(f"/api/v1/licences/{licence.number}/").json()
    assert body["is_valid"] is True
    assert body["status"] == "active"
    assert {"valid_from", "valid_until", "item", "destination", "checked_on"} <= set(body)
    assert "quantity_remaining" not in body
    assert "application" not in body


@pytest.mark.django_db
def test_a_suspended_licence_verifies_as_not_valid(partner_org, make_key, client_for, make_licence, supervisor_user):
    licence = make_licence()
    lic_svc.licence_suspend(licence=licence, official=supervisor_user, reason="Under investigation.")
    _, raw = make_key(partner_org, scopes=["licences:verify"])
    body = client_for(raw).get(f"/api/v1/licences/{licence.number}/").json()
    assert (body["status"], body["is_valid"]) == ("suspended", False)


@pytest.mark.django_db
def test_unknown_licence_number_is_404(partner_org, make_key, client_for):
    _, raw = make_key(partner_org, scopes=["licences:verify"])
    assert client_for(raw).get("/api/v1/licences/JP-B-1999-000001/").status_code == 404


@pytest.mark.django_db
def test_cursor_pages_cover_every_licence_once_in_update_order(exporter, exporter_api, officer):
    bulk_licences(exporter.organisation, exporter, officer, 7)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/licences/?page_size=3" + (f"&cursor={cursor}" if cursor else "")
        body = exporter_api.get(url).json()
        seen += [row["number"] for row in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if not body["has_more"]:
            assert body["next"] is None
            break
        assert body["next"].endswith(f"cursor={cursor}")
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    # Coming back later with the last cursor: nothing new, and the cursor stays put.
    again = exporter_api.get(f"/api/v1/licences/?cursor={cursor}").json()
    assert (again["results"], again["next_cursor"]) == ([], cursor)


@pytest.mark.django_db
def test_a_changed_licence_moves_after_the_cursor(exporter, exporter_api, officer, supervisor_user):
    licences = bulk_licences(exporter.organisation, exporter, officer, 3)
    cursor = exporter_api.get("/api/v1/licences/").json()["next_cursor"]
    lic_svc.licence_suspend(licence=licences[0], official=supervisor_user, reason="Audit.")
    body = exporter_api.get(f"/api/v1/licences/?cursor={cursor}").json()
    assert [(r["number"], r["status"]) for r in body["results"]] == [(licences[0].number, "suspended")]


@pytest.mark.django_db
def test_updated_since_filters_by_change_time(exporter, exporter_api, officer):
    licences = bulk_licences(exporter.organisation, exporter, officer, 2)
    since = licences[1].updated_at.isoformat().replace("+00:00", "Z")
    body = exporter_api.get("/api/v1/licences/", {"updated_since": since}).json()
    assert [r["number"] for r in body["results"]] == [licences[1].number]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [("cursor=not-a-cursor", "cursor"), ("page_size=0", "page_size"), ("updated_since=yesterday", "updated_since")],
)
def test_bad_list_parameters_are_400(exporter_api, query, parameter):
    response = exporter_api.get(f"/api/v1/licences/?{query}")
    assert response.status_code == 400
    assert [e["parameter"] for e in problem(response)["errors"]] == [parameter]


@pytest.mark.django_db
def test_application_shows_status_regime_clock_and_history(exporter_api, make_submitted, officer):
    app = make_submitted()
    app_svc.application_start_review(application=app, official=officer)
    app_svc.application_request_information(application=app, official=officer, message="Send the contract.")
    body = exporter_api.get(f"/api/v1/applications/{app.reference}/").json()
    assert body["status"] == "information_requested"
    assert body["regime"]["licence_type"] == "bulk"
    assert body["clock"]["state"] == "stopped"
    assert body["clock"]["stopped_since"] is not None
    assert body["clock"]["due_date"] is not None
    assert [h["status"] for h in body["status_history"]] == [
        "draft",
        "submitted",
        "under_review",
        "information_requested",
    ]
    listed = exporter_api.get("/api/v1/applications/").json()["results"]
    assert [a["reference"] for a in listed] == [app.reference]
    assert listed[0]["status_history"] == body["status_history"]


@pytest.mark.django_db
def test_approved_application_names_its_licence(exporter_api, make_licence):
    licence = make_licence()
    body = exporter_api.get(f"/api/v1/applications/{licence.application.reference}/").json()
    assert (body["status"], body["licence"], body["clock"]["state"]) == ("approved", licence.number, "finished")


@pytest.mark.django_db
def test_draft_has_no_regime_and_no_clock(exporter_api, make_draft):
    app = make_draft()
    body = exporter_api.get(f"/api/v1/applications/{app.reference}/").json()
    assert (body["regime"], body["clock"]["state"], body["licence_type"]) == (None, "not_started", None)


@pytest.mark.django_db
def test_another_organisations_application_is_404(make_draft, other_exporter, make_key, client_for):
    app = make_draft()
    _, raw = make_key(other_exporter.organisation, scopes=["applications:read"])
    api = client_for(raw)
    assert api.get(f"/api/v1/applications/{app.reference}/").status_code == 404
    assert api.get("/api/v1/applications/").json()["results"] == []


@pytest.mark.django_db
def test_a_partner_that_is_not_an_exporter_sees_no_applications(partner_org, make_key, client_for, make_submitted):
    make_submitted()
    _, raw = make_key(partner_org, scopes=["applications:read", "licences:read"])
    api = client_for(raw)
    assert api.get("/api/v1/applications/").json()["results"] == []
    assert api.get("/api/v1/licences/").json()["results"] == []
