from django.contrib import admin

from accounts.admin_base import PortalInline, PortalModelAdmin
from evaluations.models import Evaluation, EvaluationScore, Renewal


class EvaluationScoreInline(PortalInline):
    model = EvaluationScore


@admin.register(Evaluation)
class EvaluationAdmin(PortalModelAdmin):
    list_display = [
        "contract_year",
        "kind",
        "due_date",
        "held_on",
        "total_score",
        "grade",
        "street_signed_at",
        "bureau_signed_at",
    ]
    list_filter = ["kind", "grade"]
    search_fields = ["contract_year__station__name"]
    list_select_related = ["contract_year__station"]
    inlines = [EvaluationScoreInline]


@admin.register(Renewal)
class RenewalAdmin(PortalModelAdmin):
    list_display = ["contract_year", "decision", "decided_on", "evaluation", "next_year"]
    list_filter = ["decision"]
    search_fields = ["contract_year__station__name"]
    list_select_related = [
        "contract_year__station",
        "next_year__station",
        "evaluation__contract_year__station",
    ]
