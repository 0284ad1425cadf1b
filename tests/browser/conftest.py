"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's "async-unsafe" guard must be
off for the ORM calls the tests make (officials acting through the services):
DJANGO_ALLOW_ASYNC_UNSAFE is set for each browser test only, so it never leaks into other tests or
the subprocesses they start (``check --deploy`` refuses it). Without /usr/bin/chromium the tests
are skipped locally, and fail in CI (where .ci/run installs it).

KYOKA_SCREENSHOTS=1 saves a screenshot of each main page under artifacts/screenshots/.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = os.environ.get("KYOKA_SCREENSHOTS") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _allow_orm_calls_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(live_server: Any) -> Iterator[Any]:
    """Chromium for one test.

    Per test, not per session: while Playwright's event loop runs in this thread, Django keeps the
    thread's database connections in a separate (async) context. Starting after the test database
    is set up and stopping before it is flushed keeps serialized_rollback (which restores the
    reference data) working for every transactional test that comes after, browser or not.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: CI must install it (apt-get install -y chromium)")
        pytest.skip("needs Debian's Chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Close the connections the test opened inside Playwright's context (on PostgreSQL a
            # connection left open would keep the test database from being dropped).
            connections.close_all()


class Console:
    """Console messages of a page: a Content-Security-Policy violation fails the test."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.messages.append(message.text)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def new_page(browser: Any, console: Console) -> Iterator[Any]:
    """Make pages in fresh contexts (English, desktop size unless told otherwise)."""
    contexts = []

    def make(**options: Any) -> Any:
        context = browser.new_context(
            **{"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, "accept_downloads": True, **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert console.csp_violations == [], console.csp_violations


@pytest.fixture
def shot(request: Any) -> Any:
    """shot(page, "name"): a full-page screenshot when KYOKA_SCREENSHOTS=1."""
    counter = {"n": 0}
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(page: Any, name: str) -> None:
        if not SCREENSHOTS:
            return
        counter["n"] += 1
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)

    return take
