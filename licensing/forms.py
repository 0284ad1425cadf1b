"""Forms for the exporter pages. They check shape only; the services decide what is allowed."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from licensing.models import Application, ApplicationStatus, DocumentType, LicenceStatus
from licensing.services.applications import REQUIRED_FOR_SUBMISSION
from materials.models import ControlledItem, Unit

CURRENCIES = [
    ("JPY", _("JPY — Japanese yen")),
    ("USD", _("USD — US dollar")),
    ("KRW", _("KRW — Korean won")),
    ("EUR", _("EUR — euro")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ControlledItem) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("ja") and obj.name_ja:
            return obj.name_ja
        return obj.name


def country_choices(blank: str = "") -> list[tuple[str, str]]:
    return [("", blank or "—"), *[(code, name) for code, name in countries]]


class ApplicationForm(forms.Form):
    """Everything an exporter fills in. A draft can be saved with only item and destination."""

    item = ItemChoiceField(
        label=_("Controlled item"),
        queryset=ControlledItem.objects.filter(is_active=True).order_by("kind", "name"),
        empty_label=_("Choose an item"),
    )
    destination = forms.ChoiceField(label=_("Destination country"), choices=country_choices)
    consignee_name = forms.CharField(label=_("Consignee"), max_length=200, required=False)
    consignee_address = forms.CharField(
        label=_("Consignee address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consignee_country = forms.ChoiceField(label=_("Consignee country"), choices=country_choices, required=False)
    end_user_name = forms.CharField(label=_("End user"), max_length=200, required=False)
    end_user_address = forms.CharField(
        label=_("End user address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    end_user_country = forms.ChoiceField(label=_("End user country"), choices=country_choices, required=False)
    end_use = forms.CharField(
        label=_("End use"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the end user will do with the item, e.g. photolithography in wafer fabrication."),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, max_digits=14, decimal_places=3, min_value=Decimal("0.001")
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, required=False)
    value = forms.DecimalField(
        label=_("Value"), required=False, max_digits=16, decimal_places=2, min_value=Decimal("0")
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="JPY")
    shipment_window_start = forms.DateField(label=_("Planned shipment from"), required=False, widget=DateInput())
    shipment_window_end = forms.DateField(label=_("Planned shipment until"), required=False, widget=DateInput())

    # Fields the service requires before submission: marked in the page so nobody is surprised.
    NEEDED_TO_SUBMIT = REQUIRED_FOR_SUBMISSION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consignee_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["end_user_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["quantity"].widget.attrs["inputmode"] = "decimal"
        self.fields["value"].widget.attrs["inputmode"] = "decimal"

    @classmethod
    def initial_from(cls, app: Application) -> dict[str, Any]:
        return {
            "item": app.item_id,
            "destination": app.destination.code if app.destination else "",
            "consignee_name": app.consignee_name,
            "consignee_address": app.consignee_address,
            "consignee_country": app.consignee_country.code if app.consignee_country else "",
            "end_user_name": app.end_user_name,
            "end_user_address": app.end_user_address,
            "end_user_country": app.end_user_country.code if app.end_user_country else "",
            "end_use": app.end_use,
            "quantity": app.quantity,
            "unit": app.unit,
            "value": app.value,
            "currency": app.currency,
            "shipment_window_start": app.shipment_window_start,
            "shipment_window_end": app.shipment_window_end,
        }

    @classmethod
    def bound_from(cls, app: Application) -> "ApplicationForm":
        """A form bound to what is saved, so errors can be shown on its fields."""
        data = {}
        for name, value in cls.initial_from(app).items():
            if value is None:
                data[name] = ""
            elif isinstance(value, date):
                data[name] = value.isoformat()
            else:
                data[name] = str(value)
        return cls(data=data)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("shipment_window_start"), data.get("shipment_window_end")
        if start and end and end < start:
            self.add_error("shipment_window_end", _("The planned shipment window ends before it starts."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """cleaned_data in the shape the services take (blank strings for blank text, None for numbers)."""
        data = dict(self.cleaned_data)
        data.pop("item")
        data.pop("destination")
        if not data.get("unit"):
            data.pop("unit", None)  # the service falls back to the item's default unit
        for name in ("consignee_name", "consignee_address", "end_user_name", "end_user_address", "end_use"):
            data[name] = (data.get(name) or "").strip()
        return data


class RegimePreviewForm(forms.Form):
    """Just item + destination: what the live preview needs."""

    item = forms.ModelChoiceField(queryset=ControlledItem.objects.filter(is_active=True), required=False)
    destination = forms.ChoiceField(choices=country_choices, required=False)


class DocumentUploadForm(forms.Form):
    """One row of the checklist: a file for one document type."""

    document_type = forms.ModelChoiceField(queryset=DocumentType.objects.none(), widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(authority_id=authority_id)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class InformationResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000, strip=True
    )
    document_type = forms.ModelChoiceField(
        label=_("Type of the attached documents"),
        queryset=DocumentType.objects.none(),
        required=False,
        empty_label=_("Choose the document type"),
    )
    files = MultipleFileField(label=_("Supporting documents (optional)"), required=False)

    def __init__(self, *args: Any, authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(authority_id=authority_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("files") and not data.get("document_type"):
            self.add_error("document_type", _("Say what kind of document you are attaching."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShipmentForm(forms.Form):
    shipped_on = forms.DateField(label=_("Shipment date"), widget=DateInput())
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    consignee_name = forms.CharField(label=_("Consignee"), max_length=200)
    reference = forms.CharField(
        label=_("Your reference (optional)"),
        max_length=100,
        required=False,
        help_text=_("e.g. your invoice or air waybill number."),
    )

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["inputmode"] = "decimal"
        if today is not None:
            self.fields["shipped_on"].widget.attrs["max"] = today.isoformat()


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Application status"), required=False, choices=[("", _("All statuses")), *ApplicationStatus.choices]
    )
    item = forms.ChoiceField(label=_("Item"), required=False, choices=())
    licence_status = forms.ChoiceField(
        label=_("Licence status"), required=False, choices=[("", _("All statuses")), *LicenceStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        ja = (get_language() or "").startswith("ja")
        items = ControlledItem.objects.order_by("kind", "name").values_list("slug", "name", "name_ja")
        self.fields["item"].choices = [
            ("", _("All items")),
            *[(slug, (name_ja if ja and name_ja else name)) for slug, name, name_ja in items],
        ]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Reference, number or party")})

    def value(self, name: str) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data.get(name) or ""


class VerificationLookupForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=32, min_length=6)
