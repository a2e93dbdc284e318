from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import APPROVER_ROLE, AccountRequest, EnrolmentCode, Role, User
from accounts.services import (
    ENROLMENT_CODE_DAYS,
    account_change,
    account_create,
    enrolment_code_issue,
    password_reset,
)
from core.admin_base import PortalExportMixin, SafeChangelistMixin, _role_may
from core.forms import PortalModelForm, apply_errors

admin.site.site_header = _("社工站管理平台 · 系统管理")
admin.site.site_title = _("社工站管理平台")
admin.site.index_title = _("系统管理")


def _admin_site_permission(request) -> bool:
    """Only administrators and bureau staff enter the admin site."""
    return getattr(request.user, "may_use_admin_site", False)


admin.site.has_permission = _admin_site_permission


class PortalAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form: the role decides who may enter, not Django's is_staff flag."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not user.may_use_admin_site:
            raise ValidationError(_("该账号无权进入后台管理。"), code="invalid_login")


admin.site.login_form = PortalAdminAuthenticationForm
# Roles are the permission: Django's groups are not used.
admin.site.unregister(Group)


class AccountAddForm(PortalModelForm):
    """A new account: who it is and its role. No password: the portal issues a temporary one (shown once), which
    the owner must change at the first login; a privileged role waits for a second person's approval first."""

    class Meta:
        model = User
        fields = ["username", "role", "last_name", "first_name", "email", "phone"]


@admin.register(User)
class PortalUserAdmin(SafeChangelistMixin, PortalExportMixin, UserAdmin):
    """Accounts are managed by administrators only, with duties apart (三权分立, accounts.services): an administrator
    cannot grant the bureau, municipal, auditor or administrator role, re-activate such an account or reset its
    password without a second person's approval, cannot change its own role or status, and never chooses anyone's
    password (a temporary one is issued, which the owner must change at the next login)."""

    admin_roles = frozenset({Role.ADMIN})
    add_form = AccountAddForm
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["role", "username"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("角色与状态"), {"fields": ("role", "is_active", "must_change_password")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": tuple(AccountAddForm.Meta.fields)}),)
    readonly_fields = ["last_login", "date_joined", "must_change_password"]
    actions = ["reset_password", "issue_enrolment_code"]

    @admin.display(description=_("姓名"))
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("所属单位"))
    def unit(self, user):
        from accounts.context_processors import unit_name

        return unit_name(user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ServiceForm(form_class):
            def _post_clean(self):
                # After the form's own checks (a user name taken, a role unknown), the service makes the change.
                super()._post_clean()
                if self.errors:
                    return
                cleaned = self.cleaned_data
                try:
                    with transaction.atomic():
                        if obj is None:
                            self.saved, self.password = account_create(
                                actor=request.user,
                                request=request,
                                **{name: cleaned.get(name, "") for name in AccountAddForm.Meta.fields},
                            )
                        else:
                            self.outcome = account_change(
                                user=obj,
                                role=cleaned.get("role", obj.role),
                                is_active=cleaned.get("is_active", obj.is_active),
                                actor=request.user,
                                request=request,
                            )
                except (ValidationError, PermissionDenied) as error:
                    apply_errors(self, error)

        return ServiceForm

    def save_form(self, request, form, change):
        if not change:
            return form.saved
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if not change:
            if form.password:
                self.message_user(
                    request,
                    _(
                        "账号{username}已建立。临时密码：{password}（只显示这一次，请当面或电话告知本人；本人首次登录须修改）"
                    ).format(username=obj.username, password=form.password),
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _("账号{username}已建立，待{approver}审批后启用（三权分立）。").format(
                        username=obj.username, approver=Role(APPROVER_ROLE[obj.role]).label
                    ),
                    messages.WARNING,
                )
            return
        # Role and status were applied (or sent for approval) by account_change in the form: keep what it left, and
        # what no form sets (the session epoch it may have raised, the password and its dates).
        current = User.objects.get(pk=obj.pk)
        for name in (
            "role",
            "is_active",
            "session_epoch",
            "password",
            "password_changed_at",
            "must_change_password",
        ):
            setattr(obj, name, getattr(current, name))
        super().save_model(request, obj, form, change)
        if form.outcome:
            self.message_user(request, form.outcome, messages.INFO)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied(
            _("管理员不能为他人设定密码：请在用户列表中使用“重置密码”，由本人登录后设定新密码。")
        )

    @admin.action(description=_("重置密码（本人下次登录须修改）"))
    def reset_password(self, request, queryset):
        for user in queryset:
            try:
                password = password_reset(user=user, actor=request.user, request=request)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{user.username}：{_message(error)}", messages.ERROR)
            else:
                if password:
                    text = _("{username}的临时密码：{password}（只显示这一次；本人下次登录须修改）").format(
                        username=user.username, password=password
                    )
                else:
                    text = _("{username}的密码重置已提交{approver}审批。").format(
                        username=user.username, approver=Role(APPROVER_ROLE[user.role]).label
                    )
                self.message_user(request, text, messages.WARNING)

    @admin.action(description=_("签发两步验证启用码"))
    def issue_enrolment_code(self, request, queryset):
        for user in queryset:
            code = enrolment_code_issue(user=user, actor=request.user, request=request)
            self.message_user(
                request,
                _(
                    "{username}的两步验证启用码：{code}（{days}天内有效，只显示这一次，请当面或电话告知本人）"
                ).format(username=user.username, code=code, days=ENROLMENT_CODE_DAYS),
                messages.WARNING,
            )

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_change_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_delete_permission(self, request, obj=None):
        return False  # an account is disabled, never deleted: the audit log and the records keep who it was


def _message(error) -> str:
    return "；".join(getattr(error, "messages", None) or [str(error)])


@admin.register(AccountRequest)
class AccountRequestAdmin(SafeChangelistMixin, PortalExportMixin, admin.ModelAdmin):
    """What the administrator asked and how it was decided (decided on the approver's page, not here)."""

    admin_roles = frozenset({Role.ADMIN})
    list_display = [
        "user",
        "kind",
        "role",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "kind", "role"]

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(AccountRequestAdmin):
    """Which enrolment codes were issued, by whom, and whether they were used (the code itself is not kept)."""

    list_display = ["user", "issued_by", "issued_at", "expires_at", "used_at"]
    list_filter = []
    exclude = ["digest"]
