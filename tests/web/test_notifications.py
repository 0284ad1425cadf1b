"""The in-app notification list and the unread count in the header."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_header_shows_the_unread_count(exporter_client: Client, exporter: Any, make_submitted: Any) -> None:
    make_submitted()
    unread = Notification.objects.filter(recipient=exporter, read_at__isnull=True).count()
    assert unread >= 1
    content = exporter_client.get(reverse("licensing:dashboard")).content.decode()
    assert f'<span class="count-badge" aria-label="{unread} unread">{unread}</span>' in content


def test_the_list_shows_the_organisations_case_events_and_nobody_elses(
    exporter_client: Client, make_submitted: Any, other_exporter: Any, make_draft: Any
) -> None:
    mine = make_submitted()
    from tests.conftest import upload_mandatory_documents

    theirs = make_draft(user=other_exporter)
    upload_mandatory_documents(theirs, other_exporter)
    from licensing.services.applications import application_submit

    application_submit(application=theirs, user=other_exporter)
    content = exporter_client.get(reverse("notifications:list")).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(
    exporter_client: Client, exporter: Any, make_submitted: Any
) -> None:
    app = make_submitted()
    notification = Notification.objects.filter(recipient=exporter, application=app).first()
    response = exporter_client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response["Location"] == f"/applications/{app.reference}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_all_as_read_clears_the_count(exporter_client: Client, exporter: Any, make_submitted: Any) -> None:
    make_submitted()
    exporter_client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=exporter, read_at__isnull=True).exists()
    content = exporter_client.get(reverse("notifications:list")).content.decode()
    assert "count-badge" not in content
    assert "Mark all as read" not in content


def test_someone_elses_notification_cannot_be_touched(other_client: Client, exporter: Any, make_submitted: Any) -> None:
    make_submitted()
    notification = Notification.objects.filter(recipient=exporter).first()
    assert other_client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_notification_never_redirects_off_site(exporter_client: Client, exporter: Any) -> None:
    notification = Notification.objects.create(
        recipient=exporter, key="test", verb="test", title="Phish", url="https://evil.example/"
    )
    response = exporter_client.post(reverse("notifications:read", args=[notification.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_the_unread_filter_and_empty_state(exporter_client: Client) -> None:
    content = exporter_client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "Nothing unread." in content
