from django.urls import path

from reports import finding_views, history_views, record_views, report_views, station_views
from reports.files import file_download

urlpatterns = [
    path("stations/", station_views.station_list, name="station-list"),
    path("stations/<int:pk>/", station_views.station_detail, name="station-detail"),
    path("findings/", finding_views.finding_list, name="finding-list"),
    path("rules/", finding_views.rule_catalogue, name="rules"),
    path("rules/parameters/change/", finding_views.parameter_change_view, name="parameter-change"),
    path("reports/", report_views.report_list, name="report-list"),
    path("reports/new/", report_views.report_new, name="report-new"),
    path("reports/<int:pk>/", report_views.report_edit, name="report-edit"),
    path("reports/<int:pk>/submit/", report_views.report_submit_view, name="report-submit"),
    path("reports/<int:pk>/review/", report_views.report_review_view, name="report-review"),
    path("service-records/", record_views.service_record_list, name="service-record-list"),
    path("service-records/new/", record_views.service_record_new, name="service-record-new"),
    path("service-records/<int:pk>/", record_views.service_record_detail, name="service-record-detail"),
    path("files/<str:kind>/<int:pk>/", file_download, name="file-download"),
    path("history/<str:label>/<int:pk>/", history_views.record_history, name="record-history"),
]
