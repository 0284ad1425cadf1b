"""An officer and a supervisor work a case from the queue to the licence in a real browser.

Playwright drives Debian's Chromium against pytest-django's live server. The page must work under
the site's Content-Security-Policy (no inline script or style): a violation fails the test.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from licensing.models import Application, Licence
from licensing.services import applications as svc
from tests.factories import OfficialFactory, supervisor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "Kasumigaseki-2026"


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; allow the ORM here, for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: CI must install it")
        pytest.skip("needs Debian's Chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        # The live-server test thread got its own connections while Playwright's loop ran: close
        # them so serialized_rollback restores the reference data for the tests that follow.
        connections.close_all()
        browser.close()


def _sign_in(browser: Any, base: str, user: Any, problems: list[str]) -> Any:
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())  # the "Approve …?" confirmation
    page.goto(base + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def test_an_officer_and_a_supervisor_work_a_case_from_the_queue_to_the_licence(
    chromium, live_server, make_submitted, exporter
):
    from playwright.sync_api import expect

    app = make_submitted()
    officer = OfficialFactory(username="kenji", first_name="Kenji", last_name="Sato")
    boss = supervisor(username="yuki", first_name="Yuki", last_name="Suzuki")
    problems: list[str] = []

    # The officer finds the case in the queue, starts the review and asks a question.
    page = _sign_in(chromium, live_server.url, officer, problems)
    page.get_by_role("link", name="The queue").click()
    row = page.locator("#result_list tbody tr", has_text=app.reference)
    expect(row.locator(".kyoka-days")).to_contain_text("days")
    row.get_by_role("link", name=app.reference).click()
    expect(page.locator(".kyoka-explanation")).to_contain_text(f"Rule #{app.regime_rule_id}")
    page.get_by_role("button", name="Start review").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Review of {app.reference} started.")
    assert page.get_by_role("button", name="Approve and issue the licence").count() == 0  # not an officer's
    page.locator("summary", has_text="Request information").click()
    page.get_by_label("Question for the exporter").fill("Which fab will use the resist?")
    page.locator("details[open]").get_by_role("button", name="Request information").click()
    expect(page.locator(".messagelist")).to_contain_text("the clock is stopped")
    expect(page.locator(".kyoka-status")).to_have_text("Information requested")

    # The exporter answers (on the exporter site; here through the service).
    svc.application_respond(application=Application.objects.get(pk=app.pk), user=exporter, response="Fab 2.")

    # The supervisor approves with conditions; the licence is issued.
    page = _sign_in(chromium, live_server.url, boss, problems)
    page.goto(live_server.url + f"/admin/licensing/application/{app.pk}/change/")
    expect(page.locator(".kyoka-status")).to_have_text("Under review")
    page.locator("summary", has_text="Approve and issue the licence").click()
    page.get_by_label("Conditions (optional)").fill("No re-export without consent.")
    page.locator("details[open]").get_by_role("button", name="Approve and issue the licence").click()
    licence = Licence.objects.get(application_id=app.pk)
    expect(page.locator(".messagelist")).to_contain_text(f"licence {licence.number} issued")
    page.get_by_role("link", name=licence.number).click()
    expect(page.locator(".kyoka-status")).to_have_text("Active")
    expect(page.locator("#kyoka-events")).to_contain_text("licence.issued")

    # And the dashboard counts the decision.
    page.goto(live_server.url + "/admin/licensing/application/dashboard/")
    expect(page.locator('[data-status="approved"]')).to_have_text("1")
    assert problems == []
