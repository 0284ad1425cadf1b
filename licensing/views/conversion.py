"""The exporter's choice on a regime-conversion offer: accept (re-freeze) or decline."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from licensing.errors import DomainError
from licensing.models import RegimeConversionOffer
from licensing.selectors.conversion import conversion_offer_for_user
from licensing.services.conversion import application_convert_regime, application_decline_regime_conversion
from licensing.views.common import exporter_required


@exporter_required
@require_POST
def conversion_decide(request: HttpRequest, reference: str, offer_id: int) -> HttpResponse:
    try:
        offer = conversion_offer_for_user(user=request.user, offer_id=offer_id)
    except RegimeConversionOffer.DoesNotExist as exc:
        raise Http404 from exc
    if offer.application.reference != reference:
        raise Http404
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            app = application_convert_regime(offer=offer, user=request.user)
            messages.success(
                request,
                _("The new regime is frozen on %(reference)s; the new due date is %(due)s.")
                % {
                    "reference": app.reference,
                    "due": date_format(app.due_date, "DATE_FORMAT") if app.due_date else "—",
                },
            )
        elif decision == "decline":
            application_decline_regime_conversion(offer=offer, user=request.user)
            messages.success(request, _("You kept the regime frozen at submission."))
        else:
            messages.error(request, _("Choose to convert or to keep the current regime."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("licensing:application_detail", reference=reference)
