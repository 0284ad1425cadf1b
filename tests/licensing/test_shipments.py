"""Shipments drawn against licences: the ledger, its refusals, and no overdraw under concurrency."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from licensing.errors import PermissionDenied, QuantityExceeded, ShipmentRefused
from licensing.models import Event, Licence, Shipment
from licensing.services.licences import licence_record_shipment, licence_revoke, licence_suspend
from materials.models import ControlledItem

pytestmark = pytest.mark.django_db


def ship(licence, user, quantity, shipped_on=None, **kwargs):
    return licence_record_shipment(
        licence=licence,
        user=user,
        shipped_on=shipped_on or licence.valid_from,
        quantity=Decimal(quantity),
        consignee_name="Hanbit Semiconductor",
        **kwargs,
    )


def test_a_bulk_licence_covers_many_shipments_until_its_quantity_runs_out(make_licence, exporter):
    licence = make_licence(quantity=Decimal("100"))
    assert licence.licence_type == "bulk"
    ship(licence, exporter, "30")
    ship(licence, exporter, "50")
    licence.refresh_from_db()
    assert licence.quantity_remaining == Decimal("20")
    assert licence.status == Licence.Status.ACTIVE
    ship(licence, exporter, "20")
    licence.refresh_from_db()
    assert licence.status == Licence.Status.EXHAUSTED
    assert Event.objects.filter(verb="licence.exhausted", subject_id=str(licence.pk)).count() == 1


def test_a_shipment_over_the_remaining_quantity_is_refused_and_nothing_is_written(make_licence, exporter):
    licence = make_licence(quantity=Decimal("100"))
    ship(licence, exporter, "70")
    with pytest.raises(QuantityExceeded, match=r"30\.000 kg remaining"):
        ship(licence, exporter, "31")
    licence.refresh_from_db()
    assert licence.quantity_shipped == Decimal("70")
    assert Shipment.objects.filter(licence=licence).count() == 1


def test_an_individual_licence_covers_one_shipment(make_licence, exporter):
    with time_machine.travel("2020-03-02 01:00:00+00:00", tick=False):
        licence = make_licence(quantity=Decimal("100"))
        assert licence.licence_type == "individual"
        ship(licence, exporter, "40")
        licence.refresh_from_db()
        assert licence.status == Licence.Status.EXHAUSTED
        with pytest.raises(ShipmentRefused, match="exhausted"):
            ship(licence, exporter, "10")


def test_a_shipment_after_valid_until_is_refused(make_licence, exporter):
    with time_machine.travel("2020-03-02 01:00:00+00:00", tick=False):
        licence = make_licence()
    with (
        time_machine.travel("2020-12-01 01:00:00+00:00", tick=False),
        pytest.raises(ShipmentRefused, match="expired on 2020-09-01"),
    ):
        ship(licence, exporter, "1", shipped_on=date(2020, 9, 2))


def test_a_shipment_dated_in_the_future_or_before_the_licence_is_refused(make_licence, exporter):
    licence = make_licence()
    with pytest.raises(ShipmentRefused, match="future"):
        ship(licence, exporter, "1", shipped_on=licence.valid_from + timedelta(days=3))
    with pytest.raises(ShipmentRefused, match="valid from"):
        ship(licence, exporter, "1", shipped_on=licence.valid_from - timedelta(days=1))


def test_a_shipment_to_another_destination_or_of_another_item_is_refused(make_licence, exporter):
    licence = make_licence()
    with pytest.raises(ShipmentRefused, match="not CN"):
        ship(licence, exporter, "1", destination="CN")
    with pytest.raises(ShipmentRefused, match="covers Resist"):
        ship(licence, exporter, "1", item=ControlledItem.objects.get(slug="hydrogen-fluoride"))
    assert not Shipment.objects.exists()


def test_suspended_and_revoked_licences_take_no_shipments(make_licence, exporter, officer, supervisor_user):
    licence = make_licence()
    licence_suspend(licence=licence, official=officer, reason="Investigation")
    with pytest.raises(ShipmentRefused, match="suspended"):
        ship(licence, exporter, "1")
    licence_revoke(licence=licence, official=supervisor_user, reason="False end-use statement")
    with pytest.raises(ShipmentRefused, match="revoked"):
        ship(licence, exporter, "1")


def test_an_officer_cannot_revoke(make_licence, officer):
    with pytest.raises(PermissionDenied):
        licence_revoke(licence=make_licence(), official=officer, reason="x")


def test_another_organisation_cannot_ship_on_a_licence(make_licence, other_exporter):
    with pytest.raises(PermissionDenied):
        ship(make_licence(), other_exporter, "1")


def test_the_database_refuses_an_overdraw_even_without_the_service(make_licence):
    from django.db import IntegrityError, transaction

    licence = make_licence(quantity=Decimal("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.filter(pk=licence.pk).update(quantity_shipped=Decimal("11"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_shipments_never_overdraw(make_licence, exporter):
    licence = make_licence(quantity=Decimal("100"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            ship(Licence.objects.get(pk=licence.pk), exporter, "60")
            outcomes.append("shipped")
        except QuantityExceeded:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    licence.refresh_from_db()
    assert sorted(outcomes) == ["refused", "shipped"]
    assert licence.quantity_shipped == Decimal("60")
    assert Shipment.objects.filter(licence=licence).count() == 1


def test_a_refusal_speaks_the_users_language(make_licence, exporter):
    from django.utils import translation

    licence = make_licence(quantity=Decimal("10"))
    with translation.override("ja"), pytest.raises(QuantityExceeded) as exc:
        ship(licence, exporter, "11")
    assert "残数量" in exc.value.message
    assert licence.number in exc.value.message
