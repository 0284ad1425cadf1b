"""determine_regime: which licence regime applies to an item going to a destination on a date."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from licensing.errors import AmbiguousRegime, NoRegime
from licensing.models import RegimeRule, RuleDocument
from materials.models import ControlledItem
from whitelist.models import Authority
from whitelist.selectors import GroupOnDate, group_on_date


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    name: str
    name_ja: str
    mandatory: bool
    condition: str
    formats: tuple[str, ...]
    document_type_id: int


@dataclass(frozen=True)
class Regime:
    """The rule in force, with its explanation (which rule, which grouping row)."""

    rule: RegimeRule
    group: GroupOnDate
    destination: str
    on_date: date
    documents: tuple[RequiredDocument, ...]

    @property
    def licence_type(self) -> str:
        return self.rule.licence_type

    @property
    def matched_on(self) -> str:
        item = "item" if self.rule.item_id else "all items"
        dest = "country" if self.rule.destination_country else "group"
        return f"{item} + {dest}"

    def explanation(self) -> str:
        rule = self.rule
        item = rule.item.name if rule.item_id else "all controlled items"
        if rule.destination_country:
            target = f"destination {rule.destination_country.name} specifically"
        else:
            target = f"destinations in group {rule.destination_group.code}"  # type: ignore[union-attr]
        until = f"until {rule.effective_to:%Y-%m-%d}" if rule.effective_to else "with no end date"
        grouping = self.group.grouping
        if grouping is not None:
            g_until = f"until {grouping.effective_to:%Y-%m-%d}" if grouping.effective_to else "open-ended"
            why_group = (
                f"{self.destination} is in group {self.group.group.code} from {grouping.effective_from:%Y-%m-%d} "
                f"({g_until}; {grouping.legal_basis or 'no legal basis recorded'})"
            )
        else:
            why_group = (
                f"{self.destination} has no grouping row; the authority's default group {self.group.group.code} applies"
            )
        return (
            f"Rule #{rule.pk} for {item} to {target}, in force from {rule.effective_from:%Y-%m-%d} {until}"
            f"{' (' + rule.legal_basis + ')' if rule.legal_basis else ''}. {why_group}."
        )

    def snapshot(self) -> dict[str, Any]:
        """What is frozen onto an application at submission (plain JSON)."""
        rule = self.rule
        grouping = self.group.grouping
        return {
            "rule_id": rule.pk,
            "authority": rule.authority.code,
            "licence_type": rule.licence_type,
            "bulk_type": rule.bulk_type,
            "processing_days": rule.processing_days,
            "processing_basis": rule.processing_basis,
            "validity_months": rule.validity_months,
            "effective_from": rule.effective_from.isoformat(),
            "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
            "legal_basis": rule.legal_basis,
            "destination": self.destination,
            "destination_group": self.group.group.code,
            "grouping_id": grouping.pk if grouping else None,
            "determined_on": self.on_date.isoformat(),
            "documents": [
                {
                    "code": d.code,
                    "name": d.name,
                    "name_ja": d.name_ja,
                    "mandatory": d.mandatory,
                    "condition": d.condition,
                    "document_type_id": d.document_type_id,
                }
                for d in self.documents
            ],
            "explanation": self.explanation(),
        }


def rules_in_force(*, authority: Authority, on_date: date) -> QuerySet[RegimeRule]:
    return RegimeRule.objects.filter(authority=authority, effective_from__lte=on_date).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on_date)
    )


def determine_regime(*, authority: Authority, item: ControlledItem, destination: str, on_date: date) -> Regime:
    """The regime in force, or ``NoRegime`` -- never a guess.

    Specificity: item beats "all items", then country beats group. Within the winning level exactly
    one rule must match (overlaps are refused when rules are saved; ``AmbiguousRegime`` guards it).
    """
    group = group_on_date(authority=authority, country=destination, on_date=on_date)
    dest_q = Q(destination_country=destination)
    if group is not None:
        dest_q |= Q(destination_group=group.group)
    candidates = list(
        rules_in_force(authority=authority, on_date=on_date)
        .filter(Q(item=item) | Q(item__isnull=True))
        .filter(dest_q)
        .select_related("authority", "item", "destination_group")
    )
    if not candidates:
        raise NoRegime(
            f"No regime rule of {authority.code} covers {item.name} to {destination} on {on_date:%Y-%m-%d}.",
            authority=authority.code,
            item=item.slug,
            destination=destination,
            date=on_date.isoformat(),
        )

    def specificity(rule: RegimeRule) -> tuple[int, int]:
        return (1 if rule.item_id else 0, 1 if rule.destination_country else 0)

    best = max(specificity(r) for r in candidates)
    winners = [r for r in candidates if specificity(r) == best]
    if len(winners) > 1:
        raise AmbiguousRegime(
            f"{len(winners)} rules match equally: " + ", ".join(f"#{r.pk}" for r in winners),
            rules=[r.pk for r in winners],
        )
    rule = winners[0]
    if group is None:
        # A country-specific rule can apply without a grouping; the explanation still needs a group.
        raise NoRegime(
            f"{destination} has no group for {authority.code} on {on_date:%Y-%m-%d} and no default group is set.",
            destination=destination,
        )
    documents = tuple(
        RequiredDocument(
            code=rd.document_type.code,
            name=rd.document_type.name,
            name_ja=rd.document_type.name_ja,
            mandatory=rd.mandatory,
            condition=rd.condition,
            formats=tuple(rd.document_type.formats),
            document_type_id=rd.document_type_id,
        )
        for rd in RuleDocument.objects.filter(rule=rule).select_related("document_type").order_by("position", "id")
    )
    return Regime(rule=rule, group=group, destination=destination, on_date=on_date, documents=documents)


def overlapping_rules(
    *,
    authority_id: int,
    item_id: int | None,
    destination_country: str,
    destination_group_id: int | None,
    effective_from: date,
    effective_to: date | None,
    exclude_pk: int | None = None,
) -> QuerySet[RegimeRule]:
    """Rules with the same key whose period overlaps the given one."""
    qs = RegimeRule.objects.filter(
        authority_id=authority_id,
        item_id=item_id,
        destination_country=destination_country or "",
        destination_group_id=destination_group_id,
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
    if effective_to is not None:
        qs = qs.filter(effective_from__lte=effective_to)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs
