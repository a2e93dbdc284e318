"""The base of every ModelAdmin: role decides what a user may do, visible_to decides which rows.

The admin site is for administrators (accounts, settings) and bureau staff (the business records
of their district). Django's per-model permissions are not used: the role is the permission, and
every queryset and every foreign-key choice list starts from `visible_to(request.user)`.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from core.forms import PortalModelForm, apply_errors
from core.masking import masked, personal_fields


def _role_may(request, roles) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.role in roles


def _is_user_field(field) -> bool:
    from django.conf import settings

    return (
        field.is_relation
        and field.related_model is not None
        and (field.related_model._meta.label == settings.AUTH_USER_MODEL)
    )


class SafeChangelistMixin:
    """The change list's filters from the address bar, checked before Django reads them: an id past the database's
    integer, digits other than 0-9, or a date drill-down outside 1900-2100 is an invalid filter (Django's "?e=1"
    page), not a 500."""

    def changelist_view(self, request, extra_context=None):
        from django.http import HttpResponseRedirect

        from core.querystring import YEAR_MAX, YEAR_MIN

        for key, values in request.GET.lists():
            for value in values:
                digits = value.strip()
                if any(c.isdigit() and c not in "0123456789" for c in digits):
                    return HttpResponseRedirect(request.path + "?e=1")
                if digits.isdigit() and (len(digits) > 18 or int(digits) > 2**63 - 1):
                    return HttpResponseRedirect(request.path + "?e=1")
                if key.endswith(("__year", "__month", "__day")) and key != "e":
                    if not digits.isdigit():
                        return HttpResponseRedirect(request.path + "?e=1")
                    number = int(digits)
                    bounds = {"__year": (YEAR_MIN, YEAR_MAX), "__month": (1, 12), "__day": (1, 31)}
                    low, high = next(b for suffix, b in bounds.items() if key.endswith(suffix))
                    if not low <= number <= high:
                        return HttpResponseRedirect(request.path + "?e=1")
        return super().changelist_view(request, extra_context)


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


class PersonalDataMixin:
    """Personal identifiers (encrypted ID numbers and phones) never appear in full in the admin: they are left out
    of the form and shown masked; the full value is revealed only through the portal's audited 显示完整号码.

    Who did something (submitted, reviewed, verified, logged, uploaded: a foreign key to an account) is recorded by
    the services, never chosen in the admin: such fields are read-only, so no picker lists every account in the
    system and nobody attributes a verification to someone else. An admin that places accounts in a unit's staff
    list names the field in `user_pickers` and gives it its own narrowed choices."""

    user_pickers: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *personal_fields(self.model)]

    def get_readonly_fields(self, request, obj=None):
        return self.masked_readonly(super().get_readonly_fields(request, obj), obj)

    def masked_readonly(self, readonly, obj) -> list[str]:
        hidden = set(personal_fields(self.model))
        readonly = [name for name in readonly if name not in hidden]
        readonly += [
            f.name
            for f in self.model._meta.fields
            if _is_user_field(f) and f.name not in self.user_pickers and f.name not in readonly
        ]
        if hidden and obj is not None:
            readonly.append("personal_data")
        return readonly

    @admin.display(description=_("身份证号与电话（部分隐藏）"))
    def personal_data(self, obj):
        return "；".join(
            f"{self.model._meta.get_field(name).verbose_name}：{masked(name, getattr(obj, name)) or '—'}"
            for name in personal_fields(self.model)
        )


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The admin's change history with personal identifiers masked, old and new."""

    def prepare_delta_change_value(self, change, value):
        if change.field in personal_fields(self.model):
            return masked(change.field, value)
        return super().prepare_delta_change_value(change, value)


def placeable_accounts(role: str, link_model, unit_field: str, request):
    """The accounts the bureau may place in a unit's staff list: active accounts of the unit's role that belong to
    no other unit of that kind (one person, one organisation). `link_model` is the staff list's row model (or an
    M2M's through model) and `unit_field` its foreign key to the unit. The picker never lists every account in the
    system: an account of another role or another organisation is not offered."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    unit_id = _unit_being_edited(request)
    elsewhere = link_model.objects.exclude(**{f"{unit_field}_id": unit_id}).values("user")
    return User.objects.filter(role=role, is_active=True).exclude(pk__in=elsewhere).order_by("username")


def _unit_being_edited(request) -> int | None:
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    return int(object_id) if object_id and str(object_id).isdecimal() and str(object_id).isascii() else None


class PortalExportResource(ModelResource):
    """A model exported from the admin: the rows the user may see, choices as their labels, dates as dates, personal
    identifiers masked (as on every page) and their digests left out; the headers are the fields' Chinese names."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        return field

    def export_field(self, field, instance, **kwargs):
        name = field.attribute or ""
        model = self._meta.model
        if name in personal_fields(model) or name == "phone":
            return masked(name, getattr(instance, name))
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            model_field = None
        if model_field is not None and model_field.choices and not model_field.is_relation:
            return str(getattr(instance, f"get_{name}_display")())
        return super().export_field(field, instance, **kwargs)


def export_resource_for(model) -> type[ModelResource]:
    secret = ("password", "secret", "key", "token")
    hidden = [
        f.name
        for f in model._meta.concrete_fields
        if f.name.endswith("_digest") or any(s in f.name for s in secret)
    ]
    meta = type("Meta", (), {"model": model, "exclude": hidden})
    return type(f"{model.__name__}ExportResource", (PortalExportResource,), {"Meta": meta})


# The sheets people bring, by the model they create: (import kind, roles that import it). The admin's change list
# links to the portal's import page, the same preview and services (documents/imports.py).
IMPORT_KINDS = {
    "staffing.socialworker": ("roster", {"contractor"}),
    "staffing.volunteer": ("volunteers", {"contractor"}),
    "staffing.volunteerhours": ("volunteer-hours", {"contractor"}),
    "staffing.training": ("training", {"bureau"}),
    "stations.siteconditionlog": ("site-conditions", {"street", "bureau"}),
    "reports.servicerecord": ("service-records", {"contractor"}),
    "contracts.contractor": ("contractors", {"bureau"}),
}


class PortalExportMixin(ExportMixin):
    """Export from every admin list: the list's rows (get_queryset: visible_to the user), through the model's
    Resource, as .xlsx, recorded in the audit log; and, where the portal imports that model, a link to its import."""

    import_export_change_list_template = "admin/portal_change_list.html"

    def get_export_resource_classes(self, request):
        return [export_resource_for(self.model)]

    def has_export_permission(self, request):
        return _role_may(request, self.admin_roles)

    def get_export_formats(self):
        from import_export.formats.base_formats import XLSX

        return [XLSX]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        from core.signals import announce

        data = super().get_export_data(file_format, request, queryset, **kwargs)
        announce(
            "export",
            request=request,
            object_type=self.model._meta.label_lower,
            summary=f"{self.model._meta.verbose_name}：{queryset.count()}行（后台导出）",
        )
        return data

    def changelist_view(self, request, extra_context=None):
        from django.urls import reverse

        kind, roles = IMPORT_KINDS.get(self.model._meta.label_lower, ("", set()))
        extra = {
            "portal_import_url": reverse("import", args=[kind]) if kind and request.user.role in roles else ""
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})


class PortalModelAdmin(
    SafeChangelistMixin, PersonalDataMixin, ScopedFormFieldsMixin, PortalExportMixin, SimpleHistoryAdmin
):
    """Business records: bureau staff of the record's district; administrators never see case data.

    `governed_fields` names the fields the policy governs: they are written only by the services (through the
    portal's forms or a ServiceWriteAdmin), so here they are read-only; "__all__" makes the whole record read-only,
    with no add, change or delete. A record with a governed field is never deleted in the admin. Every registered
    admin is walked by tests/policy/test_admin_paths.py against its declaration."""

    admin_roles = frozenset({"bureau"})
    list_per_page = 50
    form = PortalModelForm
    governed_fields: tuple[str, ...] | str = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.governed_fields == "__all__":
            return self.masked_readonly([f.name for f in self.model._meta.fields if f.name != "id"], obj)
        return readonly + [name for name in self.governed_fields if name not in readonly]

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)

    def _in_scope_or_404(self, request, object_id) -> None:
        # simple-history reads the history table directly, so a record outside the user's scope would show its
        # past: the record must be one get_queryset (visible_to) gives, like its change page.
        from django.http import Http404

        from core.querystring import query_id

        pk = query_id(str(object_id))
        if pk is None or not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404(_("没有找到该记录，或该记录不在您的管理范围内。"))

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version is shown, never saved back: reverting would write around the services (and the form's
        # personal fields are left out, so a revert would also blank them).
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_add_permission(self, request):
        # Records with personal identifiers are registered in the portal, where their numbers are checked; a record
        # the policy governs is created by its service.
        return (
            not personal_fields(self.model)
            and not self.governed_fields
            and _role_may(request, self.admin_roles)
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset

    def has_module_permission(self, request):
        return _role_may(request, self.admin_roles)

    def has_view_permission(self, request, obj=None):
        return _role_may(request, self.admin_roles)

    def has_change_permission(self, request, obj=None):
        return self.governed_fields != "__all__" and _role_may(request, self.admin_roles)

    def has_delete_permission(self, request, obj=None):
        return not self.governed_fields and _role_may(request, self.admin_roles)


class PortalInline(PersonalDataMixin, ScopedFormFieldsMixin, admin.TabularInline):
    admin_roles = frozenset({"bureau"})
    extra = 0
    form = PortalModelForm

    def get_queryset(self, request):
        # Children of a visible parent are not all visible (the staff links of other districts to a contractor
        # every district sees): an inline shows the rows the user may see, like every other list.
        queryset = super().get_queryset(request)
        return queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else queryset

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
        return self.masked_readonly(
            [
                f.name
                for f in self.model._meta.fields
                if f.name not in self.editable_on_change and f.name != "id"
            ],
            obj,
        )

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
