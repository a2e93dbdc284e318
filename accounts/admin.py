from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin_base import ServiceWriteAdmin, _role_may
from accounts.models import PolicyParameter, Role, User
from accounts.services import parameter_change

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


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Accounts are managed by administrators only (separation of duties)."""

    admin_roles = frozenset({Role.ADMIN})
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["role", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("角色与状态"), {"fields": ("role", "is_active")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description=_("姓名"))
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("所属单位"))
    def unit(self, user):
        from accounts.context_processors import unit_name

        return unit_name(user)

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_change_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_delete_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)


@admin.register(PolicyParameter)
class PolicyParameterAdmin(ServiceWriteAdmin):
    """Policy parameters: a new value from a given day, through accounts.services.parameter_change."""

    admin_roles = frozenset({Role.BUREAU, Role.ADMIN})
    list_display = ["key", "value", "valid_from", "rule_id", "changed_by", "changed_at", "note"]
    list_filter = ["key"]
    search_fields = ["note"]
    readonly_fields = ["changed_by", "changed_at"]
    date_hierarchy = "valid_from"

    @admin.display(description=_("规则"))
    def rule_id(self, parameter):
        return parameter.rule_id

    def perform(self, request, form, obj):
        if obj is not None:
            return obj  # a value once in force is history: set a new value from a later day instead
        data = form.cleaned_data
        return parameter_change(
            key=data["key"],
            value=data["value"],
            valid_from=data["valid_from"],
            actor=request.user,
            note=data["note"],
        )
