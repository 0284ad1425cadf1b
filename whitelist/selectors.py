"""Reads over the whitelist: which group a country was in, for an authority, on a date."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from .models import Authority, CountryGroup, Grouping


@dataclass(frozen=True)
class GroupOnDate:
    """The answer to "what group was country X in for authority Y on date D", with its evidence."""

    group: CountryGroup
    grouping: Grouping | None  # None when the authority's documented default group applied

    @property
    def is_default(self) -> bool:
        return self.grouping is None


def groupings_in_force(*, authority: Authority, on_date: date) -> QuerySet[Grouping]:
    return Grouping.objects.filter(authority=authority, effective_from__lte=on_date).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on_date)
    )


def group_on_date(*, authority: Authority, country: str, on_date: date) -> GroupOnDate | None:
    """The group of ``country`` for ``authority`` on ``on_date``; None if nothing says."""
    grouping = (
        groupings_in_force(authority=authority, on_date=on_date)
        .filter(country=country)
        .select_related("group", "authority")
        .first()
    )
    if grouping is not None:
        return GroupOnDate(group=grouping.group, grouping=grouping)
    if authority.default_group_id is not None:
        return GroupOnDate(group=authority.default_group, grouping=None)  # type: ignore[arg-type]
    return None


def grouping_history(*, authority: Authority, country: str) -> QuerySet[Grouping]:
    return (
        Grouping.objects.filter(authority=authority, country=country)
        .select_related("group", "amendment")
        .order_by("effective_from")
    )


def overlapping_groupings(
    *, authority_id: int, country: str, effective_from: date, effective_to: date | None, exclude_pk: int | None = None
) -> QuerySet[Grouping]:
    qs = Grouping.objects.filter(authority_id=authority_id, country=country).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from)
    )
    if effective_to is not None:
        qs = qs.filter(effective_from__lte=effective_to)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs
