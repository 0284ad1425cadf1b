"""Licence sweeps: expiry reminders, expiry at the end of the last valid day, exhaustion."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import F

from licensing.models import Event, Licence
from licensing.services import licences as licence_svc
from licensing.services.sweeps import licence_expiry_reminder_sweep, licence_expiry_sweep
from tests.factories import ExporterFactory
from tests.tasks.conftest import at, notified, sweep_at, tokyo

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(make_licence) -> Licence:
    # Issued Sat 10 Jan 2026 under the bulk regime: 36 months, last valid day 9 Jan 2029.
    lic = at(tokyo(2026, 1, 10, 10), make_licence)
    assert lic.valid_until == date(2029, 1, 9)
    return lic


def test_exporters_are_reminded_90_30_and_7_days_before_expiry_once_each(licence, exporter):
    colleague = ExporterFactory(organisation=exporter.organisation, language="ja")
    sweep_at("licence-expiry-reminders", tokyo(2028, 10, 10, 9))  # 91 days left
    assert notified("licence.expiry_reminder") == []
    for moment in (
        tokyo(2028, 10, 11, 9),  # 90 days left
        tokyo(2028, 10, 11, 10),
        tokyo(2028, 12, 10, 9),  # 30 days left
        tokyo(2028, 12, 20, 9),
        tokyo(2029, 1, 2, 9),  # 7 days left
        tokyo(2029, 1, 9, 9),
    ):
        sweep_at("licence-expiry-reminders", moment)
    reminders = notified("licence.expiry_reminder", recipient=exporter)
    assert [n.key for n in reminders] == [f"expiry:{licence.pk}:{d}" for d in (90, 30, 7)]
    assert reminders[0].title == f"Licence {licence.number} expires in 90 days (2029-01-09)"
    assert [n.title for n in notified("licence.expiry_reminder", recipient=colleague)][2] == (
        f"許可 {licence.number} の有効期限まであと 7 日です（2029-01-09）"
    )
    licence.refresh_from_db()
    assert licence.expiry_reminded_days == 7
    assert licence.expiry_reminder_due_on == date(9999, 12, 31)  # no reminder left


def test_a_new_licence_is_scheduled_for_its_first_reminder(licence):
    assert licence.expiry_reminder_due_on is None
    sweep_at("licence-expiry-reminders", tokyo(2026, 1, 10, 11))
    licence.refresh_from_db()
    assert licence.expiry_reminder_due_on == date(2028, 10, 11)  # 90 days before 9 Jan 2029
    assert notified("licence.expiry_reminder") == []


def test_after_an_outage_only_the_reminder_that_matters_now_is_sent(licence, exporter):
    sweep_at("licence-expiry-reminders", tokyo(2029, 1, 4, 9))  # 5 days left; nothing ran before
    assert [n.key for n in notified("licence.expiry_reminder")] == [f"expiry:{licence.pk}:7"]


def test_reminder_thresholds_are_configurable(licence, settings):
    settings.KYOKA_EXPIRY_REMINDER_DAYS = [60]
    sweep_at("licence-expiry-reminders", tokyo(2028, 10, 11, 9))
    assert notified("licence.expiry_reminder") == []
    sweep_at("licence-expiry-reminders", tokyo(2028, 11, 10, 9))  # 60 days left
    assert [n.key for n in notified("licence.expiry_reminder")] == [f"expiry:{licence.pk}:60"]


def test_a_licence_expires_when_its_last_valid_day_ends_in_tokyo(licence, exporter):
    sweep_at("licence-expiry", tokyo(2029, 1, 9, 23, 59, 30))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ACTIVE
    # 00:00 in Tokyo is still 9 Jan in UTC: the authority's date is what counts.
    sweep_at("licence-expiry", tokyo(2029, 1, 10, 0, 0, 30))
    sweep_at("licence-expiry", tokyo(2029, 1, 10, 0, 5))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.EXPIRED
    events = Event.objects.filter(verb="licence.expired", subject_id=str(licence.pk))
    assert events.count() == 1
    assert events.get().payload["valid_until"] == "2029-01-09"
    assert [n.recipient for n in notified("licence.expired")] == [exporter]


def test_a_suspended_licence_expires_too(licence, officer):
    at(tokyo(2026, 6, 1, 10), licence_svc.licence_suspend, licence=licence, official=officer, reason="Audit.")
    sweep_at("licence-expiry", tokyo(2029, 1, 10, 9))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.EXPIRED


def test_expired_licences_get_no_reminders(licence):
    sweep_at("licence-expiry", tokyo(2029, 1, 10, 9))
    sweep_at("licence-expiry-reminders", tokyo(2029, 1, 10, 9))
    assert notified("licence.expiry_reminder") == []


def test_a_fully_drawn_licence_left_active_is_exhausted_by_the_safety_net(make_licence, exporter):
    drawn, partly = (at(tokyo(2026, 1, 10, 10), make_licence) for _ in range(2))
    # A data fix drew them down without going through licence_record_shipment.
    Licence.objects.filter(pk=drawn.pk).update(quantity_shipped=F("quantity_authorised"))
    Licence.objects.filter(pk=partly.pk).update(quantity_shipped=Decimal("1"))
    first = sweep_at("licence-exhaustion", tokyo(2026, 2, 1, 9))
    second = sweep_at("licence-exhaustion", tokyo(2026, 2, 1, 10))
    assert (first["changed"], second["changed"]) == (1, 0)
    assert Licence.objects.get(pk=drawn.pk).status == Licence.Status.EXHAUSTED
    assert Licence.objects.get(pk=partly.pk).status == Licence.Status.ACTIVE
    assert Event.objects.filter(verb="licence.exhausted", subject_id=str(drawn.pk)).count() == 1
    assert Event.objects.filter(verb="licence.exhausted").count() == 1


def test_the_last_shipment_exhausts_the_licence_without_the_sweep(make_licence, exporter):
    lic = at(tokyo(2026, 1, 10, 10), make_licence)
    at(
        tokyo(2026, 1, 20, 10),
        licence_svc.licence_record_shipment,
        licence=lic,
        user=exporter,
        shipped_on=date(2026, 1, 20),
        quantity=lic.quantity_authorised,
        consignee_name="Hanbit Semiconductor Co., Ltd.",
    )
    assert sweep_at("licence-exhaustion", tokyo(2026, 2, 1, 9))["changed"] == 0
    assert Event.objects.filter(verb="licence.exhausted", subject_id=str(lic.pk)).count() == 1


def test_expiry_queries_grow_with_licences_that_expire_not_with_all_licences(
    make_licence, django_assert_max_num_queries
):
    for _ in range(3):
        at(tokyo(2026, 1, 10, 10), make_licence)
    with django_assert_max_num_queries(5):  # authorities, then one candidate query per authority
        report = at(tokyo(2027, 1, 1, 9), licence_expiry_sweep)
    assert report.changed == 0
    at(tokyo(2027, 1, 1, 8), licence_expiry_reminder_sweep)  # schedules the new licences' reminders
    # licences not scheduled yet, authorities, then per authority the licences due today
    with django_assert_max_num_queries(1 + 1 + 2):
        report = at(tokyo(2027, 1, 1, 9), licence_expiry_reminder_sweep)
    assert report.changed == 0


def test_a_backlog_bigger_than_one_run_is_finished_by_the_next_runs(make_licence, settings):
    settings.KYOKA_SWEEP_MAX_PER_RUN = 2
    settings.KYOKA_SWEEP_BATCH_SIZE = 1
    for _ in range(3):
        at(tokyo(2026, 1, 10, 10), make_licence)
    first = sweep_at("licence-expiry", tokyo(2029, 1, 10, 9))
    second = sweep_at("licence-expiry", tokyo(2029, 1, 10, 9, 5))
    assert (first["changed"], first["batches"], second["changed"]) == (2, 2, 1)
    assert not Licence.objects.filter(status=Licence.Status.ACTIVE).exists()
