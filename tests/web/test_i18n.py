"""Japanese and English: every UI string translated, dates in the user's language and the authority's zone."""

import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def japanese(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    return client


def test_every_message_has_a_japanese_translation() -> None:
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[0\])? ""$', e, re.M) and '"\n"' not in e]
    assert untranslated == []
    assert "#, fuzzy" not in text
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1  # compiled after the last edit


def test_the_language_switcher_changes_the_pages(client: Client, exporter: Any) -> None:
    from tests.web.conftest import sign_in

    sign_in(client, exporter)
    response = client.post(reverse("set_language"), {"language": "ja", "next": reverse("licensing:dashboard")})
    assert response.status_code == 302
    content = client.get(reverse("licensing:dashboard")).content.decode()
    assert '<html lang="ja">' in content
    assert "ダッシュボード" in content and "新規申請" in content
    assert "申請はまだありません。" in content


def test_the_regime_preview_in_japanese(exporter_client: Client, resist: Any) -> None:
    content = (
        japanese(exporter_client)
        .get(reverse("licensing:regime_preview"), {"item": resist.pk, "destination": "KR"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "包括許可" in content
    assert "営業日で7日" in content
    assert "36か月" in content
    assert "輸出許可申請書" in content  # the document type's Japanese name
    assert "韓国：グループA" in content


@time_machine.travel("2026-03-31 23:30 +0000", tick=False)  # already 1 April in Tokyo
def test_dates_are_in_the_users_language_and_the_authoritys_time_zone(
    exporter_client: Client, make_submitted: Any
) -> None:
    app = make_submitted()
    url = reverse("licensing:application_detail", args=[app.reference])
    english = exporter_client.get(url).content.decode()
    assert "April 1, 2026" in english  # submitted at 08:30 Tokyo time on 1 April
    assert app.reference.startswith("JP-2026-")
    content = japanese(exporter_client).get(url).content.decode()
    assert "2026年4月1日8:30" in content
    assert "申請済み" in content


def test_form_errors_are_translated(exporter_client: Client, resist: Any) -> None:
    content = (
        japanese(exporter_client)
        .post(reverse("licensing:application_new"), {"item": resist.pk, "destination": "KR", "quantity": "-1"})
        .content.decode()
    )
    assert "次の点を修正してください" in content
