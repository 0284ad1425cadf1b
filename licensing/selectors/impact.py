"""What a whitelist amendment would change: the pending applications and live licences whose regime
would differ if the destination were in the new group on the amendment's effective date.

The new grouping is not saved yet when the official previews it, so the rule is resolved here for
a *given* group, with the same selection as ``determine_regime`` (rules in force on the date for the
item or all items, for the country or the group; item beats all items, country beats group;
exactly one winner). A test holds the two to the same answers.

Queries are bounded: the controlled items, the candidate rules, then for applications and for
licences the total, the affected count and one page — eight, whatever the number of cases.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from licensing.models import OPEN_CASE, Application, Licence, LicenceStatus, RegimeRule
from licensing.selectors.regimes import rules_in_force
from materials.models import ControlledItem
from whitelist.models import Authority, CountryGroup

LIVE_LICENCE = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class RuleOutcome:
    """The rule an item would fall under (``rule`` None: no rule, or ``ambiguous`` several)."""

    rule: RegimeRule | None
    ambiguous: tuple[int, ...] = ()

    @property
    def rule_id(self) -> int | None:
        return self.rule.pk if self.rule is not None else None

    @property
    def describe(self) -> str:
        if self.rule is not None:
            return f"{self.rule.get_licence_type_display()} (rule #{self.rule.pk})"
        if self.ambiguous:
            return "ambiguous: rules " + ", ".join(f"#{pk}" for pk in self.ambiguous)
        return "no rule covers it"


@dataclass(frozen=True)
class AffectedCase:
    kind: str  # "application" | "licence"
    pk: int
    label: str  # reference or licence number
    status: str
    organisation: str
    item: str
    current: str  # e.g. "Individual (rule #9)"
    current_rule_id: int | None
    new: str
    new_rule_id: int | None


@dataclass(frozen=True)
class AmendmentImpact:
    authority: Authority
    country: str
    new_group: CountryGroup
    effective_date: date
    outcomes: dict[int, RuleOutcome]  # item id → the rule it would fall under
    applications: list[AffectedCase]
    applications_count: int
    pending_count: int
    licences: list[AffectedCase]
    licences_count: int
    live_licences_count: int
    limit: int

    @property
    def affects_anything(self) -> bool:
        return bool(self.applications_count or self.licences_count)


def resolve_rule(rules: list[RegimeRule], *, item_id: int, country: str, group_id: int | None) -> RuleOutcome:
    """``determine_regime``'s selection over already-loaded candidate rules, for a given group."""
    candidates = [
        r
        for r in rules
        if (r.item_id is None or r.item_id == item_id)
        and (str(r.destination_country) == country or (group_id is not None and r.destination_group_id == group_id))
    ]
    if not candidates:
        return RuleOutcome(rule=None)

    def specificity(rule: RegimeRule) -> tuple[int, int]:
        return (1 if rule.item_id else 0, 1 if rule.destination_country else 0)

    best = max(specificity(r) for r in candidates)
    winners = [r for r in candidates if specificity(r) == best]
    if len(winners) > 1:
        return RuleOutcome(rule=None, ambiguous=tuple(sorted(r.pk for r in winners)))
    return RuleOutcome(rule=winners[0])


def rules_for_group(
    *, authority: Authority, country: str, group: CountryGroup | None, on_date: date
) -> list[RegimeRule]:
    """Every rule in force on the date that could apply to the country when it is in ``group``."""
    dest = Q(destination_country=country)
    if group is not None:
        dest |= Q(destination_group=group)
    return list(rules_in_force(authority=authority, on_date=on_date).filter(dest))


def amendment_impact(
    *,
    authority: Authority,
    country: str,
    new_group: CountryGroup,
    effective_date: date,
    limit: int = DEFAULT_LIMIT,
) -> AmendmentImpact:
    """Pending applications and live licences to ``country`` whose regime on ``effective_date``
    under ``new_group`` differs from the one frozen at their submission.

    Drafts are not looked at: their regime is determined when they are submitted.
    """
    country = str(country)
    rules = rules_for_group(authority=authority, country=country, group=new_group, on_date=effective_date)
    outcomes = {
        item_id: resolve_rule(rules, item_id=item_id, country=country, group_id=new_group.pk)
        for item_id in ControlledItem.objects.order_by().values_list("pk", flat=True)
    }
    # A case is affected when its item would fall under another rule than the one frozen on it.
    differs = Q(pk__in=[])
    for item_id, outcome in outcomes.items():
        same_item = Q(item_id=item_id)
        differs |= same_item if outcome.rule is None else same_item & ~Q(regime_rule_id=outcome.rule_id)

    pending = Application.objects.filter(authority=authority, destination=country, status__in=OPEN_CASE)
    affected_apps = pending.filter(differs)
    live = Licence.objects.filter(authority=authority, destination=country, status__in=LIVE_LICENCE)
    licence_differs = Q(pk__in=[])
    for item_id, outcome in outcomes.items():
        same_item = Q(item_id=item_id)
        licence_differs |= (
            same_item if outcome.rule is None else same_item & ~Q(application__regime_rule_id=outcome.rule_id)
        )
    affected_licences = live.filter(licence_differs)

    return AmendmentImpact(
        authority=authority,
        country=country,
        new_group=new_group,
        effective_date=effective_date,
        outcomes=outcomes,
        applications=[_application_case(a, outcomes) for a in _page(affected_apps, limit)],
        applications_count=affected_apps.count(),
        pending_count=pending.count(),
        licences=[_licence_case(lic, outcomes) for lic in _licence_page(affected_licences, limit)],
        licences_count=affected_licences.count(),
        live_licences_count=live.count(),
        limit=limit,
    )


def _page(qs: QuerySet[Application], limit: int) -> QuerySet[Application]:
    return qs.select_related("organisation", "item", "regime_rule").order_by("due_date", "pk")[:limit]


def _licence_page(qs: QuerySet[Licence], limit: int) -> QuerySet[Licence]:
    return qs.select_related("organisation", "item", "application__regime_rule").order_by("valid_until", "pk")[:limit]


def _frozen(rule: RegimeRule | None, licence_type: str) -> str:
    label = dict(Application._meta.get_field("licence_type").choices or []).get(licence_type, licence_type or "—")
    return f"{label} (rule #{rule.pk})" if rule is not None else str(label)


def _application_case(app: Application, outcomes: dict[int, RuleOutcome]) -> AffectedCase:
    outcome = outcomes.get(app.item_id, RuleOutcome(rule=None))
    return AffectedCase(
        kind="application",
        pk=app.pk,
        label=app.reference,
        status=app.get_status_display(),
        organisation=app.organisation.name,
        item=app.item.name,
        current=_frozen(app.regime_rule, app.licence_type),
        current_rule_id=app.regime_rule_id,
        new=outcome.describe,
        new_rule_id=outcome.rule_id,
    )


def _licence_case(licence: Licence, outcomes: dict[int, RuleOutcome]) -> AffectedCase:
    outcome = outcomes.get(licence.item_id, RuleOutcome(rule=None))
    rule = licence.application.regime_rule
    return AffectedCase(
        kind="licence",
        pk=licence.pk,
        label=licence.number,
        status=licence.get_status_display(),
        organisation=licence.organisation.name,
        item=licence.item.name,
        current=_frozen(rule, licence.licence_type),
        current_rule_id=rule.pk if rule is not None else None,
        new=outcome.describe,
        new_rule_id=outcome.rule_id,
    )
