"""Two-factor login with a time-based one-time code (TOTP, django-otp): an authenticator app on the officer's
phone. Required for the roles in OTP_REQUIRED_ROLES (bureau, admin and auditor under production settings);
anyone who has set it up is asked for the code at every login."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import enrolment_code_check
from core.access import safe_next
from core.forms import PortalForm
from core.signals import announce

# The pages a signed-in user reaches before the second factor: the enrolment, the code, and leaving. Everything else
# — changing the password included — waits for the second factor.
OPEN_PATHS = ("two-factor-setup", "two-factor-verify", "logout")
ENROLMENT_SESSION_KEY = "portal_enrolment_code"


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


class EnrolmentForm(PortalForm):
    code = forms.CharField(
        label=gettext_lazy("启用码"),
        max_length=20,
        help_text=gettext_lazy("由系统管理员签发，当面或电话告知本人，3天内有效。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def setup(request):
    """Set up the authenticator. The first enrolment on an account starts with the enrolment code the
    administrator issued (the password alone does not let anyone put their own phone on an account); then the key
    (and its otpauth link) is shown and confirmed with a first code."""
    has_device = any(devices_for_user(request.user, confirmed=True))
    if has_device and not request.user.is_verified():
        return redirect("two-factor-verify")  # a second phone only after the first one's code
    if not has_device and not _enrolment_code(request):
        form = EnrolmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            found = enrolment_code_check(user=request.user, code=form.cleaned_data["code"])
            if found is not None:
                request.session[ENROLMENT_SESSION_KEY] = found.pk
                return redirect("two-factor-setup")
            form.add_error("code", _("启用码不正确、已使用或已过期，请向系统管理员申请新的启用码。"))
        return render(request, "accounts/two_factor_enrol.html", {"form": form})
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False
    ).first() or TOTPDevice.objects.create(user=request.user, name=_("手机验证器"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            code = _enrolment_code(request)
            if code is not None:
                code.used_at = timezone.now()
                code.save(update_fields=["used_at"])
                request.session.pop(ENROLMENT_SESSION_KEY, None)
            request.session.pop("portal_no_otp_device", None)
            otp_login(request, device)
            announce(
                "two_factor", request=request, user=request.user, obj=request.user, summary="启用两步验证"
            )
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


def _enrolment_code(request):
    """The enrolment code this session showed (still unused and unexpired), or None."""
    from accounts.models import EnrolmentCode

    pk = request.session.get(ENROLMENT_SESSION_KEY)
    if pk is None:
        return None
    return EnrolmentCode.objects.filter(
        pk=pk, user=request.user, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(safe_next(request, request.GET.get("next")))
        form.add_error("token", _("验证码不正确或已过期。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")
