from django.urls import path

from reports import views

urlpatterns = [
    path("stations/", views.station_list, name="station-list"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("findings/", views.finding_list, name="finding-list"),
    path("rules/", views.rule_catalogue, name="rules"),
    path("reports/<int:pk>/review/", views.report_review_view, name="report-review"),
    path("history/<str:label>/<int:pk>/", views.record_history, name="record-history"),
]
