from django.urls import path

from documents import views

urlpatterns = [
    path("rollout.xlsx", views.rollout_xlsx, name="export-rollout-xlsx"),
    path("rollout.pdf", views.rollout_pdf_view, name="export-rollout-pdf"),
    path("ocds.json", views.ocds_json, name="export-ocds"),
]
