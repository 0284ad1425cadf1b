"""Changing the whitelist: grouping rows with no overlaps, and scheduled amendments."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from licensing.errors import OverlappingPeriod, TransitionNotAllowed
from licensing.services.events import Verb, event_record

from .models import Amendment, Authority, CountryGroup, Grouping
from .selectors import group_on_date, overlapping_groupings


def grouping_validate(grouping: Grouping) -> None:
    """Raise ValidationError if the row overlaps another for the same authority and country."""
    if grouping.effective_to and grouping.effective_to < grouping.effective_from:
        raise ValidationError({"effective_to": "The period ends before it starts."})
    if grouping.group_id and grouping.authority_id and grouping.group.authority_id != grouping.authority_id:
        raise ValidationError({"group": "That group belongs to another authority."})
    clash = overlapping_groupings(
        authority_id=grouping.authority_id,
        country=str(grouping.country),
        effective_from=grouping.effective_from,
        effective_to=grouping.effective_to,
        exclude_pk=grouping.pk,
    ).first()
    if clash is not None:
        raise ValidationError(f"This period overlaps an existing grouping: {clash}.")


@transaction.atomic
def amendment_schedule(
    *,
    authority: Authority,
    country: str,
    new_group: CountryGroup,
    effective_date: date,
    legal_basis: str,
    user: Any = None,
) -> Amendment:
    """Record a decided change of group from ``effective_date``.

    The grouping rows change now (the open row ends the day before; a new open row starts on the
    date), so ``determine_regime`` answers correctly for any date; the amendment itself is marked
    in force -- and partners and exporters are told -- when the date arrives (Celery).
    """
    if new_group.authority_id != authority.pk:
        raise ValidationError({"new_group": "That group belongs to another authority."})
    if not legal_basis.strip():
        raise ValidationError({"legal_basis": "Give the legal basis or notice reference."})
    # Lock the country's rows for this authority: two amendments at once cannot interleave.
    rows = list(Grouping.objects.select_for_update().filter(authority=authority, country=country))
    later = [g for g in rows if g.effective_from >= effective_date]
    if later:
        raise OverlappingPeriod(
            f"{country} already has a grouping starting on or after {effective_date:%Y-%m-%d} "
            f"({later[0]}); end or cancel that first."
        )
    current = group_on_date(authority=authority, country=country, on_date=effective_date)
    previous_group = current.group if current else None
    if previous_group is not None and previous_group.pk == new_group.pk:
        raise ValidationError({"new_group": f"{country} is already in group {new_group.code} on that date."})
    amendment = Amendment.objects.create(
        authority=authority,
        country=country,
        new_group=new_group,
        previous_group=previous_group,
        effective_date=effective_date,
        legal_basis=legal_basis.strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    if current is not None and current.grouping is not None:
        row = current.grouping
        row.effective_to = effective_date - timedelta(days=1)
        row.save(update_fields=["effective_to"])
    Grouping.objects.create(
        authority=authority,
        country=country,
        group=new_group,
        effective_from=effective_date,
        legal_basis=legal_basis.strip(),
        source=f"Amendment #{amendment.pk}",
        amendment=amendment,
    )
    event_record(
        verb=Verb.WHITELIST_AMENDMENT_SCHEDULED,
        subject=amendment,
        actor=user,
        authority_id=authority.pk,
        payload=amendment_payload(amendment),
    )
    return amendment


def amendment_payload(amendment: Amendment) -> dict[str, Any]:
    return {
        "authority": amendment.authority.code,
        "country": str(amendment.country),
        "previous_group": amendment.previous_group.code if amendment.previous_group else None,
        "new_group": amendment.new_group.code,
        "effective_date": amendment.effective_date.isoformat(),
        "legal_basis": amendment.legal_basis,
    }


@transaction.atomic
def amendment_cancel(*, amendment: Amendment, user: Any = None) -> Amendment:
    """Cancel a scheduled amendment before its date: the grouping rows go back as they were."""
    amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != Amendment.Status.SCHEDULED:
        raise TransitionNotAllowed(
            f"The amendment is {amendment.get_status_display().lower()}; it cannot be cancelled."
        )
    Grouping.objects.filter(amendment=amendment).delete()
    previous = (
        Grouping.objects.select_for_update()
        .filter(
            authority=amendment.authority,
            country=amendment.country,
            effective_to=amendment.effective_date - timedelta(days=1),
        )
        .first()
    )
    if previous is not None:
        previous.effective_to = None
        previous.save(update_fields=["effective_to"])
    amendment.status = Amendment.Status.CANCELLED
    amendment.save(update_fields=["status"])
    event_record(
        verb=Verb.WHITELIST_AMENDMENT_SCHEDULED,
        subject=amendment,
        actor=user,
        authority_id=amendment.authority_id,
        payload={**amendment_payload(amendment), "cancelled": True},
    )
    return amendment
