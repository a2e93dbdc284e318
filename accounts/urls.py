from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import two_factor, views
from accounts.forms import LoginForm

urlpatterns = [
    path("requests/", views.account_requests, name="account-requests"),
    path("two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("two-factor/verify/", two_factor.verify, name="two-factor-verify"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url="/",
            extra_context={"title": "修改密码"},
        ),
        name="password-change",
    ),
]
