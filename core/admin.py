from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_base import ServiceWriteAdmin
from core.models import PolicyParameter
from core.services import parameter_change


@admin.register(PolicyParameter)
class PolicyParameterAdmin(ServiceWriteAdmin):
    """Policy parameters: a new value from a given day, through core.services.parameter_change."""

    admin_roles = frozenset({"bureau", "admin"})
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
