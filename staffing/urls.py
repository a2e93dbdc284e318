from django.urls import path

from staffing import views, volunteer_views

urlpatterns = [
    path("workers/", views.worker_list, name="worker-list"),
    path("workers/new/", views.worker_new, name="worker-new"),
    path("workers/<int:pk>/", views.worker_detail, name="worker-detail"),
    path("workers/<int:pk>/qualifications/new/", views.qualification_new, name="qualification-new"),
    path("workers/<int:pk>/leave/", views.worker_leave_view, name="worker-leave"),
    path("cycles/<int:pk>/postings/new/", views.posting_new, name="posting-new"),
    path("postings/<int:pk>/end/", views.posting_end_view, name="posting-end"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_new, name="training-new"),
    path("stations/<int:pk>/supervision/new/", views.supervision_new, name="supervision-new"),
    path("volunteers/", volunteer_views.volunteer_list, name="volunteer-list"),
    path("volunteers/new/", volunteer_views.volunteer_new, name="volunteer-new"),
    path("volunteers/<int:pk>/", volunteer_views.volunteer_detail, name="volunteer-detail"),
    path("volunteers/<int:pk>/hours/new/", volunteer_views.volunteer_hours_new, name="volunteer-hours-new"),
    path("volunteers/<int:pk>/link/", volunteer_views.volunteer_link_renew_view, name="volunteer-link-renew"),
    path("volunteers/<int:pk>/active/", volunteer_views.volunteer_active_view, name="volunteer-active"),
    path(
        "volunteers/hours/verify/", volunteer_views.volunteer_hours_verify_view, name="volunteer-hours-verify"
    ),
    path(
        "volunteers/<int:pk>/incentives/new/",
        volunteer_views.volunteer_incentive_new,
        name="volunteer-incentive-new",
    ),
    path(
        "volunteers/<int:pk>/insurance/new/",
        volunteer_views.volunteer_insurance_new,
        name="volunteer-insurance-new",
    ),
    # The volunteer's own link (no account): enter service hours for the station to verify.
    path("v/<str:token>/", volunteer_views.volunteer_self_report, name="volunteer-self-report"),
]
