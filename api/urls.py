"""/api/v1/: the read API's resources, its OpenAPI 3 schema and its documentation page (served from local files)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import views

app_name = "api"
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("districts", views.DistrictViewSet, basename="districts")
router.register("streets", views.StreetViewSet, basename="streets")
router.register("stations", views.StationViewSet, basename="stations")
router.register("procurements", views.ProcurementViewSet, basename="procurements")
router.register("cycles", views.CycleViewSet, basename="cycles")
router.register("contract-years", views.ContractYearViewSet, basename="contract-years")
router.register("reports", views.ReportViewSet, basename="reports")
router.register("evaluations", views.EvaluationViewSet, basename="evaluations")
router.register("findings", views.FindingViewSet, basename="findings")
router.register("deleted", views.TombstoneViewSet, basename="deleted")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/rules/", views.RuleCatalogueView.as_view(), name="api-rules"),
    path("v1/ocds/", views.OcdsView.as_view(), name="api-ocds"),
    path("v1/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("v1/docs/", views.documentation, name="api-docs"),
]
