"""Licences after issue: shipments drawn against them, suspension, revocation, expiry, exhaustion."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from licensing.errors import ApplicationIncomplete, QuantityExceeded, ShipmentRefused, TransitionNotAllowed
from licensing.models import Licence, LicenceType, Shipment
from licensing.permissions import require_exporter_of, require_official
from licensing.services.clock import local_date
from licensing.services.events import Verb, event_record
from materials.models import ControlledItem


def _locked(licence: Licence) -> Licence:
    return Licence.objects.select_for_update(of=("self",)).select_related("authority", "item").get(pk=licence.pk)


def _event(licence: Licence, verb: str, actor: Any, **payload: Any) -> None:
    event_record(
        verb=verb,
        subject=licence,
        actor=actor,
        organisation_id=licence.organisation_id,
        authority_id=licence.authority_id,
        payload={"number": licence.number, "status": licence.status, **payload},
    )


def _save(licence: Licence, **kwargs: Any) -> None:
    try:
        licence.save(**kwargs)
    except ConcurrentTransition as exc:
        raise TransitionNotAllowed(
            _("Licence %(number)s was changed by someone else; reload and try again.") % {"number": licence.number}
        ) from exc


@transaction.atomic
def licence_record_shipment(
    *,
    licence: Licence,
    user: Any,
    shipped_on: date,
    quantity: Decimal,
    consignee_name: str,
    item: ControlledItem | None = None,
    destination: str | None = None,
    reference: str = "",
) -> Shipment:
    """Draw a shipment against a licence. The row lock means two at once can never overdraw."""
    lic = _locked(licence)
    require_exporter_of(user, lic)
    item = item or lic.item
    destination = destination or lic.destination.code
    today = local_date(lic.authority, timezone.now())
    if lic.status != Licence.Status.ACTIVE:
        raise ShipmentRefused(
            _("Licence %(number)s is %(status)s: no shipment can be recorded.")
            % {"number": lic.number, "status": str(lic.get_status_display()).lower()}
        )
    if quantity is None or quantity <= 0:
        raise ShipmentRefused(_("The quantity must be more than zero."))
    if not consignee_name.strip():
        raise ApplicationIncomplete(
            _("The consignee is required."), fields={"consignee_name": _("Name the consignee.")}
        )
    if shipped_on > today:
        raise ShipmentRefused(
            _("The shipment date %(date)s is in the future; record shipments once made.")
            % {"date": f"{shipped_on:%Y-%m-%d}"}
        )
    if shipped_on < lic.valid_from:
        raise ShipmentRefused(
            _("Licence %(number)s is valid from %(date)s; the shipment is dated before that.")
            % {"number": lic.number, "date": f"{lic.valid_from:%Y-%m-%d}"}
        )
    if shipped_on > lic.valid_until:
        raise ShipmentRefused(
            _("Licence %(number)s expired on %(date)s; the shipment is dated after that.")
            % {"number": lic.number, "date": f"{lic.valid_until:%Y-%m-%d}"}
        )
    if item.pk != lic.item_id:
        raise ShipmentRefused(
            _("Licence %(number)s covers %(item)s, not %(other)s.")
            % {"number": lic.number, "item": lic.item.name, "other": item.name}
        )
    if destination != lic.destination.code:
        raise ShipmentRefused(
            _("Licence %(number)s covers shipments to %(country)s, not %(other)s.")
            % {"number": lic.number, "country": lic.destination.name, "other": destination}
        )
    if lic.licence_type == LicenceType.INDIVIDUAL and lic.shipments.exists():
        raise ShipmentRefused(
            _("Licence %(number)s is an individual licence: it covers one shipment, already recorded.")
            % {"number": lic.number}
        )
    remaining = lic.quantity_remaining
    if quantity > remaining:
        raise QuantityExceeded(
            _("%(quantity)s %(unit)s is more than the %(remaining)s %(unit)s remaining on licence %(number)s.")
            % {"quantity": quantity, "unit": lic.unit, "remaining": remaining, "number": lic.number},
            remaining=str(remaining),
        )
    shipment = Shipment.objects.create(
        licence=lic,
        shipped_on=shipped_on,
        item=item,
        destination=destination,
        quantity=quantity,
        consignee_name=consignee_name.strip(),
        reference=reference.strip(),
        recorded_by=user,
    )
    # Set-based increment under the row lock; the CHECK constraint is the last line of defence.
    Licence.objects.filter(pk=lic.pk).update(
        quantity_shipped=F("quantity_shipped") + quantity, updated_at=timezone.now()
    )
    lic.refresh_from_db()
    _event(
        lic,
        Verb.SHIPMENT_RECORDED,
        user,
        shipment_id=shipment.pk,
        quantity=str(quantity),
        quantity_remaining=str(lic.quantity_remaining),
        shipped_on=shipped_on.isoformat(),
    )
    if lic.licence_type == LicenceType.INDIVIDUAL or lic.quantity_remaining <= 0:
        lic.exhaust()
        _save(lic)
        _event(lic, Verb.LICENCE_EXHAUSTED, None, quantity_remaining=str(lic.quantity_remaining))
    return shipment


def _official_transition(
    licence: Licence, *, official: Any, name: str, perm: str, verb: str, reason: str, label: str
) -> Licence:
    lic = _locked(licence)
    require_official(official, lic, perm)
    if not reason.strip():
        raise ApplicationIncomplete(f"A reason is required to {label}.", fields={"reason": "Give the reason."})
    method = getattr(lic, name)
    if not can_proceed(method):
        raise TransitionNotAllowed(
            f"Licence {lic.number} is {lic.get_status_display().lower()}: you cannot {label} it."
        )
    method()
    lic.status_reason = reason.strip()
    _save(lic)
    _event(lic, verb, official, reason=lic.status_reason)
    return lic


@transaction.atomic
def licence_suspend(*, licence: Licence, official: Any, reason: str) -> Licence:
    return _official_transition(
        licence,
        official=official,
        name="suspend",
        perm="licensing.suspend_licence",
        verb=Verb.LICENCE_SUSPENDED,
        reason=reason,
        label="suspend",
    )


@transaction.atomic
def licence_reinstate(*, licence: Licence, official: Any, reason: str) -> Licence:
    return _official_transition(
        licence,
        official=official,
        name="reinstate",
        perm="licensing.suspend_licence",
        verb=Verb.LICENCE_REINSTATED,
        reason=reason,
        label="reinstate",
    )


@transaction.atomic
def licence_revoke(*, licence: Licence, official: Any, reason: str) -> Licence:
    return _official_transition(
        licence,
        official=official,
        name="revoke",
        perm="licensing.revoke_licence",
        verb=Verb.LICENCE_REVOKED,
        reason=reason,
        label="revoke",
    )


@transaction.atomic
def licence_expire(*, licence: Licence, today: date) -> bool:
    """Expire a licence whose last valid day has ended (authority time). Idempotent: False if nothing to do."""
    lic = _locked(licence)
    if lic.valid_until >= today or not can_proceed(lic.expire):
        return False
    lic.expire()
    lic.status_reason = f"Validity ended on {lic.valid_until:%Y-%m-%d}."
    _save(lic)
    _event(lic, Verb.LICENCE_EXPIRED, None, valid_until=lic.valid_until.isoformat())
    return True
