"""Human-friendly numbers: JP-2026-000123 for applications, JP-B-2026-000045 for licences."""

import secrets

from django.db.models import F

from licensing.models import ReferenceSequence
from whitelist.models import Authority

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a border


def _next(authority: Authority, kind: str, year: int) -> int:
    seq, _ = ReferenceSequence.objects.get_or_create(authority=authority, kind=kind, year=year)
    # Row lock + increment in SQL: two submissions at once never get the same number.
    ReferenceSequence.objects.filter(pk=seq.pk).select_for_update().update(last=F("last") + 1)
    return ReferenceSequence.objects.values_list("last", flat=True).get(pk=seq.pk)


def application_reference_next(*, authority: Authority, year: int) -> str:
    return f"{authority.code}-{year}-{_next(authority, 'application', year):06d}"


def licence_number_next(*, authority: Authority, licence_type: str, year: int) -> str:
    letter = "I" if licence_type == "individual" else "B"
    return f"{authority.code}-{letter}-{year}-{_next(authority, 'licence', year):06d}"


def verification_code_new() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))
