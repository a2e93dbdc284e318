"""What each resource of the read API says. No field holds a person: no names of workers, volunteers or clients, no
ID or phone numbers, no free text (which may name people); money is a decimal string, times ISO 8601 in +08:00."""

from rest_framework import serializers

from contracts.models import BudgetLine, ContractYear, FundingAllocation, Procurement, ProjectCycle
from evaluations.models import Evaluation, EvaluationScore
from reports.models import Report, ReportFigure
from reports.selectors import StationStatus
from stations.models import District, Station, Street


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "code", "name", "city", "bureau_name", "updated_at"]


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "district", "name", "office_name", "planned_year", "updated_at"]


class StationSerializer(serializers.ModelSerializer):
    district = serializers.IntegerField(source="street.district_id", read_only=True)
    district_name = serializers.CharField(source="street.district.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    plan_year = serializers.IntegerField(
        source="street.planned_year", read_only=True, help_text="规划建站年度"
    )
    status = serializers.ChoiceField(
        choices=StationStatus.CHOICES, read_only=True, help_text="社工站状态（当天）"
    )
    status_label = serializers.SerializerMethodField()
    built_on = serializers.DateField(read_only=True, allow_null=True, help_text="建成日期")
    contractor = serializers.IntegerField(source="contractor_id", read_only=True, allow_null=True)
    contractor_name = serializers.CharField(read_only=True, allow_null=True)
    contract_year_start = serializers.DateField(source="year_start", read_only=True, allow_null=True)
    contract_year_end = serializers.DateField(source="year_end", read_only=True, allow_null=True)
    contract_year_amount = serializers.DecimalField(
        source="year_amount", max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    workers_posted = serializers.IntegerField(read_only=True, help_text="当天在岗驻站社工人数")
    workers_qualified = serializers.IntegerField(read_only=True, help_text="其中具备社会工作专业资质的人数")
    updated_at = serializers.DateTimeField(source="changed_at", read_only=True)

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "street",
            "street_name",
            "district",
            "district_name",
            "plan_year",
            "status",
            "status_label",
            "built_on",
            "contractor",
            "contractor_name",
            "contract_year_start",
            "contract_year_end",
            "contract_year_amount",
            "workers_posted",
            "workers_qualified",
            "updated_at",
        ]

    def get_status_label(self, station) -> str:
        return str(StationStatus.LABELS.get(station.status, ""))


class ProcurementSerializer(serializers.ModelSerializer):
    awarded_to_name = serializers.CharField(source="awarded_to.name", read_only=True, allow_null=True)

    class Meta:
        model = Procurement
        fields = [
            "id",
            "station",
            "purchaser",
            "title",
            "project_no",
            "method",
            "budget_amount",
            "notice_date",
            "status",
            "award_date",
            "awarded_to",
            "awarded_to_name",
            "agreement_signed_on",
            "updated_at",
        ]


class CycleSerializer(serializers.ModelSerializer):
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)

    class Meta:
        model = ProjectCycle
        fields = [
            "id",
            "station",
            "contractor",
            "contractor_name",
            "procurement",
            "start_date",
            "planned_years",
            "planned_end_date",
            "end_date",
            "end_reason",
            "updated_at",
        ]


class BudgetLineSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_line_display", read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["line", "label", "amount"]


class FundingSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = FundingAllocation
        fields = ["source", "label", "amount"]


class ContractYearSerializer(serializers.ModelSerializer):
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    funding_sources = FundingSerializer(source="funding", many=True, read_only=True)

    class Meta:
        model = ContractYear
        fields = [
            "id",
            "cycle",
            "station",
            "year_no",
            "start_date",
            "planned_end_date",
            "end_date",
            "amount",
            "headcount",
            "signed_on",
            "agreement_no",
            "budget_lines",
            "funding_sources",
            "updated_at",
        ]


class FigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportFigure
        fields = ["area", "kind", "sessions", "people"]


class ReportSerializer(serializers.ModelSerializer):
    station = serializers.IntegerField(source="contract_year.station_id", read_only=True)
    figures = FigureSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "contract_year",
            "station",
            "kind",
            "period",
            "due_date",
            "status",
            "submitted_at",
            "people_served",
            "volunteer_hours",
            "news_posts",
            "figures",
            "updated_at",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationScore
        fields = ["item", "max_score", "score"]


class EvaluationSerializer(serializers.ModelSerializer):
    station = serializers.IntegerField(source="contract_year.station_id", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "contract_year",
            "station",
            "kind",
            "due_date",
            "held_on",
            "total_score",
            "graded_on",
            "grade",
            "grade_label",
            "scores",
            "street_signed_at",
            "bureau_signed_at",
            "reported_to_municipal_on",
            "updated_at",
        ]


class FindingSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    clause = serializers.CharField(help_text="规则出处与原文")
    severity = serializers.CharField()
    station = serializers.IntegerField(source="station_id", allow_null=True)
    station_name = serializers.CharField(source="station")
    district = serializers.IntegerField(source="district_id", allow_null=True)
    subject = serializers.CharField()
    message = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    responsible = serializers.CharField()


class RuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    clause_ref = serializers.CharField()
    clause = serializers.CharField()
    severity = serializers.CharField()


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    rule_id = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_from = serializers.DateField(allow_null=True)
    document_no = serializers.CharField()


class RuleCatalogueSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="参数生效的日期")
    rules = RuleSerializer(many=True)
    parameters = ParameterSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.CharField()
    object_id = serializers.IntegerField()
    deleted_at = serializers.DateTimeField()
