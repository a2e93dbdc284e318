from django.urls import path

from stations import views

urlpatterns = [
    path("", views.annual_plan_list, name="annual-plan-list"),
    path("new/", views.annual_plan_edit, name="annual-plan-new"),
    path("<int:pk>/edit/", views.annual_plan_edit, name="annual-plan-edit"),
    path("<int:pk>/submit/", views.annual_plan_submit_view, name="annual-plan-submit"),
    path("<int:pk>/review/", views.annual_plan_review, name="annual-plan-review"),
]
