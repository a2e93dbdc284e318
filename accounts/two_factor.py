"""Two-factor login with a time-based one-time code (TOTP, django-otp): an authenticator app on the officer's
phone. Required for the roles in OTP_REQUIRED_ROLES (bureau, admin and auditor under production settings);
anyone who has set it up is asked for the code at every login."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms_util import PortalForm

OPEN_PATHS = ("two-factor-setup", "two-factor-verify", "logout", "password-change")


def needs_second_factor(user, session=None) -> bool:
    """Required by role, or chosen by the user (a confirmed device). The latter is remembered in the session for the
    ordinary case of no device, so that a page does not look for devices on every request."""
    if user.role in settings.OTP_REQUIRED_ROLES:
        return True
    if session is not None and session.get("portal_no_otp_device"):
        return False
    has_device = any(devices_for_user(user, confirmed=True))
    if session is not None and not has_device:
        session["portal_no_otp_device"] = True
    return has_device


def second_factor_redirect(request):
    """Where a signed-in user without a verified second factor must go first, or None."""
    user = request.user
    if getattr(user, "is_verified", lambda: True)() or not needs_second_factor(user, request.session):
        return None
    if request.path in {reverse(n) for n in OPEN_PATHS}:
        return None
    has_device = any(devices_for_user(user, confirmed=True))
    return redirect("two-factor-verify" if has_device else "two-factor-setup")


class TokenForm(PortalForm):
    token = forms.RegexField(
        label=gettext_lazy("验证码"), regex=r"^\s*\d{6}\s*$", error_messages={"invalid": gettext_lazy("请输入手机验证器显示的6位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip


def setup(request):
    """Set up the authenticator: show the key (and its otpauth link), confirm with a first code."""
    if any(devices_for_user(request.user, confirmed=True)) and not request.user.is_verified():
        return redirect("two-factor-verify")  # a second phone only after the first one's code
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False
    ).first() or TOTPDevice.objects.create(user=request.user, name=_("手机验证器"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            request.session.pop("portal_no_otp_device", None)
            otp_login(request, device)
            messages.success(request, _("两步验证已启用：今后每次登录都需要输入验证码。"))
            return redirect("home")
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重试。"))
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "url": device.config_url,
        },
    )


def verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(request.GET.get("next") or "home")
        form.add_error("token", _("验证码不正确或已过期。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")
