from django.urls import path, re_path

from licensing.api import views
from licensing.api.docs import DocsView, SchemaView

app_name = "api"

v1 = [
    path("v1/regime/", views.RegimeView.as_view(), name="regime"),
    path("v1/items/", views.ItemListView.as_view(), name="item-list"),
    path("v1/whitelist/<str:country>/", views.WhitelistView.as_view(), name="whitelist"),
    path("v1/licences/", views.LicenceListView.as_view(), name="licence-list"),
    path("v1/licences/<str:number>/", views.LicenceDetailView.as_view(), name="licence-detail"),
    path("v1/applications/", views.ApplicationListView.as_view(), name="application-list"),
    path("v1/applications/<str:reference>/", views.ApplicationDetailView.as_view(), name="application-detail"),
    path("v1/changes/", views.ChangesView.as_view(), name="changes"),
    path("v1/webhooks/", views.WebhookEndpointListView.as_view(), name="webhook-list"),
    path("v1/webhooks/<int:pk>/", views.WebhookEndpointDetailView.as_view(), name="webhook-detail"),
    path("v1/webhooks/<int:pk>/rotate-secret/", views.WebhookRotateSecretView.as_view(), name="webhook-rotate-secret"),
    path("v1/webhooks/<int:pk>/deliveries/", views.WebhookDeliveryListView.as_view(), name="webhook-deliveries"),
]

urlpatterns = [
    *v1,
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("problems/<slug:code>", views.problem_type_view, name="problem-type"),
    # Anything else under /api/ is a JSON 404 problem, not the site's HTML page.
    re_path(r"^.*$", views.api_not_found, name="not-found"),
]
