"""The read API (issue 20): every resource is read through the same `visible_to` as the pages, narrowed to the
token's machine account before anything else; lists are ordered by id, paginated by cursor (stable under inserts),
and filter by `updated_since` for incremental sync; every answer carries an ETag and every call is in the audit
log (system, endpoint, rows returned)."""

import datetime
import hashlib

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csp import csp_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularRedocView
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.auth import IsTokenReader, TokenAuthentication, TokenRateThrottle
from api.models import Tombstone
from audit.log import record
from audit.models import AuditEvent
from contracts.models import ContractYear, Procurement, ProjectCycle
from core.parameters import parameters_on
from core.policy import RULES
from evaluations.models import Evaluation
from reports.compliance import findings
from reports.models import Report
from reports.selectors import station_rows
from staffing.models import Posting, Qualification
from stations.models import District, Station, Street

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="只返回此时间之后新增或修改的记录（ISO 8601，如 2026-11-28T10:00:00+08:00；只写日期表示当天0时，北京时间）。"
    "Only records created or changed after this moment.",
)


def read_since(request) -> datetime.datetime | None:
    """The `updated_since` of the request: an ISO 8601 time (a '+' sent unescaped arrives as a space), or a date
    (its midnight in Asia/Shanghai). A bad value is a 400 that says so, never ignored."""
    raw = request.query_params.get("updated_since")
    if raw is None or raw == "":
        return None
    raw = raw.strip().replace(" ", "+")
    moment = parse_datetime(raw)
    if moment is None and (day := parse_date(raw)) is not None:
        moment = datetime.datetime.combine(day, datetime.time())
    if moment is None:
        raise ValidationError({"updated_since": ["不是有效的ISO 8601时间。Not an ISO 8601 date-time."]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class SyncCursor(CursorPagination):
    """Pages of 100 (page_size up to 500) in id order: a cursor that new rows never shift."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ApiMixin:
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsTokenReader]
    throttle_classes = [TokenRateThrottle]

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_not_required = True  # a machine's token, not a person's session
        return view

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.auth is not None:
            data = response.data if isinstance(response, Response) else None
            rows = 0
            if response.status_code == 200 and isinstance(data, dict):
                rows = len(data["results"]) if isinstance(data.get("results"), list) else 1
            elif response.status_code == 200 and isinstance(data, list):
                rows = len(data)
            record(
                AuditEvent.Action.API,
                request=request._request,
                user=request.user,
                object_type=f"api:{getattr(self, 'basename', None) or type(self).__name__}"[:100],
                summary=f"{request.auth.system}：GET {request.get_full_path()}，{rows}行"[:500],
                outcome=AuditEvent.Outcome.SUCCESS
                if response.status_code < 400
                else AuditEvent.Outcome.FAILURE,
            )
        elif response.status_code == 401:
            # A call without a usable token is not a system's, but it is still a call: who tried, from where.
            record(
                AuditEvent.Action.API,
                request=request._request,
                object_type=f"api:{getattr(self, 'basename', None) or type(self).__name__}"[:100],
                summary=f"未通过令牌验证：GET {request.get_full_path()}"[:500],
                outcome=AuditEvent.Outcome.FAILURE,
            )
        if response.status_code == 200 and isinstance(response, Response):
            response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
            if etag in wanted or f"W/{etag}" in wanted:
                unchanged = HttpResponseNotModified()
                unchanged["ETag"] = etag
                return unchanged
        return response


class ResourceViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """A resource: its rows as the token's account sees them (visible_to), shaped for the serializer, narrowed by
    `updated_since` to what changed."""

    model = None
    children: tuple[str, ...] = ()  # the nested rows (related names) whose changes are the record's own
    pagination_class = SyncCursor

    def shaped(self, rows):
        return rows

    def changed_since(self, since) -> Q:
        changed = Q(updated_at__gt=since)
        for child in self.children:
            changed |= Q(**{f"{child}__updated_at__gt": since})
        if not self.children:
            return changed
        return Q(pk__in=self.model.objects.filter(changed).values("pk"))  # a semi-join: each row once

    def get_queryset(self):
        rows = self.shaped(self.model.objects.visible_to(self.request.user))
        since = read_since(self.request) if self.action == "list" else None
        return rows.filter(self.changed_since(since)) if since else rows


LIST_DOC = {"list": extend_schema(parameters=[UPDATED_SINCE])}


@extend_schema_view(**LIST_DOC)
class DistrictViewSet(ResourceViewSet):
    """区：名称、行政区划代码、民政局。Districts."""

    model, serializer_class = District, s.DistrictSerializer


@extend_schema_view(**LIST_DOC)
class StreetViewSet(ResourceViewSet):
    """街道：所属区、规划建站年度。Streets with their plan year."""

    model, serializer_class = Street, s.StreetSerializer


@extend_schema_view(**LIST_DOC)
class StationViewSet(ResourceViewSet):
    """社工站：当天的状态、承接主体、当期合同年度、在岗社工人数和持证人数（不含个人信息）。Stations with their
    status today, contractor, current contract year, and headcounts (no personal data)."""

    model, serializer_class = Station, s.StationSerializer

    def shaped(self, rows):
        today = timezone.localdate()
        posted = Posting.objects.filter(cycle__station=OuterRef("pk"), start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        qualified = posted.filter(
            Exists(Qualification.objects.filter(worker=OuterRef("worker"), obtained_on__lte=today))
        )

        def counted(postings):
            return Coalesce(
                Subquery(
                    postings.order_by().values("cycle__station").annotate(n=Count("pk")).values("n")[:1]
                ),
                Value(0),
            )

        changed = [
            ProjectCycle.objects.filter(station=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1],
            ContractYear.objects.filter(station=OuterRef("pk"))
            .order_by("-updated_at")
            .values("updated_at")[:1],
        ]
        return (
            station_rows(rows, today)
            .annotate(
                workers_posted=counted(posted),
                workers_qualified=counted(qualified),
                changed_at=Greatest(
                    "updated_at",
                    "street__updated_at",
                    *(Coalesce(Subquery(c), "updated_at") for c in changed),
                ),
            )
            .order_by("id")
        )

    def changed_since(self, since) -> Q:
        """A station has changed when it, its street, its procurements, cycles, contract years or postings did,
        or when a cycle or contract year began or ended since (its status moved with the calendar)."""
        day, today = timezone.localtime(since).date(), timezone.localdate()
        station = OuterRef("pk")
        return (
            Q(updated_at__gt=since)
            | Q(street__updated_at__gt=since)
            | Exists(Procurement.objects.filter(station=station, updated_at__gt=since))
            | Exists(ProjectCycle.objects.filter(station=station, updated_at__gt=since))
            | Exists(ContractYear.objects.filter(station=station, updated_at__gt=since))
            | Exists(Posting.objects.filter(cycle__station=station, updated_at__gt=since))
            | Exists(
                ProjectCycle.objects.filter(station=station).filter(
                    Q(start_date__gt=day, start_date__lte=today) | Q(end_date__gte=day, end_date__lt=today)
                )
            )
        )


@extend_schema_view(**LIST_DOC)
class ProcurementViewSet(ResourceViewSet):
    """政府采购：预算、方式、中标单位。Procurements."""

    model, serializer_class = Procurement, s.ProcurementSerializer

    def shaped(self, rows):
        return rows.select_related("awarded_to")


@extend_schema_view(**LIST_DOC)
class CycleViewSet(ResourceViewSet):
    """项目周期：承接主体、起止日期。Project cycles."""

    model, serializer_class = ProjectCycle, s.CycleSerializer

    def shaped(self, rows):
        return rows.select_related("contractor")


@extend_schema_view(**LIST_DOC)
class ContractYearViewSet(ResourceViewSet):
    """合同年度：金额、约定人数、预算科目和资金来源。Contract years with budget lines and funding sources."""

    model, serializer_class = ContractYear, s.ContractYearSerializer
    children = ("budget_lines", "funding")

    def shaped(self, rows):
        return rows.prefetch_related("budget_lines", "funding")


@extend_schema_view(**LIST_DOC)
class ReportViewSet(ResourceViewSet):
    """报告：类别、所属期间、状态、服务人次和服务数据（不含正文和附件）。Reports' metadata and figures."""

    model, serializer_class = Report, s.ReportSerializer
    children = ("figures",)

    def shaped(self, rows):
        return rows.select_related("contract_year").prefetch_related("figures")


@extend_schema_view(**LIST_DOC)
class EvaluationViewSet(ResourceViewSet):
    """评估：等次、总分和各项得分、签字和报送时间。Evaluations with grades and scores."""

    model, serializer_class = Evaluation, s.EvaluationSerializer
    children = ("scores",)

    def shaped(self, rows):
        return rows.select_related("contract_year").prefetch_related("scores")


class FindingPages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class FindingViewSet(ApiMixin, viewsets.ViewSet):
    """整改问题：当天的合规检查结果，每条注明规则编号和政策原文（不含人员姓名）。Today's findings, each with its
    rule and clause (no names of people). Computed each day: page through them with `page`."""

    serializer_class = s.FindingSerializer

    @extend_schema(responses=s.FindingSerializer(many=True))
    def list(self, request):
        # Never a person through the API, whatever the role would see on its pages.
        found = [f.without_person() for f in findings(Station.objects.visible_to(request.user))]
        found.sort(key=lambda f: (f.station_id or 0, f.rule_id, f.subject))
        pages = FindingPages()
        page = pages.paginate_queryset(found, request, view=self)
        return pages.get_paginated_response(s.FindingSerializer(page, many=True).data)


class RuleCatalogueView(ApiMixin, APIView):
    """政策规则目录和某日生效的参数（?on=YYYY-MM-DD，默认当天）。The rule catalogue and the parameters in force on
    a date."""

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="参数生效的日期（默认当天）")],
        responses=s.RuleCatalogueSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("on")
        on = parse_date(raw) if raw else timezone.localdate()
        if on is None:
            raise ValidationError({"on": ["不是有效的日期（YYYY-MM-DD）。Not a date."]})
        body = {"on": on, "rules": list(RULES.values()), "parameters": parameters_on(on)}
        return Response(s.RuleCatalogueSerializer(body).data)


class OcdsView(ApiMixin, APIView):
    """开放合同数据标准（OCDS 1.1）发布包：令牌可读范围内的采购与合同。The OCDS release package of the token's
    scope."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        from documents.ocds import release_package

        package = release_package(Station.objects.visible_to(request.user))
        for release in package["releases"]:
            for party in release.get("parties", []):
                party.pop("contactPoint", None)  # a contractor's contact is a person: never through the API
        return Response(package)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class TombstoneViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """已删除的记录（资源、编号、删除时间），供增量同步删除本地副本。Records deleted since `updated_since`."""

    serializer_class = s.TombstoneSerializer
    pagination_class = SyncCursor

    def get_queryset(self):
        rows = Tombstone.objects.visible_to(self.request.user)
        since = read_since(self.request)
        return rows.filter(deleted_at__gt=since) if since else rows


# The documentation page: Redoc from drf-spectacular-sidecar's local copy, no web fonts. Redoc styles itself with
# inline styles and renders in a worker, which the portal's policy allows on this page only.
documentation = login_not_required(
    csp_override(
        {
            "default-src": [CSP.SELF],
            "script-src": [CSP.SELF],
            "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
            "img-src": [CSP.SELF, "data:"],
            "font-src": [CSP.SELF],
            "worker-src": [CSP.SELF, "blob:"],
            "connect-src": [CSP.SELF],
            "object-src": [CSP.NONE],
            "frame-ancestors": [CSP.NONE],
            "base-uri": [CSP.SELF],
        }
    )(SpectacularRedocView.as_view(url_name="api:api-schema", template_name="api/redoc.html"))
)
