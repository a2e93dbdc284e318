from django.urls import path

from staffing import views

urlpatterns = [
    path("cycles/<int:pk>/postings/new/", views.posting_new, name="posting-new"),
]
