from django.urls import path

from contracts import views

urlpatterns = [
    path("cycles/<int:pk>/sign/", views.contract_year_sign_view, name="contract-year-sign"),
    path("stations/<int:pk>/procurements/new/", views.procurement_new, name="procurement-new"),
    path("procurements/<int:pk>/award/", views.procurement_award_view, name="procurement-award"),
]
