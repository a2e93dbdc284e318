from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_base import ServiceWriteAdmin
from core.models import PolicyParameter
from core.services import parameter_change


@admin.register(PolicyParameter)
class PolicyParameterAdmin(ServiceWriteAdmin):
    """Policy parameters: a new value from a given day, through core.services.parameter_change."""

    # The bureau's numbers: the system administrator does not set them (三权分立), nor sees them here (/rules/ shows
    # every value to everyone).
    admin_roles = frozenset({"bureau"})
    list_display = [
        "key",
        "value",
        "valid_from",
        "rule_id",
        "document_no",
        "changed_by",
        "changed_at",
        "note",
    ]
    list_filter = ["key"]
    search_fields = ["note"]
    readonly_fields = ["changed_by", "changed_at"]
    date_hierarchy = "valid_from"

    @admin.display(description=_("规则"))
    def rule_id(self, parameter):
        return parameter.rule_id

    def perform(self, request, form, obj):
        if obj is not None:
            return obj  # a value once set is history: set a new value from a later day instead
        data = form.cleaned_data
        return parameter_change(
            key=data["key"],
            value=data["value"],
            valid_from=data["valid_from"],
            document_no=data["document_no"],
            actor=request.user,
            note=data["note"],
        )
