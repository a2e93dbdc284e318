from django.urls import path

from contracts import views

urlpatterns = [
    path("contractors/", views.contractor_list, name="contractor-list"),
    path("contractors/new/", views.contractor_new, name="contractor-new"),
    path("contractors/<int:pk>/", views.contractor_detail, name="contractor-detail"),
    path("cycles/<int:pk>/sign/", views.contract_year_sign_view, name="contract-year-sign"),
    path("stations/<int:pk>/procurements/new/", views.procurement_new, name="procurement-new"),
    path("procurements/<int:pk>/award/", views.procurement_award_view, name="procurement-award"),
]
