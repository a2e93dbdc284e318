from django.urls import path

from stations import views

urlpatterns = [
    path("<int:pk>/site-logs/new/", views.site_log_new, name="site-log-new"),
]
