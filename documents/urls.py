from django.urls import path

from documents import import_views, job_views, views

urlpatterns = [
    path("rollout.xlsx", views.rollout_xlsx, name="export-rollout-xlsx"),
    path("rollout.pdf", views.rollout_pdf_view, name="export-rollout-pdf"),
    path("evaluations/<int:pk>.pdf", views.evaluation_pdf_view, name="export-evaluation-pdf"),
    path("plans/<int:pk>.pdf", views.annual_plan_pdf_view, name="export-annual-plan-pdf"),
    path("stations/<int:pk>/dossier.pdf", views.dossier_pdf_view, name="export-dossier-pdf"),
    path("ocds.json", views.ocds_json, name="export-ocds"),
    path("jobs/", job_views.job_list, name="export-jobs"),
    path("jobs/new/", job_views.job_new, name="export-job-new"),
    path("jobs/<int:pk>/", job_views.job_detail, name="export-job"),
    path("jobs/<int:pk>/file/", job_views.job_download, name="export-job-file"),
    path("jobs/<int:pk>/retry/", job_views.job_retry, name="export-job-retry"),
    path("imports/<str:kind>/", import_views.import_page, name="import"),
    path("imports/<str:kind>/confirm/", import_views.import_confirm, name="import-confirm"),
    path("imports/<str:kind>/template.xlsx", import_views.import_template, name="import-template"),
]
