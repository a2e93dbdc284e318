"""The portal's URLs. Every page needs a signed-in user except the login page and /healthz."""

from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("reports.urls")),
    path("stations/", include("stations.urls")),
    path("plans/", include("stations.plan_urls")),
    path("contracts/", include("contracts.urls")),
    path("staffing/", include("staffing.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("exports/", include("documents.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
