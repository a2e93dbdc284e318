from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The login form, with the messages a Chinese user expects."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意密码区分大小写。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    username = forms.CharField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        from accounts.throttle import wait_seconds

        wait = wait_seconds(self.data.get("username", ""))
        if wait:
            # Refused before the password is looked at: an early try neither guesses nor counts as a failure.
            raise forms.ValidationError(
                _("该账号登录失败次数较多，请{seconds}秒后再试。").format(seconds=wait), code="throttled"
            )
        return super().clean()
