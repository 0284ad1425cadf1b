"""Every page satisfies the Content-Security-Policy and labels every input."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import sign_in

pytestmark = pytest.mark.django_db


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.label_for: set[str] = set()
        self.inputs: list[dict[str, str]] = []
        self.ids: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a:
            self.problems.append(f"style attribute on <{tag}>")
        if any(k.startswith("on") for k in a):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if "src" not in a:
                self.problems.append("inline <script>")
            elif a["src"].startswith("http"):
                self.problems.append(f"script from another origin: {a['src']}")
        if tag == "link" and a.get("rel") == "stylesheet" and a.get("href", "").startswith("http"):
            self.problems.append(f"stylesheet from another origin: {a['href']}")
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.inputs.append(a)

    def unlabelled(self) -> list[str]:
        return [
            a.get("name", "?")
            for a in self.inputs
            if a.get("id") not in self.label_for and not a.get("aria-label") and not a.get("aria-labelledby")
        ]


def audit(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    parser = PageAudit()
    parser.feed(response.content.decode())
    assert parser.problems == [], (url, parser.problems)
    assert parser.unlabelled() == [], (url, parser.unlabelled())
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, (url, duplicates)


def test_exporter_pages_satisfy_the_csp_and_label_their_inputs(
    exporter_client: Client,
    exporter: Any,
    make_draft: Any,
    make_information_requested: Any,
    make_licence: Any,
) -> None:
    exporter.is_organisation_admin = True
    exporter.save()
    draft = make_draft()
    asked, _ = make_information_requested()
    licence = make_licence()
    for url in [
        reverse("licensing:dashboard"),
        reverse("licensing:application_new"),
        reverse("licensing:application_detail", args=[draft.reference]),
        reverse("licensing:application_edit", args=[draft.reference]),
        reverse("licensing:application_detail", args=[asked.reference]),
        reverse("licensing:application_withdraw", args=[asked.reference]),
        reverse("licensing:application_detail", args=[licence.application.reference]),
        reverse("licensing:licence_detail", args=[licence.number]),
        reverse("licensing:licence_certificate", args=[licence.number]),
        reverse("notifications:list"),
        reverse("accounts:account"),
        reverse("accounts:organisation"),
        reverse("accounts:password_change"),
    ]:
        audit(exporter_client, url)


def test_public_pages_satisfy_the_csp(client: Client, licence: Any) -> None:
    for url in [
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("licensing:verify_lookup"),
        reverse("licensing:verify", args=[licence.verification_code]),
    ]:
        audit(client, url)


def test_the_stylesheet_and_scripts_are_served_from_the_project(exporter_client: Client) -> None:
    from django.contrib.staticfiles import finders

    for path in ("kyoka/css/kyoka.css", "kyoka/js/kyoka.js", "kyoka/vendor/htmx-2.0.11.min.js"):
        assert finders.find(path), path
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert "/static/kyoka/css/kyoka.css" in content
    assert "/static/kyoka/vendor/htmx-2.0.11.min.js" in content
    assert content.count('rel="stylesheet"') == 1  # one stylesheet


def test_signed_in_pages_have_a_skip_link_and_the_language_switcher(client: Client, exporter: Any) -> None:
    sign_in(client, exporter)
    content = client.get(reverse("licensing:dashboard")).content.decode()
    assert 'href="#main"' in content and 'id="main"' in content
    assert 'action="/i18n/setlang/"' in content
    assert '<option value="ja"' in content
