"""The interactive docs (Swagger UI from drf-spectacular-sidecar's static files, no CDN).

The page's init script is served as a separate same-origin file (spectacular's split view), so
the global CSP (script-src 'self') holds; the page's one inline <style> gets a per-response nonce
added to style-src for this response only.
"""

from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpResponse
from django.template import engines
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

DOCS_TEMPLATE = """{% extends "drf_spectacular/swagger_ui.html" %}
{% block head %}
<title>{{ title }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if favicon_href %}<link rel="icon" href="{{ favicon_href }}">{% endif %}
<link rel="stylesheet" href="{{ swagger_ui_css }}">
<style nonce="{{ request.csp_nonce }}">
  html { box-sizing: border-box; overflow-y: scroll; }
  *, *:after, *:before { box-sizing: inherit; }
  body { background: #fafafa; margin: 0; }
</style>
{% endblock head %}
"""


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


@method_decorator(csp_update({"style-src": [NONCE]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    title = "Kyoka partner API"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            return response
        html = engines["django"].from_string(DOCS_TEMPLATE).render(response.data, request._request)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
