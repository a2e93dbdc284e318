"""The base of every ModelAdmin: role decides what a user may do, visible_to decides which rows.

The admin site is for administrators (accounts, settings) and bureau staff (the business records
of their district). Django's per-model permissions are not used: the role is the permission, and
every queryset and every foreign-key choice list starts from `visible_to(request.user)`.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Role


def _role_may(request, roles) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.role in roles


class ScopedFormFieldsMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PortalModelAdmin(ScopedFormFieldsMixin, SimpleHistoryAdmin):
    """Business records: bureau staff of the record's district; administrators never see case data."""

    admin_roles = frozenset({Role.BUREAU})
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset

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


class PortalInline(ScopedFormFieldsMixin, admin.TabularInline):
    admin_roles = frozenset({Role.BUREAU})
    extra = 0

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_add_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_change_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_delete_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)
