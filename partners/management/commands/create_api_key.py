"""Create a partner API key and print it once: it is stored hashed and cannot be shown again."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation
from partners.models import Scope
from partners.services import api_key_create, api_key_expiry_from_date


class Command(BaseCommand):
    help = (
        f"Create an API key for an organisation and print it once. Scopes (comma-separated): {', '.join(Scope.values)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's exact name.")
        parser.add_argument("--name", required=True, help="A label for the key, e.g. 'Osaka customs gate 3'.")
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. licences:verify,regimes:read.")
        parser.add_argument("--expires", help="Last day the key works, YYYY-MM-DD (UTC). Default: no expiry.")

    def handle(
        self, *args: object, organisation: str, name: str, scopes: str, expires: str | None, **options: object
    ) -> None:
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(f"No organisation is named {organisation!r}.")
        expires_at = None
        if expires:
            try:
                expires_at = api_key_expiry_from_date(date.fromisoformat(expires))
            except ValueError as exc:
                raise CommandError(f"--expires must be a date YYYY-MM-DD, not {expires!r}.") from exc
        try:
            api_key, raw = api_key_create(organisation=org, name=name, scopes=scopes.split(","), expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Created API key {api_key.prefix}… for {org.name} with scopes {', '.join(api_key.scopes)}"
            + (f", expiring {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "")
            + ". The key (shown once):"
        )
        self.stdout.write(raw)
