"""An exporter's whole journey in a real browser, officials acting through the services meanwhile."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from licensing.models import Application, DocumentType
from licensing.services import applications as svc
from tests.factories import PDF_BYTES, PNG_BYTES, ExporterFactory, OfficialFactory, supervisor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Hwaseong-fab-2026"


@pytest.fixture
def aiko(db: None) -> Any:
    user = ExporterFactory(
        username="aiko",
        first_name="Aiko",
        last_name="Tanaka",
        organisation__name="Tokyo Resist K.K.",
        is_organisation_admin=True,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, data in {
        "application-form.pdf": PDF_BYTES,
        "details.pdf": PDF_BYTES,
        "cp-receipt.pdf": PDF_BYTES,
        "cp-audit.pdf": PDF_BYTES,
        "fab-location.pdf": PDF_BYTES,
        "photo-renamed.pdf": PNG_BYTES,  # a PNG pretending to be a PDF
    }.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    return out


def english_date(value: Any) -> str:
    with translation.override("en"):
        return date_format(value, "DATE_FORMAT")


def sign_in(page: Any, base: str, username: str = "aiko", password: str = PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def upload_row(page: Any, document_code: str, path: Path) -> Any:
    document_type = DocumentType.objects.get(authority__code="JP", code=document_code)
    row = page.locator(f"#doc-{document_type.pk}")
    row.locator("input[type=file]").set_input_files(str(path))
    row.get_by_role("button", name="Upload", exact=True).click()
    return page.locator(f"#doc-{document_type.pk}")


def test_an_exporter_files_answers_and_ships_against_a_licence(
    live_server: Any, new_page: Any, shot: Any, aiko: Any, files: dict[str, Path], settings: Any
) -> None:
    settings.SITE_URL = live_server.url  # the QR code must resolve to this server
    base = live_server.url
    page = new_page()

    # Sign in: the empty dashboard says what to do next.
    sign_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tokyo Resist K.K.")
    expect(page.get_by_text("No applications yet.")).to_be_visible()
    shot(page, "dashboard-empty")

    # Start an application: the regime appears as soon as item and destination are chosen (htmx).
    page.get_by_role("link", name="New application").first.click()
    expect(page.get_by_text("Choose an item and a destination")).to_be_visible()
    page.get_by_label("Controlled item").select_option(label="Resist")
    regime = page.locator("#regime-preview")
    expect(regime.get_by_test_id("regime-licence-type")).to_have_text("Bulk")
    expect(regime.get_by_test_id("regime-processing")).to_have_text("7 business days")
    expect(regime).to_contain_text("36 months")
    expect(regime).to_contain_text("4 documents")
    expect(regime).to_contain_text("Rule #")
    page.get_by_label("Destination country").select_option("CN")
    expect(regime.get_by_test_id("regime-licence-type")).to_have_text("Individual")
    page.get_by_label("Destination country").select_option("KR")
    expect(regime.get_by_test_id("regime-licence-type")).to_have_text("Bulk")
    shot(page, "new-application")

    page.get_by_label("Consignee", exact=False).first.fill("Hanbit Semiconductor Co., Ltd.")
    page.locator("#id_consignee_address").fill("123 Samsung-ro, Hwaseong, Gyeonggi-do")
    page.locator("#id_consignee_country").select_option("KR")
    page.locator("#id_end_user_name").fill("Hanbit Semiconductor Co., Ltd.")
    page.locator("#id_end_user_address").fill("123 Samsung-ro, Hwaseong, Gyeonggi-do")
    page.locator("#id_end_user_country").select_option("KR")
    page.locator("#id_end_use").fill("Photolithography in 300 mm wafer fabrication.")
    page.locator("#id_quantity").fill("100")
    page.locator("#id_value").fill("15000000")
    page.get_by_role("button", name="Save draft").last.click()
    app = Application.objects.get(organisation=aiko.organisation)
    expect(page.get_by_text(f"Draft {app.reference} saved.")).to_be_visible()
    expect(page.get_by_test_id("checklist-row")).to_have_count(4)
    shot(page, "draft-checklist")

    # A PNG renamed .pdf is refused, and says why.
    row = upload_row(page, "application-form", files["photo-renamed.pdf"])
    expect(row).to_contain_text("was refused: its content is image/png")
    shot(page, "upload-refused")

    # The right files tick the checklist.
    upload_row(page, "application-form", files["application-form.pdf"])
    upload_row(page, "application-details", files["details.pdf"])
    upload_row(page, "cp-checklist-receipt", files["cp-receipt.pdf"])
    upload_row(page, "cp-audit-evidence", files["cp-audit.pdf"])
    expect(page.locator(".checklist__row.is-done")).to_have_count(4)
    expect(page.get_by_text("Everything needed is here.")).to_be_visible()

    # Submit: the reference, the frozen regime and the due date.
    page.get_by_role("button", name="Submit application").click()
    app.refresh_from_db()
    assert app.status == "submitted"
    expect(page.get_by_text(f"Application {app.reference} submitted.")).to_be_visible()
    expect(page.get_by_test_id("due-date")).to_have_text(english_date(app.due_date))
    expect(page.get_by_text("Regime (frozen at submission)")).to_be_visible()
    expect(page.get_by_test_id("clock")).to_contain_text("days left")
    shot(page, "submitted")

    # The authority asks a question: the page shows it, with the clock stopped.
    officer = OfficialFactory()
    svc.application_start_review(application=app, official=officer)
    svc.application_request_information(
        application=app, official=officer, message="Which fab will use the resist, and at what node?"
    )
    page.reload()
    expect(page.get_by_test_id("question")).to_have_text("Which fab will use the resist, and at what node?")
    expect(page.get_by_test_id("clock-stopped")).to_contain_text("Clock stopped")
    shot(page, "question")

    # Answer it with a document: the clock restarts with a new due date.
    page.get_by_label("Your answer").fill("Hwaseong Fab 2, 1a DRAM node.")
    page.get_by_label("Type of the attached documents").select_option(
        label="Evidence of the buyer's business and existence"
    )
    page.get_by_label("Supporting documents (optional)").set_input_files(str(files["fab-location.pdf"]))
    page.get_by_role("button", name="Send answer").click()
    app.refresh_from_db()
    assert app.status == "under_review"
    expect(page.get_by_text("Answer sent. The clock has restarted; the new due date is")).to_contain_text(
        english_date(app.due_date)
    )
    expect(page.locator("#questions")).to_contain_text("fab-location.pdf")
    shot(page, "answered")

    # Approved: the licence is on the dashboard.
    licence = svc.application_approve(application=app, official=supervisor(), conditions="No re-export.")
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("link", name=licence.number).click()
    expect(page.get_by_test_id("remaining")).to_have_text("100 kilograms")
    shot(page, "licence")

    # Record a shipment, then be refused an overdraw.
    page.get_by_label("Quantity").fill("60")
    page.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_text("Shipment of 60 kg recorded. Remaining on the licence: 40 kg.")).to_be_visible()
    expect(page.get_by_test_id("ledger").locator("tbody tr")).to_have_count(1)
    page.get_by_label("Quantity").fill("50")
    page.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("50 kg is more than the 40 kg remaining")
    expect(page.get_by_test_id("remaining")).to_have_text("40 kilograms")
    licence.refresh_from_db()
    assert licence.quantity_shipped == Decimal("60")
    shot(page, "overdraw-refused")

    # The printable certificate: verification code and a QR code to the public page.
    page.get_by_role("link", name="Printable certificate").click()
    expect(page.get_by_test_id("verification-code")).to_have_text(licence.verification_code)
    expect(page.locator("svg.qr")).to_be_visible()
    verify_url = page.locator(".certificate__verify a").get_attribute("href")
    assert verify_url == f"{base}/verify/{licence.verification_code}/"
    shot(page, "certificate")

    # Anyone can open the verification page, which shows validity only.
    stranger = new_page(viewport={"width": 390, "height": 844})
    stranger.goto(verify_url)
    expect(stranger.get_by_test_id("verify-result")).to_have_text("This licence is valid today.")
    expect(stranger.get_by_test_id("verify-number")).to_have_text(licence.number)
    expect(stranger.locator("main")).not_to_contain_text("Tokyo Resist K.K.")
    expect(stranger.locator("main")).not_to_contain_text("Hanbit")
    shot(stranger, "verification")
