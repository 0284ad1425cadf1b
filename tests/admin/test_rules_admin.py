"""Regime rules, document types, controlled items and closures: edited by supervisors, checked by the services."""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from licensing.models import DocumentType, Event, RegimeRule
from materials.models import ControlledItem
from whitelist.models import CalendarClosure, CountryGroup

pytestmark = pytest.mark.django_db

ADD = reverse("admin:licensing_regimerule_add")


def _rule_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "authority": "",
        "item": "",
        "destination_country": "",
        "destination_group": "",
        "effective_from": "",
        "effective_to": "",
        "licence_type": "individual",
        "bulk_type": "",
        "processing_days": "90",
        "processing_basis": "calendar",
        "validity_months": "6",
        "legal_basis": "",
        "notes": "",
        "rule_documents-TOTAL_FORMS": "0",
        "rule_documents-INITIAL_FORMS": "0",
        "rule_documents-MIN_NUM_FORMS": "0",
        "rule_documents-MAX_NUM_FORMS": "1000",
    }
    data.update({k: ("" if v is None else str(v)) for k, v in overrides.items()})
    return data


def _instance_data(rule: RegimeRule, **overrides: Any) -> dict[str, Any]:
    docs = list(rule.rule_documents.all())
    fields = {
        "authority": rule.authority_id,
        "item": rule.item_id,
        "destination_country": rule.destination_country.code if rule.destination_country else "",
        "destination_group": rule.destination_group_id,
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "licence_type": rule.licence_type,
        "bulk_type": rule.bulk_type,
        "processing_days": rule.processing_days,
        "processing_basis": rule.processing_basis,
        "validity_months": rule.validity_months,
        "legal_basis": rule.legal_basis,
        "notes": rule.notes,
    }
    data = _rule_data(**{**fields, **overrides})
    data["rule_documents-TOTAL_FORMS"] = data["rule_documents-INITIAL_FORMS"] = str(len(docs))
    for i, doc in enumerate(docs):
        data.update(
            {
                f"rule_documents-{i}-id": str(doc.pk),
                f"rule_documents-{i}-rule": str(rule.pk),
                f"rule_documents-{i}-position": str(doc.position),
                f"rule_documents-{i}-document_type": str(doc.document_type_id),
                f"rule_documents-{i}-mandatory": "on" if doc.mandatory else "",
                f"rule_documents-{i}-condition": doc.condition,
            }
        )
    return data


def test_an_overlapping_rule_is_refused_naming_the_conflicting_rule(supervisor_client, jp, resist):
    existing = RegimeRule.objects.get(authority=jp, item=resist, destination_country="KR", effective_from="2023-03-23")
    response = supervisor_client.post(
        ADD,
        _rule_data(authority=jp.pk, item=resist.pk, destination_country="KR", effective_from="2023-05-01"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == [
        f"This rule overlaps rule #{existing.pk} (2023-03-23 → 2023-07-20) for the same item and destination. "
        "End that rule first, or change the dates."
    ]
    assert f"rule #{existing.pk}" in response.content.decode()
    assert not RegimeRule.objects.filter(effective_from="2023-05-01").exists()


def test_a_supervisor_adds_a_rule_with_its_documents_and_the_save_is_an_event(
    supervisor_client, jp, resist, supervisor_user
):
    pledge = DocumentType.objects.get(authority=jp, code="end-user-pledge")
    data = _rule_data(
        authority=jp.pk,
        item=resist.pk,
        destination_country="KR",
        effective_from="2030-01-01",
        legal_basis="Hypothetical re-tightening (test)",
    )
    data.update(
        {
            "rule_documents-TOTAL_FORMS": "1",
            "rule_documents-0-position": "1",
            "rule_documents-0-document_type": str(pledge.pk),
            "rule_documents-0-mandatory": "on",
            "rule_documents-0-condition": "",
        }
    )
    response = supervisor_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RegimeRule.objects.get(authority=jp, item=resist, effective_from="2030-01-01")
    assert list(rule.rule_documents.values_list("document_type__code", flat=True)) == ["end-user-pledge"]
    event = Event.objects.get(verb="rule.changed", subject_id=str(rule.pk))
    assert event.actor == supervisor_user and event.payload["created"] is True
    assert rule.history.latest().history_user == supervisor_user


def test_a_supervisor_ends_an_open_rule(supervisor_client, jp, supervisor_user):
    rule = RegimeRule.objects.get(authority=jp, item__isnull=True, destination_group__code="A")
    url = reverse("admin:licensing_regimerule_change", args=[rule.pk])
    response = supervisor_client.post(url, _instance_data(rule, effective_to="2031-12-31"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.effective_to == date(2031, 12, 31)
    event = Event.objects.filter(verb="rule.changed", subject_id=str(rule.pk)).get()
    assert event.payload["effective_to"] == "2031-12-31" and event.payload["created"] is False


def test_a_period_ending_before_it_starts_is_refused(supervisor_client, jp, resist):
    response = supervisor_client.post(
        ADD,
        _rule_data(
            authority=jp.pk,
            item=resist.pk,
            destination_country="US",
            effective_from="2030-01-01",
            effective_to="2029-01-01",
        ),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["effective_to"] == ["The period ends before it starts."]


def test_a_rule_cannot_name_a_country_and_a_group(supervisor_client, jp, resist):
    group = CountryGroup.objects.get(authority=jp, code="B")
    response = supervisor_client.post(
        ADD,
        _rule_data(
            authority=jp.pk,
            item=resist.pk,
            destination_country="US",
            destination_group=group.pk,
            effective_from="2030-01-01",
        ),
    )
    assert response.status_code == 200
    assert not RegimeRule.objects.filter(effective_from="2030-01-01").exists()


def test_a_supervisor_can_only_pick_their_own_authority_and_its_groups(supervisor_client):
    form = supervisor_client.get(ADD).context["adminform"].form
    assert [a.code for a in form.fields["authority"].queryset] == ["JP"]
    assert {g.authority.code for g in form.fields["destination_group"].queryset} == {"JP"}


def test_rules_are_ended_not_deleted(admin_client):
    rule = RegimeRule.objects.first()
    assert (
        admin_client.post(reverse("admin:licensing_regimerule_delete", args=[rule.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_a_supervisor_edits_a_controlled_item_and_its_references(supervisor_client, officer_client, resist):
    url = reverse("admin:materials_controlleditem_change", args=[resist.pk])
    assert 'name="_save"' not in officer_client.get(url).content.decode()
    page = supervisor_client.get(url)
    assert 'name="_save"' in page.content.decode()
    refs = list(resist.references.all())
    data = {
        "name": resist.name,
        "name_ja": resist.name_ja,
        "kind": resist.kind,
        "is_active": "on",
        "cas_number": resist.cas_number,
        "hs_code": "3707.10",
        "control_threshold": resist.control_threshold,
        "default_unit": resist.default_unit,
        "description": resist.description,
        "source": resist.source,
        "references-TOTAL_FORMS": str(len(refs)),
        "references-INITIAL_FORMS": str(len(refs)),
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
    }
    for i, ref in enumerate(refs):
        data.update(
            {
                f"references-{i}-id": ref.pk,
                f"references-{i}-item": resist.pk,
                f"references-{i}-control_list": ref.control_list,
                f"references-{i}-entry": ref.entry,
                f"references-{i}-note": ref.note,
            }
        )
    response = supervisor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    resist.refresh_from_db()
    assert resist.hs_code == "3707.10" and resist.slug == "resist"
    assert officer_client.post(url, data).status_code == 403
    assert supervisor_client.get(reverse("admin:materials_controlleditem_delete", args=[resist.pk])).status_code == 403


def test_a_supervisor_adds_a_calendar_closure_for_their_authority(supervisor_client, officer_client, jp):
    data = {"authority": jp.pk, "name": "System migration", "start": "2030-05-07", "end": "2030-05-08", "source": ""}
    assert officer_client.post(reverse("admin:whitelist_calendarclosure_add"), data).status_code == 403
    response = supervisor_client.post(reverse("admin:whitelist_calendarclosure_add"), data)
    assert response.status_code == 302
    assert CalendarClosure.objects.filter(authority=jp, name="System migration").exists()


def test_supervisors_edit_document_types_and_country_groups_officers_only_read_them(supervisor_client, officer_client):
    for name in ("admin:licensing_documenttype_add", "admin:whitelist_countrygroup_add"):
        assert supervisor_client.get(reverse(name)).status_code == 200
        assert officer_client.get(reverse(name)).status_code == 403
    assert officer_client.get(reverse("admin:licensing_documenttype_changelist")).status_code == 200
    assert ControlledItem.objects.exists()
