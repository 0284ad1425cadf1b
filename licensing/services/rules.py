"""Saving regime rules: overlaps for the same key are refused, naming the conflicting rule."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from licensing.models import RegimeRule
from licensing.selectors.regimes import overlapping_rules
from licensing.services.events import Verb, event_record


def rule_validate(rule: RegimeRule) -> None:
    """Raise ValidationError naming the conflicting rule, if the rule's period overlaps its key's."""
    if rule.effective_to and rule.effective_to < rule.effective_from:
        raise ValidationError({"effective_to": "The period ends before it starts."})
    if bool(rule.destination_country) == bool(rule.destination_group_id):
        raise ValidationError("Give either a destination country or a destination group, not both.")
    if rule.destination_group_id and rule.destination_group.authority_id != rule.authority_id:
        raise ValidationError({"destination_group": "That group belongs to another authority."})
    if rule.licence_type != "bulk" and rule.bulk_type:
        raise ValidationError({"bulk_type": "Only bulk licences have a bulk sub-type."})
    clash = overlapping_rules(
        authority_id=rule.authority_id,
        item_id=rule.item_id,
        destination_country=str(rule.destination_country or ""),
        destination_group_id=rule.destination_group_id,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        exclude_pk=rule.pk,
    ).first()
    if clash is not None:
        end = clash.effective_to or "open-ended"
        raise ValidationError(
            f"This rule overlaps rule #{clash.pk} ({clash.effective_from} → {end}) for the same item and "
            "destination. End that rule first, or change the dates."
        )


@transaction.atomic
def rule_save(*, rule: RegimeRule, user: Any = None) -> RegimeRule:
    """Create or change a rule (the admin's save calls this). Applications already filed keep
    their frozen regime; only new submissions see the change."""
    created = rule.pk is None
    # Lock the rules of this authority so two officials cannot save overlapping rules at once.
    list(RegimeRule.objects.select_for_update().filter(authority_id=rule.authority_id).values_list("pk"))
    rule_validate(rule)
    rule.save()
    event_record(
        verb=Verb.RULE_CHANGED,
        subject=rule,
        actor=user,
        authority_id=rule.authority_id,
        payload={
            "rule_id": rule.pk,
            "created": created,
            "authority": rule.authority.code,
            "item": rule.item.slug if rule.item_id else None,
            "destination_country": str(rule.destination_country or "") or None,
            "destination_group": rule.destination_group.code if rule.destination_group_id else None,
            "licence_type": rule.licence_type,
            "bulk_type": rule.bulk_type,
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        },
    )
    return rule
