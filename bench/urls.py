"""Benchmark URLconf: the product's URLs plus two baselines that are never part of the product.

* ``/bench/bare/`` -- a bare Django view returning a constant JSON body: the ceiling of this stack.
* ``/bench/drf/licences/`` -- what an integrator would otherwise get: a plain DRF ModelViewSet with
  page-number pagination over the same licences (same API-key auth and per-key throttle).
"""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from config.urls import urlpatterns as product_urlpatterns
from licensing.models import Licence

CONSTANT = {"status": "ok", "service": "kyoka", "version": 1}


def bare(request):  # type: ignore[no-untyped-def]
    return JsonResponse(CONSTANT)


class PlainLicenceSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.slug")
    authority = serializers.CharField(source="authority.code")
    application = serializers.CharField(source="application.reference")
    quantity_remaining = serializers.DecimalField(max_digits=14, decimal_places=3)

    class Meta:
        model = Licence
        fields = [
            "number",
            "status",
            "licence_type",
            "bulk_type",
            "authority",
            "item",
            "destination",
            "valid_from",
            "valid_until",
            "quantity_authorised",
            "quantity_remaining",
            "unit",
            "application",
            "issued_at",
            "updated_at",
        ]


class Pages(PageNumberPagination):
    page_size = 50


class PlainLicenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlainLicenceSerializer
    pagination_class = Pages

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            Licence.objects.filter(organisation_id=self.request.auth.organisation_id)
            .select_related("item", "authority", "application")
            .order_by("id")
        )


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/drf/licences/", PlainLicenceViewSet.as_view({"get": "list"})),
    path("", include(product_urlpatterns)),
]
