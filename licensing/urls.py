from django.urls import path

from licensing.views import applications, conversion, dashboard, documents, licences, verification

app_name = "licensing"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/regime-preview/", applications.regime_preview, name="regime_preview"),
    path("applications/<str:reference>/", applications.application_detail, name="application_detail"),
    path("applications/<str:reference>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<str:reference>/submit/", applications.application_submit, name="application_submit"),
    path("applications/<str:reference>/respond/", applications.application_respond, name="application_respond"),
    path("applications/<str:reference>/withdraw/", applications.application_withdraw, name="application_withdraw"),
    path(
        "applications/<str:reference>/conversion/<int:offer_id>/",
        conversion.conversion_decide,
        name="conversion_decide",
    ),
    path("applications/<str:reference>/documents/", documents.document_upload_view, name="document_upload"),
    path("documents/<int:pk>/remove/", documents.document_remove_view, name="document_remove"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("licences/<str:number>/", licences.licence_detail, name="licence_detail"),
    path("licences/<str:number>/shipments/", licences.licence_shipment_record, name="licence_shipment_record"),
    path("licences/<str:number>/certificate/", licences.licence_certificate, name="licence_certificate"),
    path("verify/", verification.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", verification.verify, name="verify"),
]
