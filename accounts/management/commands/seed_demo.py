"""Create the demo organisations, accounts and a few cases. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import OFFICER, SUPERVISOR
from licensing.models import Application, DocumentType
from licensing.selectors.regimes import determine_regime
from licensing.services import applications as app_services
from licensing.services.clock import local_date
from licensing.services.documents import document_upload
from materials.models import ControlledItem
from whitelist.models import Authority

EXPORTER_ORG = "Demo Materials Co."
PARTNER_ORG = "Demo Customs"
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "Create demo accounts (exporter, officer, supervisor) and demo cases. Refuses when DEBUG is off."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--password", default="kyoka-demo")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")
        parser.add_argument("--no-cases", action="store_true", help="Accounts only; no demo applications.")

    @transaction.atomic
    def handle(self, *args, password: str, force: bool, no_cases: bool, **options) -> None:  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo accounts with a known password are refused. Use --force to insist.")
        jp = Authority.objects.get(code="JP")
        exporter_org, _ = Organisation.objects.get_or_create(
            name=EXPORTER_ORG, defaults={"kind": Organisation.Kind.EXPORTER, "address": "1-1 Marunouchi, Tokyo"}
        )
        Organisation.objects.get_or_create(name=PARTNER_ORG, defaults={"kind": Organisation.Kind.PARTNER})
        exporter = self._user(
            "exporter",
            password,
            organisation=exporter_org,
            is_organisation_admin=True,
            first_name="Aiko",
            last_name="Tanaka",
            email="exporter@demo-materials.example",
        )
        self._user(
            "officer",
            password,
            authority=jp,
            is_staff=True,
            group=OFFICER,
            first_name="Kenji",
            last_name="Sato",
            email="officer@kyoka.example",
        )
        self._user(
            "supervisor",
            password,
            authority=jp,
            is_staff=True,
            group=SUPERVISOR,
            first_name="Yuki",
            last_name="Suzuki",
            email="supervisor@kyoka.example",
        )
        if not no_cases and not Application.objects.filter(organisation=exporter_org).exists():
            self._cases(exporter, jp)
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts ready: exporter / officer / supervisor (password: {password})")
        )

    def _user(self, username: str, password: str, *, group: str | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if not created:
            for name, value in fields.items():
                setattr(user, name, value)
        user.set_password(password)
        user.save()
        if group:
            user.groups.set([Group.objects.get(name=group)])
        return user

    def _cases(self, exporter: User, jp: Authority) -> None:
        officer = User.objects.get(username="officer")
        supervisor = User.objects.get(username="supervisor")
        resist = ControlledItem.objects.get(slug="resist")
        hf = ControlledItem.objects.get(slug="hydrogen-fluoride")
        today = local_date(jp, timezone.now())
        common = {
            "consignee_name": "Hanbit Semiconductor Co., Ltd.",
            "consignee_address": "123 Samsung-ro, Hwaseong, Gyeonggi-do",
            "consignee_country": "KR",
            "end_user_name": "Hanbit Semiconductor Co., Ltd.",
            "end_user_address": "123 Samsung-ro, Hwaseong, Gyeonggi-do",
            "end_user_country": "KR",
            "end_use": "Photolithography in 300 mm wafer fabrication (memory).",
            "currency": "JPY",
            "shipment_window_start": today + timedelta(days=14),
            "shipment_window_end": today + timedelta(days=120),
        }

        def filed(item: ControlledItem, quantity: str, value: str) -> Application:
            app = app_services.application_create_draft(
                user=exporter,
                authority=jp,
                item=item,
                destination="KR",
                quantity=Decimal(quantity),
                value=Decimal(value),
                **common,
            )
            regime = determine_regime(authority=jp, item=item, destination="KR", on_date=today)
            for doc in regime.documents:
                if doc.mandatory:
                    upload = SimpleUploadedFile(f"{doc.code}.pdf", DEMO_PDF, content_type="application/pdf")
                    document_upload(
                        application=app,
                        user=exporter,
                        document_type=DocumentType.objects.get(pk=doc.document_type_id),
                        upload=upload,
                    )
            return app_services.application_submit(application=app, user=exporter)

        # A draft, a submitted case, one waiting for information, and an approved licence.
        app_services.application_create_draft(
            user=exporter, authority=jp, item=hf, destination="KR", quantity=Decimal("500"), **common
        )
        filed(resist, "120", "18000000")
        waiting = filed(hf, "2000", "9500000")
        app_services.application_start_review(application=waiting, official=officer)
        app_services.application_request_information(
            application=waiting,
            official=officer,
            message="Please provide the end user's fab location and the purity grade of the HF.",
        )
        approved = filed(resist, "400", "52000000")
        app_services.application_start_review(application=approved, official=officer)
        app_services.application_approve(application=approved, official=supervisor, conditions="No re-export.")
