"""The whitelist in the admin: grouping history, overlap checks, amendments with an impact preview."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from licensing.errors import NoRegime
from licensing.models import Event
from licensing.selectors.impact import amendment_impact, resolve_rule, rules_for_group
from licensing.selectors.queue import authority_today
from licensing.selectors.regimes import determine_regime
from materials.models import ControlledItem
from tests.admin.conftest import messages_of
from whitelist.models import Amendment, CountryGroup, Grouping
from whitelist.selectors import group_on_date
from whitelist.services import amendment_schedule

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("admin:whitelist_amendment_add")


@pytest.fixture
def group_b(jp):
    return CountryGroup.objects.get(authority=jp, code="B")


@pytest.fixture
def next_month(jp) -> date:
    return authority_today(jp) + timedelta(days=30)


def _form(jp, group, when, **extra):
    return {
        "authority": jp.pk,
        "country": "KR",
        "new_group": group.pk,
        "effective_date": when.isoformat(),
        "legal_basis": "Cabinet order (test)",
        **extra,
    }


# --- Groupings ---------------------------------------------------------------------------------


def test_the_grouping_history_of_a_country(officer_client, jp):
    response = officer_client.get(
        reverse("admin:whitelist_grouping_changelist") + f"?country=KR&authority__id__exact={jp.pk}"
    )
    rows = [(g.group.code, g.effective_from.isoformat()) for g in response.context["cl"].result_list]
    assert rows == [("A", "2019-01-01"), ("B", "2019-08-28"), ("A", "2023-07-21")]


def test_an_overlapping_grouping_is_refused_with_a_clear_error(admin_client, jp, group_b):
    data = {
        "authority": jp.pk,
        "country": "KR",
        "group": group_b.pk,
        "effective_from": "2024-01-01",
        "effective_to": "",
        "legal_basis": "",
        "source": "",
    }
    response = admin_client.post(reverse("admin:whitelist_grouping_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["This period overlaps an existing grouping: JP: KR in A 2023-07-21 → …."]
    assert not Grouping.objects.filter(country="KR", effective_from="2024-01-01").exists()


def test_officials_do_not_edit_grouping_rows_directly(supervisor_client):
    # Changes of group are amendments (announced and recorded); row edits are superuser corrections.
    assert supervisor_client.get(reverse("admin:whitelist_grouping_add")).status_code == 403


def test_a_grouping_written_by_an_amendment_cannot_be_deleted(admin_client, jp, group_b, next_month):
    amendment_schedule(authority=jp, country="KR", new_group=group_b, effective_date=next_month, legal_basis="x")
    row = Grouping.objects.get(country="KR", authority=jp, effective_from=next_month)
    assert (
        admin_client.post(reverse("admin:whitelist_grouping_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    )
    assert Grouping.objects.filter(pk=row.pk).exists()
    listing = admin_client.get(reverse("admin:whitelist_grouping_changelist"))
    assert "delete_selected" not in listing.context["cl"].model_admin.get_actions(listing.wsgi_request)


# --- Amendments --------------------------------------------------------------------------------


def test_schedule_preview_then_confirm(
    supervisor_client, jp, group_b, next_month, make_submitted, make_licence, supervisor_user
):
    pending = [make_submitted(), make_submitted()]
    licence = make_licence()
    elsewhere = make_submitted(destination="US")

    form = supervisor_client.get(SCHEDULE)
    assert form.status_code == 200 and form.context["impact"] is None

    preview = supervisor_client.post(SCHEDULE, _form(jp, group_b, next_month, _preview="1"))
    assert preview.status_code == 200
    impact = preview.context["impact"]
    assert (impact.applications_count, impact.pending_count) == (2, 3 - 1)  # the US case is another country
    assert (impact.licences_count, impact.live_licences_count) == (1, 1)
    assert {c.label for c in impact.applications} == {a.reference for a in pending}
    assert [c.label for c in impact.licences] == [licence.number]
    html = preview.content.decode()
    assert elsewhere.reference not in html
    assert 'id="kyoka-impact-applications">2<' in html and 'id="kyoka-impact-licences">1<' in html
    assert "Individual (rule #" in html  # what they would fall under in group B
    assert not Amendment.objects.exists()  # nothing saved by the preview

    confirmed = supervisor_client.post(SCHEDULE, _form(jp, group_b, next_month, _confirm="1"))
    amendment = Amendment.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:whitelist_amendment_change", args=[amendment.pk])
    assert (amendment.new_group, amendment.previous_group.code, amendment.status) == (group_b, "A", "scheduled")
    assert group_on_date(authority=jp, country="KR", on_date=next_month).group == group_b
    event = Event.objects.get(verb="whitelist.amendment_scheduled", subject_id=str(amendment.pk))
    assert event.actor == supervisor_user and event.payload["new_group"] == "B"


def test_going_back_to_edit_keeps_the_values(supervisor_client, jp, group_b, next_month):
    response = supervisor_client.post(SCHEDULE, _form(jp, group_b, next_month, _edit="1"))
    assert response.context["impact"] is None
    assert response.context["form"]["legal_basis"].value() == "Cabinet order (test)"
    assert not Amendment.objects.exists()


def test_an_amendment_needs_a_future_date_and_a_legal_basis(supervisor_client, jp, group_b):
    today = authority_today(jp)
    response = supervisor_client.post(SCHEDULE, _form(jp, group_b, today, legal_basis="", _preview="1"))
    errors = response.context["form"].errors
    assert "give a future date" in errors["effective_date"][0]
    assert errors["legal_basis"] == ["This field is required."]


def test_scheduling_into_the_same_group_is_refused_on_confirm(supervisor_client, jp, next_month):
    group_a = CountryGroup.objects.get(authority=jp, code="A")
    response = supervisor_client.post(SCHEDULE, _form(jp, group_a, next_month, _confirm="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["new_group"] == ["KR is already in group A on that date."]
    assert not Amendment.objects.exists()


def test_an_officer_cannot_schedule_an_amendment(officer_client, jp, group_b, next_month):
    assert officer_client.get(SCHEDULE).status_code == 403
    assert officer_client.post(SCHEDULE, _form(jp, group_b, next_month, _confirm="1")).status_code == 403
    assert not Amendment.objects.exists()


def test_a_supervisor_cannot_pick_another_authoritys_groups(supervisor_client, kr, next_month):
    ga2 = CountryGroup.objects.get(authority=kr, code="Ga-2")
    response = supervisor_client.post(
        SCHEDULE,
        {
            "authority": kr.pk,
            "country": "JP",
            "new_group": ga2.pk,
            "effective_date": next_month.isoformat(),
            "legal_basis": "x",
            "_confirm": "1",
        },
    )
    assert set(response.context["form"].errors) == {"authority", "new_group"}
    assert not Amendment.objects.exists()


def test_cancelling_an_amendment_puts_the_groupings_back(supervisor_client, jp, group_b, next_month, supervisor_user):
    amendment = amendment_schedule(
        authority=jp, country="KR", new_group=group_b, effective_date=next_month, legal_basis="x"
    )
    page = supervisor_client.get(reverse("admin:whitelist_amendment_change", args=[amendment.pk]))
    assert [a.name for a in page.context["object_actions"]] == ["cancel"]
    assert page.context["impact"].applications_count == 0
    response = supervisor_client.post(reverse("admin:whitelist_amendment_action", args=[amendment.pk, "cancel"]))
    amendment.refresh_from_db()
    assert amendment.status == "cancelled"
    assert messages_of(response) == ["Amendment cancelled: KR stays in its previous group."]
    assert group_on_date(authority=jp, country="KR", on_date=next_month).group.code == "A"
    event = Event.objects.filter(subject_type="amendment", subject_id=str(amendment.pk)).latest("id")
    assert event.actor == supervisor_user and event.payload["cancelled"] is True
    # Cancelling twice: a clear refusal, not an error page.
    again = supervisor_client.post(reverse("admin:whitelist_amendment_action", args=[amendment.pk, "cancel"]))
    assert messages_of(again)[-1] == "The amendment is cancelled; it cannot be cancelled."


def test_bulk_cancel(supervisor_client, jp, group_b, next_month):
    amendment = amendment_schedule(
        authority=jp, country="KR", new_group=group_b, effective_date=next_month, legal_basis="x"
    )
    supervisor_client.post(
        reverse("admin:whitelist_amendment_changelist"),
        {"action": "cancel_selected", "_selected_action": [amendment.pk]},
    )
    amendment.refresh_from_db()
    assert amendment.status == "cancelled"


def test_amendments_are_never_edited_or_deleted(admin_client, jp, group_b, next_month):
    amendment = amendment_schedule(
        authority=jp, country="KR", new_group=group_b, effective_date=next_month, legal_basis="x"
    )
    url = reverse("admin:whitelist_amendment_change", args=[amendment.pk])
    assert admin_client.post(url, {"legal_basis": "changed"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:whitelist_amendment_delete", args=[amendment.pk]), {"post": "yes"}).status_code
        == 403
    )


# --- The impact selector -------------------------------------------------------------------------


@pytest.mark.parametrize("on", ["2019-07-10", "2019-09-01", "2020-06-01", "2023-05-01", "2023-08-01", "2026-01-01"])
@pytest.mark.parametrize("country", ["KR", "US", "CN"])
def test_the_preview_resolves_rules_exactly_as_determine_regime_does(jp, on, country):
    day = date.fromisoformat(on)
    group = group_on_date(authority=jp, country=country, on_date=day)
    rules = rules_for_group(authority=jp, country=country, group=group.group if group else None, on_date=day)
    for item in ControlledItem.objects.all():
        outcome = resolve_rule(rules, item_id=item.pk, country=country, group_id=group.group.pk if group else None)
        try:
            expected = determine_regime(authority=jp, item=item, destination=country, on_date=day).rule.pk
        except NoRegime:
            expected = None
        assert outcome.rule_id == expected, (item.slug, country, on)


def test_a_country_specific_rule_shields_cases_from_a_group_change(make_submitted, jp, group_b, officer):
    # 2020: resist to Korea falls under the Korea-specific individual rule, whatever Korea's group.
    import time_machine

    with time_machine.travel("2020-03-02 01:00:00+00:00", tick=False):
        app = make_submitted()
    group_a = CountryGroup.objects.get(authority=jp, code="A")
    impact = amendment_impact(authority=jp, country="KR", new_group=group_a, effective_date=date(2020, 6, 1))
    assert impact.pending_count == 1 and impact.applications_count == 0
    assert app.licence_type == "individual"


def test_the_preview_costs_a_fixed_number_of_queries(
    make_submitted, jp, group_b, next_month, django_assert_num_queries
):
    for _ in range(3):
        make_submitted()
    with django_assert_num_queries(8):
        impact = amendment_impact(authority=jp, country="KR", new_group=group_b, effective_date=next_month)
        assert impact.applications_count == 3
