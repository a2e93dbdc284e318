from django.urls import path

from contracts import views

urlpatterns = [
    path("cycles/<int:pk>/sign/", views.contract_year_sign_view, name="contract-year-sign"),
]
