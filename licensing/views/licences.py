"""Licences: the shipment ledger, recording a shipment, and the printable certificate."""

import re
from decimal import Decimal
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from licensing.errors import ApplicationIncomplete, DomainError, QuantityExceeded, ShipmentRefused
from licensing.forms import ShipmentForm
from licensing.models import Licence
from licensing.selectors.exporter import exporter_licence_detail
from licensing.services.licences import licence_record_shipment
from licensing.views.common import add_validation_errors, authority_today, exporter_required


def quantity_text(value: Decimal) -> str:
    """40.000 → "40", 12.500 → "12.5": quantities in messages as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def licence_page(
    request: HttpRequest, licence: Licence, *, form: ShipmentForm | None = None, **extra: Any
) -> HttpResponse:
    today = authority_today(licence.authority)
    if form is None:
        form = ShipmentForm(
            today=today, initial={"shipped_on": today, "consignee_name": licence.application.consignee_name}
        )
    context = {
        "licence": licence,
        "application": licence.application,
        "shipments": list(licence.shipments.all()),
        "today": today,
        "days_to_expiry": (licence.valid_until - today).days,
        "can_ship": licence.status == Licence.Status.ACTIVE and licence.valid_from <= today <= licence.valid_until,
        "form": form,
        **extra,
    }
    return render(request, "licensing/licence_detail.html", context)


@exporter_required
@require_GET
def licence_detail(request: HttpRequest, number: str) -> HttpResponse:
    licence = exporter_licence_detail(organisation_id=request.user.organisation_id, number=number)
    return licence_page(request, licence)


@exporter_required
@require_POST
def licence_shipment_record(request: HttpRequest, number: str) -> HttpResponse:
    licence = exporter_licence_detail(organisation_id=request.user.organisation_id, number=number)
    form = ShipmentForm(request.POST, today=authority_today(licence.authority))
    if not form.is_valid():
        return licence_page(request, licence, form=form)
    try:
        shipment = licence_record_shipment(
            licence=licence,
            user=request.user,
            shipped_on=form.cleaned_data["shipped_on"],
            quantity=form.cleaned_data["quantity"],
            consignee_name=form.cleaned_data["consignee_name"],
            reference=form.cleaned_data["reference"],
        )
    except QuantityExceeded as exc:
        form.add_error(
            "quantity",
            _("%(quantity)s %(unit)s is more than the %(remaining)s %(unit)s remaining on this licence.")
            % {
                "quantity": quantity_text(form.cleaned_data["quantity"]),
                "unit": licence.unit,
                "remaining": quantity_text(Decimal(str(exc.details.get("remaining", licence.quantity_remaining)))),
            },
        )
        return licence_page(request, licence, form=form, refused=True)
    except ApplicationIncomplete as exc:
        for name, problem in exc.fields.items():
            form.add_error(name if name in form.fields else None, problem)
        return licence_page(request, licence, form=form, refused=True)
    except ShipmentRefused as exc:
        form.add_error(None, _("Shipment refused: %(reason)s") % {"reason": exc.message})
        return licence_page(request, licence, form=form, refused=True)
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return licence_page(request, licence, form=form, refused=True)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return licence_page(request, licence, form=form, refused=True)
    licence.refresh_from_db(fields=["quantity_shipped", "status"])
    messages.success(
        request,
        _("Shipment of %(quantity)s %(unit)s recorded. Remaining on the licence: %(remaining)s %(unit)s.")
        % {
            "quantity": quantity_text(Decimal(shipment.quantity)),
            "unit": licence.unit,
            "remaining": quantity_text(licence.quantity_remaining),
        },
    )
    return redirect(reverse("licensing:licence_detail", args=[licence.number]) + "#shipments")


def verification_url(licence: Licence) -> str:
    return settings.SITE_URL + reverse("licensing:verify", args=[licence.verification_code])


_SVG_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def qr_svg(data: str, *, title: str) -> SafeString:
    """An inline SVG QR code (no Pillow, no style attributes: it satisfies the CSP)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    svg = _SVG_SIZE.sub("", svg, count=2)  # sized by the stylesheet instead of in millimetres
    svg = svg.replace("<svg ", '<svg class="qr" role="img" aria-labelledby="qr-title" ', 1)
    head, sep, rest = svg.partition(">")
    svg = f'{head}{sep}<title id="qr-title">{escape(title)}</title>{rest}'

    # The payload is our own URL, made of [A-Z2-9] codes and the configured SITE_URL.
    return mark_safe(svg)


@exporter_required
@require_GET
def licence_certificate(request: HttpRequest, number: str) -> HttpResponse:
    licence = exporter_licence_detail(organisation_id=request.user.organisation_id, number=number)
    url = verification_url(licence)
    context = {
        "licence": licence,
        "application": licence.application,
        "verification_url": url,
        "qr": qr_svg(url, title=_("QR code linking to the verification page %(url)s") % {"url": url}),
        "today": authority_today(licence.authority),
    }
    return render(request, "licensing/licence_certificate.html", context)
