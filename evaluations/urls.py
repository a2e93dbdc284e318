from django.urls import path

from evaluations import views

urlpatterns = [
    path("<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("<int:pk>/sign/", views.evaluation_sign_view, name="evaluation-sign"),
    path("<int:pk>/report/", views.evaluation_report_view, name="evaluation-report"),
    path("scoring-sheets/", views.scoring_sheet_view, name="scoring-sheets"),
    path("years/<int:pk>/<str:kind>/new/", views.evaluation_new, name="evaluation-new"),
    path("years/<int:pk>/decide/", views.contract_year_decide, name="contract-year-decide"),
    path("cycles/<int:pk>/terminate/", views.cycle_terminate_view, name="cycle-terminate"),
]
