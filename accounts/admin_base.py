"""The base of every ModelAdmin: role decides what a user may do, visible_to decides which rows.

The admin site is for administrators (accounts, settings) and bureau staff (the business records
of their district). Django's per-model permissions are not used: the role is the permission, and
every queryset and every foreign-key choice list starts from `visible_to(request.user)`.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from accounts.forms_util import PortalModelForm, apply_errors
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
    form = PortalModelForm

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


class ServiceWriteAdmin(PortalModelAdmin):
    """A model whose writes the policy constrains: the admin saves through its service, never around it.

    The form's clean() calls `perform(request, form, obj)`, which calls the service inside a savepoint
    of the admin's own transaction; a refusal (rule ID and clause) becomes a form error and nothing is
    saved. What the service does not change is read-only here; child rows are shown, not edited.
    """

    editable_on_change: tuple[str, ...] = ()

    def perform(self, request, form, obj):
        """Create the record through its service (obj is None) or apply the editable fields (obj given)."""
        if obj is not None:
            return self.perform_change(request, form, obj)
        raise NotImplementedError

    def perform_change(self, request, form, obj):
        return obj  # nothing on the change page is editable unless editable_on_change says so

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        return [
            f.name
            for f in self.model._meta.fields
            if f.name not in self.editable_on_change and f.name != "id"
        ]

    def get_inline_instances(self, request, obj=None):
        # The service writes the children with the record; they are shown once it exists.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # records the policy constrains are ended or corrected through services, not deleted

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                # The service builds, validates (full_clean) and saves the record itself.
                pass

            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    with transaction.atomic():
                        self.saved = model_admin.perform(request, self, obj)
                except (ValidationError, PermissionDenied) as error:
                    apply_errors(self, error)
                return cleaned

        return ServiceForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in clean()

    def save_related(self, request, form, formsets, change):
        pass


class ReadOnlyInline(PortalInline):
    """Child rows written by a service with their parent: shown in the admin, not edited there."""

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(PortalModelAdmin):
    """Records created and changed only by services (or their admin actions): the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
