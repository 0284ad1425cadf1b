"""Without JavaScript, at phone width, by keyboard, in Japanese: the site still works."""

from typing import Any

import pytest
from playwright.sync_api import expect

from licensing.models import Application
from tests.factories import ExporterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Hwaseong-fab-2026"


@pytest.fixture
def exporter_user(db: None) -> Any:
    user = ExporterFactory(username="kenji", organisation__name="Osaka Photoresist K.K.")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("kenji")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_regime_and_a_draft_without_javascript(
    live_server: Any, new_page: Any, shot: Any, exporter_user: Any
) -> None:
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/applications/new/")
    page.get_by_label("Controlled item").select_option(label="Resist")
    page.locator("#id_consignee_name").fill("Typed before the preview")
    page.get_by_role("button", name="Show regime").click()
    expect(page.get_by_test_id("regime-licence-type")).to_have_text("Bulk")
    expect(page.get_by_text("Nothing has been saved yet")).to_be_visible()
    expect(page.locator("#id_consignee_name")).to_have_value("Typed before the preview")
    shot(page, "regime-without-javascript")
    page.get_by_role("button", name="Save draft").last.click()
    app = Application.objects.get()
    assert app.consignee_name == "Typed before the preview"
    expect(page.get_by_test_id("checklist-row")).to_have_count(4)


def test_pages_fit_a_phone_screen(live_server: Any, new_page: Any, shot: Any, exporter_user: Any) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, live_server.url)
    for path, heading, name in [
        ("/", "Osaka Photoresist K.K.", "dashboard-phone"),
        ("/applications/new/", "New application", "new-application-phone"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        shot(page, name)


def test_signing_in_and_starting_an_application_by_keyboard(
    live_server: Any, new_page: Any, exporter_user: Any
) -> None:
    page = new_page()
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type("kenji")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Osaka Photoresist K.K.")
    # The first Tab reaches the skip link, which takes focus to the content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the content")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.goto(live_server.url + "/")
    # Tab through to "New application" and follow it.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "New application":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New application")
    page.get_by_label("Controlled item").focus()
    page.keyboard.press("ArrowDown")  # a keyboard change fires the live preview too
    expect(page.locator("#regime-preview")).not_to_contain_text("Choose an item and a destination")


def test_the_site_in_japanese(live_server: Any, new_page: Any, shot: Any, exporter_user: Any) -> None:
    page = new_page(locale="ja-JP")
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kyoka にサインイン")
    page.get_by_label("ユーザー名").fill("kenji")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    expect(page.get_by_role("link", name="新規申請").first).to_be_visible()
    page.get_by_role("link", name="新規申請").first.click()
    page.get_by_label("規制品目").select_option(label="レジスト")
    expect(page.get_by_test_id("regime-processing")).to_have_text("営業日で7日")
    shot(page, "new-application-japanese")
    # And back to English with the switcher.
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="切替").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New application")
