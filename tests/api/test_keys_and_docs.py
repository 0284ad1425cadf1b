"""create_api_key, the admin for keys, the OpenAPI schema and the docs page."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partners.models import APIKey


@pytest.mark.django_db
def test_create_api_key_prints_a_working_key_once(partner_org, client):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_key",
        organisation=partner_org.name,
        name="Busan gate 3",
        scopes="licences:verify,regimes:read",
        expires="2099-12-31",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    key = APIKey.objects.get(organisation=partner_org)
    assert raw.startswith(key.prefix + ".")
    assert raw not in key.hashed_key and key.hashed_key.startswith("sha512$$")
    assert key.scopes == ["licences:verify", "regimes:read"]
    assert key.expiry_date.isoformat().startswith("2100-01-01")
    assert "shown once" in err.getvalue()
    assert client.get("/api/v1/items/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"organisation": "Nobody Ltd", "scopes": "licences:verify"}, "No organisation"),
        ({"scopes": "licences:steal"}, "Unknown scope"),
        ({"scopes": "licences:verify", "expires": "31/12/2099"}, "--expires"),
        ({"scopes": "licences:verify", "expires": "2001-01-01"}, "future"),
    ],
)
def test_create_api_key_refuses_bad_input(partner_org, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", **{"organisation": partner_org.name, "name": "k", **options})
    assert not APIKey.objects.exists()


@pytest.mark.django_db
def test_admin_creates_a_key_shows_it_once_and_revokes(admin_client, partner_org):
    response = admin_client.post(
        "/admin/partners/apikey/add/",
        {"organisation": partner_org.pk, "name": "Customs", "scopes": ["licences:verify"], "expiry_date": ""},
        follow=True,
    )
    key = APIKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(key.prefix + "." in m for m in shown)
    admin_client.post("/admin/partners/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.revoked and key.revoked_at is not None


@pytest.mark.django_db
def test_schema_documents_every_endpoint_scope_and_problem(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/regime/",
        "/api/v1/items/",
        "/api/v1/whitelist/{country}/",
        "/api/v1/licences/",
        "/api/v1/licences/{number}/",
        "/api/v1/applications/",
        "/api/v1/applications/{reference}/",
        "/api/v1/changes/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
    ]:
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "Authorization"
    licences = paths["/api/v1/licences/"]["get"]
    assert licences["x-required-scopes"] == ["licences:read"]
    assert {"ApiKeyAuth": []} in licences["security"]
    assert "application/problem+json" in licences["responses"]["401"]["content"]
    assert "304" in licences["responses"]
    assert {p["name"] for p in licences["parameters"]} >= {"updated_since", "cursor", "page_size", "If-None-Match"}
    regime = paths["/api/v1/regime/"]["get"]
    assert {"400", "401", "403", "404", "429"} <= set(regime["responses"])
    assert "settle_seconds" in paths["/api/v1/changes/"]["get"]["description"]


@pytest.mark.django_db
def test_docs_page_is_served_from_static_files_under_the_global_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in csp
    assert script_src.strip() == "script-src 'self'"
    style_src = next(d for d in csp.split(";") if d.strip().startswith("style-src"))
    nonce = style_src.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    assert "<script>" not in html  # the init script is a same-origin file
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_admin_registers_a_webhook_endpoint_through_the_service(admin_client, partner_org, settings):
    from partners.models import WebhookEndpoint

    settings.KYOKA_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    refused = admin_client.post(
        "/admin/partners/webhookendpoint/add/",
        {"organisation": partner_org.pk, "url": "http://10.0.0.1/h", "event_types": ["licence.revoked"]},
    )
    assert refused.status_code == 200  # the form again, with the error
    assert not WebhookEndpoint.objects.exists()
    admin_client.post(
        "/admin/partners/webhookendpoint/add/",
        {
            "organisation": partner_org.pk,
            "url": "https://customs.example.org/kyoka",
            "event_types": ["licence.revoked"],
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.event_types == ["licence.revoked"]
    page = admin_client.get(f"/admin/partners/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()
