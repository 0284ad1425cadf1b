"""Domain errors. Views, the admin and the API turn them into clear messages."""


class DomainError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NoRegime(DomainError):
    code = "no_regime"


class AmbiguousRegime(DomainError):
    code = "ambiguous_regime"


class OverlappingPeriod(DomainError):
    code = "overlapping_period"


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class PermissionDenied(DomainError):
    code = "permission_denied"


class ChecklistIncomplete(DomainError):
    code = "checklist_incomplete"

    def __init__(self, message: str, *, missing: list[str]) -> None:
        super().__init__(message, missing=missing)
        self.missing = missing


class ApplicationIncomplete(DomainError):
    code = "application_incomplete"

    def __init__(self, message: str, *, fields: dict[str, str]) -> None:
        super().__init__(message, fields=fields)
        self.fields = fields


class InvalidDocument(DomainError):
    code = "invalid_document"


class ShipmentRefused(DomainError):
    code = "shipment_refused"


class QuantityExceeded(ShipmentRefused):
    code = "quantity_exceeded"
