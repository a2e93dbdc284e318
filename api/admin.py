"""The read API's tokens in the admin, for the administrator: issue one to a named system for a district (or every
district), see when each was last used, revoke. The key is shown once, when issued; only its hash is kept."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken
from api.services import MAX_DAYS, issue_token, revoke_token
from core.admin_base import PortalExportMixin, SafeChangelistMixin, _role_may


class IssueForm(forms.ModelForm):
    days = forms.IntegerField(
        label=gettext_lazy("有效天数"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=365,
        help_text=gettext_lazy("到期后令牌失效，需要重新签发。"),
    )

    class Meta:
        model = ApiToken
        fields = ["system", "district"]


@admin.register(ApiToken)
class ApiTokenAdmin(SafeChangelistMixin, PortalExportMixin, admin.ModelAdmin):
    admin_roles = frozenset({"admin"})
    list_display = ["system", "scope_label", "prefix", "issued_at", "expires_at", "last_used_at", "state"]
    list_filter = ["district"]
    search_fields = ["system", "prefix"]
    readonly_fields = [
        "system",
        "district",
        "prefix",
        "account",
        "issued_by",
        "issued_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("读取范围"))
    def scope_label(self, token):
        return token.scope_label

    @admin.display(description=gettext_lazy("状态"))
    def state(self, token):
        return token.state

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = IssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["system", "district", "days"] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            token, key = issue_token(
                system=form.cleaned_data["system"],
                district=form.cleaned_data["district"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as error:
            raise ValidationError(error) from None
        obj.pk = token.pk
        messages.warning(
            request,
            _("令牌已签发，只显示这一次，请复制后交给{system}的开发人员：{key}").format(
                system=token.system, key=key
            ),
        )

    def log_addition(self, request, obj, message):
        return None  # the issue is in the audit log (api.services.issue_token)

    @admin.action(description=gettext_lazy("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, by=request.user)
        messages.success(request, _("已吊销{count}个令牌。").format(count=queryset.count()))

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_change_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit log names it
