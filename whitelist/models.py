"""Authorities, their country groups over time, scheduled amendments and office calendars.

Periods are inclusive on both ends (``effective_to`` is the last day in force; blank = open-ended),
matching how the law states them: "Group A until 2019-08-27, Group B from 2019-08-28".
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class Authority(models.Model):
    """A licensing authority, e.g. Japan's METI or Korea's MOTIE."""

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("e.g. JP, KR"))
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    timezone = models.CharField(_("time zone"), max_length=64, help_text=_("e.g. Asia/Tokyo"))
    holiday_calendar = models.CharField(
        _("holiday calendar"), max_length=8, help_text=_("Country code for the `holidays` package.")
    )
    default_group = models.ForeignKey(
        "CountryGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Group of any country with no grouping row on a date. A documented default, not law: "
            "add explicit grouping rows where the law lists a country."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("licensing authority")
        verbose_name_plural = _("licensing authorities")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class CountryGroup(models.Model):
    """One of an authority's destination groups: Japan's A–D, Korea's Ga / Ga-1 / Ga-2 / Na."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    trust_rank = models.PositiveSmallIntegerField(
        _("trust rank"), default=0, help_text=_("Higher = more trusted (used to tell tightening from easing).")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["authority", "-trust_rank", "code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="unique_group_code")]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.code}"


class Grouping(models.Model):
    """Which group a country is in, for one authority, over one period."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="groupings")
    country = CountryField(_("country"), db_index=True)
    group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, related_name="groupings")
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True, help_text=_("Last day; blank = open."))
    legal_basis = models.CharField(_("legal basis / notice"), max_length=300, blank=True)
    source = models.TextField(_("source"), blank=True)
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="groupings"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["authority", "country", "effective_from"]
        indexes = [models.Index(fields=["authority", "country", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="grouping_period_valid",
            ),
            models.UniqueConstraint(fields=["authority", "country", "effective_from"], name="unique_grouping_start"),
        ]

    def __str__(self) -> str:
        end = self.effective_to or "…"
        return f"{self.authority.code}: {self.country.code} in {self.group.code} {self.effective_from} → {end}"


class Amendment(models.Model):
    """A decided change to a country's group, taking effect on a date (00:00 authority time)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_FORCE = "in_force", _("In force")
        CANCELLED = "cancelled", _("Cancelled")

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="amendments")
    country = CountryField(_("country"))
    new_group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, related_name="+")
    previous_group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, null=True, related_name="+")
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis / notice reference"), max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_date"]
        indexes = [models.Index(fields=["status", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.authority.code}: {self.country.code} → {self.new_group.code} on {self.effective_date}"


class CalendarClosure(models.Model):
    """Days an authority's offices are closed beyond public holidays (e.g. Japan's 29 Dec – 3 Jan).

    A yearly closure repeats every year on the same month/day range (it may wrap the new year).
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    repeats_yearly = models.BooleanField(_("repeats every year"), default=False)
    source = models.TextField(_("source"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["authority", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="closure_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.authority.code}: {self.name}"
