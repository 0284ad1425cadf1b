"""Who reaches the admin, and what each role may do there."""

import pytest
from django.urls import reverse

from licensing.models import Event, RegimeRule
from licensing.services.rules import rule_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:index",
    "admin:licensing_application_changelist",
    "admin:licensing_application_dashboard",
    "admin:licensing_licence_changelist",
    "admin:whitelist_grouping_changelist",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_an_exporter_is_sent_to_the_admin_login(login, exporter, name):
    response = login(exporter).get(reverse(name))
    assert response.wsgi_request.user == exporter  # signed in, and still refused
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_exporter_cannot_post_an_action_either(login, exporter, under_review):
    url = reverse("admin:licensing_application_action", args=[under_review.pk, "approve"])
    response = login(exporter).post(url, {"conditions": ""})
    assert response.wsgi_request.user == exporter
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    under_review.refresh_from_db()
    assert under_review.status == "under_review"


def test_staff_without_an_authority_sees_no_licensing_models(login, db):
    staff = UserFactory(is_staff=True)
    client = login(staff)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:licensing_application_changelist") not in index.content.decode()
    assert client.get(reverse("admin:licensing_application_changelist")).status_code == 403
    assert client.get(reverse("admin:licensing_application_dashboard")).status_code == 403


@pytest.mark.parametrize("role", ["officer_client", "supervisor_client"])
def test_officials_reach_the_queue_and_the_dashboard(request, role):
    client = request.getfixturevalue(role)
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_index_links_to_the_dashboard(officer_client):
    html = officer_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:licensing_application_dashboard") in html


def test_nobody_adds_changes_or_deletes_an_application_in_the_admin(supervisor_client, admin_client, under_review):
    for client in (supervisor_client, admin_client):
        assert client.get(reverse("admin:licensing_application_add")).status_code == 403
        delete = reverse("admin:licensing_application_delete", args=[under_review.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse("admin:licensing_application_change", args=[under_review.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()  # read-only: no save button
        assert client.post(change, {"consignee_name": "Someone else"}).status_code == 403
    under_review.refresh_from_db()
    assert under_review.consignee_name == "Hanbit Semiconductor Co., Ltd."


def test_an_official_sees_only_their_authoritys_cases(login, kr_officer, under_review, officer_client):
    kr = login(kr_officer)
    listing = kr.get(reverse("admin:licensing_application_changelist")).content.decode()
    assert under_review.reference not in listing
    # Another authority's case: the change page does not exist for them, the action view is a 404.
    change = kr.get(reverse("admin:licensing_application_change", args=[under_review.pk]))
    assert change.status_code == 302
    action = kr.post(reverse("admin:licensing_application_action", args=[under_review.pk, "start_review"]))
    assert action.status_code == 404
    assert (
        under_review.reference in officer_client.get(reverse("admin:licensing_application_changelist")).content.decode()
    )


def test_an_officer_cannot_edit_rules(officer_client):
    rule = RegimeRule.objects.get(authority__code="JP", item__slug="resist", effective_from="2019-07-04")
    assert officer_client.get(reverse("admin:licensing_regimerule_add")).status_code == 403
    change = reverse("admin:licensing_regimerule_change", args=[rule.pk])
    page = officer_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert officer_client.post(change, {"processing_days": 1}).status_code == 403
    rule.refresh_from_db()
    assert rule.processing_days == 90


def test_a_supervisor_cannot_change_another_authoritys_rule(supervisor_client):
    kr_rule = RegimeRule.objects.filter(authority__code="KR").first()
    page = supervisor_client.get(reverse("admin:licensing_regimerule_change", args=[kr_rule.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("role", ["officer_client", "supervisor_client", "admin_client"])
def test_the_audit_trail_is_read_only_for_everyone(request, role, under_review):
    client = request.getfixturevalue(role)
    event = Event.objects.filter(subject_type="application", subject_id=str(under_review.pk)).first()
    assert client.get(reverse("admin:licensing_event_changelist")).status_code == 200
    assert client.get(reverse("admin:licensing_event_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:licensing_event_add")).status_code == 403
    assert client.post(reverse("admin:licensing_event_change", args=[event.pk]), {"verb": "x"}).status_code == 403
    assert client.post(reverse("admin:licensing_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.verb != "x"


def test_the_field_history_cannot_be_reverted_even_by_a_superuser(admin_client, supervisor_user):
    rule = RegimeRule.objects.get(authority__code="JP", item__slug="resist", effective_from="2019-07-04")
    rule_save(rule=rule, user=supervisor_user)  # the seeded rows have no history yet: make one version
    record = rule.history.earliest()
    url = reverse("admin:licensing_regimerule_simple_history", args=[rule.pk, record.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    response = admin_client.post(url, {"processing_days": 1, "effective_from": "2019-07-04"})
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.processing_days == 90
    assert admin_client.get(reverse("admin:licensing_regimerule_history", args=[rule.pk])).status_code == 200


def test_the_grouping_history_cannot_be_posted_by_an_official_with_view_rights(officer_client):
    from whitelist.models import Grouping

    grouping = Grouping.objects.filter(authority__code="JP", country="KR").first()
    grouping.save()
    record = grouping.history.earliest()
    url = reverse("admin:whitelist_grouping_simple_history", args=[grouping.pk, record.history_id])
    assert officer_client.post(url, {"effective_from": "2000-01-01"}).status_code == 403
    grouping.refresh_from_db()
    assert str(grouping.effective_from) != "2000-01-01"
