"""What every exporter page shares: who may see it, the authority's "today", regime presentation."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.models import Organisation
from licensing.models import ApplicationDocument, BulkType, LicenceType, ProcessingBasis
from licensing.selectors.regimes import Regime
from licensing.services.clock import local_date
from whitelist.models import Authority


def exporter_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, active, and a member of an exporter organisation; anyone else gets a 403 page.

    Officials and partner staff have accounts too, but the exporter pages are not theirs.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        organisation = user.organisation if user.organisation_id else None  # type: ignore[union-attr]
        if organisation is None or organisation.kind != Organisation.Kind.EXPORTER:
            return render(
                request,
                "licensing/not_exporter.html",
                {"is_official": bool(user.is_staff and getattr(user, "authority_id", None))},
                status=403,
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def default_authority() -> Authority:
    return Authority.objects.get(code=settings.KYOKA_DEFAULT_AUTHORITY)


def authority_today(authority: Authority) -> date:
    return local_date(authority, timezone.now())


def add_validation_errors(form: Form, error: ValidationError) -> None:
    """Put a model ValidationError from a service onto the form: on the field if the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Regime presentation: one shape for a live regime (before submission) and a frozen snapshot.


@dataclass
class RegimeDocumentView:
    document_type_id: int
    code: str
    name: str
    name_ja: str
    mandatory: bool
    condition: str
    formats: tuple[str, ...] = ()
    uploaded: list[ApplicationDocument] = field(default_factory=list)

    @property
    def accept(self) -> str:
        """The file input's ``accept`` attribute for the allowed formats."""
        return ",".join(ACCEPT.get(f, "") for f in self.formats if f in ACCEPT)

    @property
    def formats_label(self) -> str:
        return ", ".join(FORMAT_LABELS.get(f, f.upper()) for f in self.formats)

    @property
    def done(self) -> bool:
        return bool(self.uploaded)


ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "png": ".png,image/png",
    "jpeg": ".jpg,.jpeg,image/jpeg",
    "docx": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}


@dataclass
class RegimeView:
    """A regime as the pages show it: what licence, which documents, how long, and why."""

    licence_type: str
    bulk_type: str
    processing_days: int
    processing_basis: str
    validity_months: int
    destination: str
    destination_group: str
    rule_id: int
    effective_from: date | None
    effective_to: date | None
    legal_basis: str
    determined_on: date | None
    explanation: str
    documents: list[RegimeDocumentView]
    frozen: bool

    @property
    def licence_type_label(self) -> str:
        return str(LicenceType(self.licence_type).label) if self.licence_type in LicenceType.values else ""

    @property
    def bulk_type_label(self) -> str:
        return str(BulkType(self.bulk_type).label) if self.bulk_type in BulkType.values else ""

    @property
    def basis_label(self) -> str:
        if self.processing_basis in ProcessingBasis.values:
            return str(ProcessingBasis(self.processing_basis).label)
        return self.processing_basis

    @property
    def mandatory_documents(self) -> list[RegimeDocumentView]:
        return [d for d in self.documents if d.mandatory]

    @property
    def conditional_documents(self) -> list[RegimeDocumentView]:
        return [d for d in self.documents if not d.mandatory]

    @property
    def missing_mandatory(self) -> list[RegimeDocumentView]:
        return [d for d in self.documents if d.mandatory and not d.uploaded]


def regime_view_from_live(regime: Regime) -> RegimeView:
    snapshot = regime.snapshot()
    formats = {d.document_type_id: d.formats for d in regime.documents}
    view = regime_view_from_snapshot(snapshot, frozen=False)
    for doc in view.documents:
        doc.formats = tuple(formats.get(doc.document_type_id, ()))
    return view


def regime_view_from_snapshot(snapshot: dict[str, Any], *, frozen: bool = True) -> RegimeView:
    def _date(value: Any) -> date | None:
        return parse_date(value) if isinstance(value, str) and value else None

    return RegimeView(
        licence_type=snapshot.get("licence_type", ""),
        bulk_type=snapshot.get("bulk_type", "") or "",
        processing_days=int(snapshot.get("processing_days") or 0),
        processing_basis=snapshot.get("processing_basis", ""),
        validity_months=int(snapshot.get("validity_months") or 0),
        destination=snapshot.get("destination", ""),
        destination_group=snapshot.get("destination_group", ""),
        rule_id=int(snapshot.get("rule_id") or 0),
        effective_from=_date(snapshot.get("effective_from")),
        effective_to=_date(snapshot.get("effective_to")),
        legal_basis=snapshot.get("legal_basis", "") or "",
        determined_on=_date(snapshot.get("determined_on")),
        explanation=snapshot.get("explanation", "") or "",
        documents=[
            RegimeDocumentView(
                document_type_id=int(d["document_type_id"]),
                code=d.get("code", ""),
                name=d.get("name", ""),
                name_ja=d.get("name_ja", ""),
                mandatory=bool(d.get("mandatory")),
                condition=d.get("condition", "") or "",
            )
            for d in snapshot.get("documents", [])
        ],
        frozen=frozen,
    )


def attach_documents(regime: RegimeView, documents: list[ApplicationDocument]) -> list[ApplicationDocument]:
    """Put each uploaded checklist document on its row; return the ones no row asks for."""
    by_type: dict[int, list[ApplicationDocument]] = {}
    for doc in documents:
        by_type.setdefault(doc.document_type_id, []).append(doc)
    for row in regime.documents:
        row.uploaded = by_type.pop(row.document_type_id, [])
    return [doc for docs in by_type.values() for doc in docs]


def localized_name(name: str, name_ja: str) -> str:
    from django.utils.translation import get_language

    return name_ja if name_ja and (get_language() or "").startswith("ja") else name
