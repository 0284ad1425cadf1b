"""Reads over regime-conversion offers (for the exporter's application page)."""

from typing import Any

from django.db.models import QuerySet

from licensing.models import OPEN_CASE, Application, RegimeConversionOffer


def conversion_offers_pending(application: Application) -> QuerySet[RegimeConversionOffer]:
    """The offer the exporter can still accept or decline on this application (at most one).

    Empty once the case is decided or withdrawn: an offer only means something while it is open.
    """
    return (
        RegimeConversionOffer.objects.filter(
            application=application,
            status=RegimeConversionOffer.Status.PENDING,
            application__status__in=OPEN_CASE,
        )
        .select_related("to_rule", "from_rule", "amendment")
        .order_by("-offered_at")
    )


def conversion_offer_for_user(*, user: Any, offer_id: int) -> RegimeConversionOffer:
    """One offer on the user's own organisation's application; another organisation's raises
    DoesNotExist (a 404), never a 403 that would confirm the offer exists."""
    return RegimeConversionOffer.objects.select_related("application", "to_rule").get(
        pk=offer_id, application__organisation_id=getattr(user, "organisation_id", None) or -1
    )


def conversion_offers_of(application: Application) -> QuerySet[RegimeConversionOffer]:
    """Every offer ever made on the application, newest first (its history)."""
    return (
        RegimeConversionOffer.objects.filter(application=application).select_related("to_rule").order_by("-offered_at")
    )
