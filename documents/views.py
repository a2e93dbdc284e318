"""District-wide downloads for the bureau (and the municipal bureau, over every district it oversees)."""

import io
import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role, sees_people
from core.access import role_required, visible_or_404
from core.exports import PDF, XLSX, attachment
from documents.ocds import release_package
from documents.pdf import FontMissing
from documents.reports import annual_plan_pdf, dossier_pdf, evaluation_pdf, rollout_pdf
from documents.rollout import write_rollout_workbook
from stations.models import Station


def pdf_view(view):
    """A PDF page that says what is missing instead of failing when the bundled Chinese font is not installed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FontMissing as missing:
            return render(
                request,
                "documents/pdf_unavailable.html",
                {"reason": str(missing), "back": request.headers.get("referer", "")},
                status=503,
            )

    return wrapper


def too_big_for_the_request(request, stations, kind: str) -> HttpResponse | None:
    """A district-wide download over more than ROLLOUT_EXPORT_JOB_STATIONS stations is made by the task queue: the
    address answers with the page that starts (or joins) the job instead of building the file in the request."""
    if stations.count() <= settings.ROLLOUT_EXPORT_JOB_STATIONS:
        return None
    return redirect(f"{reverse('export-job-new')}?{urlencode({'kind': kind, 'big': 1})}")


@require_GET
@role_required(Role.BUREAU, Role.MUNICIPAL)
def rollout_xlsx(request) -> HttpResponse:
    if (
        big := too_big_for_the_request(request, Station.objects.visible_to(request.user), "rollout-xlsx")
    ) is not None:
        return big
    buffer = io.BytesIO()
    write_rollout_workbook(Station.objects.visible_to(request.user), buffer, people=sees_people(request.user))
    return attachment(
        buffer.getvalue(),
        _("社工站建设进展-{localdate:%Y%m%d}.xlsx").format(localdate=timezone.localdate()),
        XLSX,
        request=request,
    )


@pdf_view
@require_GET
@role_required(Role.BUREAU, Role.MUNICIPAL)
def rollout_pdf_view(request) -> HttpResponse:
    if (
        big := too_big_for_the_request(request, Station.objects.visible_to(request.user), "rollout-pdf")
    ) is not None:
        return big
    content = rollout_pdf(Station.objects.visible_to(request.user), people=sees_people(request.user))
    return attachment(
        content,
        _("社工站建设进展-{localdate:%Y%m%d}.pdf").format(localdate=timezone.localdate()),
        "application/pdf",
        request=request,
    )


@require_GET
@role_required(Role.BUREAU)
def ocds_json(request) -> HttpResponse:
    if (
        big := too_big_for_the_request(request, Station.objects.visible_to(request.user), "ocds-json")
    ) is not None:
        return big
    package = release_package(Station.objects.visible_to(request.user))
    content = json.dumps(package, ensure_ascii=False, indent=2).encode()
    return attachment(
        content, f"ocds-{timezone.localdate():%Y%m%d}.json", "application/json", request=request
    )


@pdf_view
@require_GET
@role_required(Role.BUREAU, Role.STREET, Role.MUNICIPAL)
def evaluation_pdf_view(request, pk: int) -> HttpResponse:
    from evaluations.models import Evaluation

    evaluation = visible_or_404(
        Evaluation.objects.select_related(
            "contract_year__station__street__district",
            "contract_year__cycle__contractor",
            "street_signed_by",
            "bureau_signed_by",
        ),
        request.user,
        pk=pk,
    )
    return attachment(
        evaluation_pdf(evaluation),
        _("评估表-{name}.pdf").format(name=evaluation.contract_year.station.name),
        PDF,
        request=request,
    )


@pdf_view
@require_GET
@role_required(Role.BUREAU, Role.MUNICIPAL)
def annual_plan_pdf_view(request, pk: int) -> HttpResponse:
    from stations.models import AnnualPlan

    plan = visible_or_404(AnnualPlan.objects.select_related("district"), request.user, pk=pk)
    return attachment(
        annual_plan_pdf(plan), _("{year}年度实施计划.pdf").format(year=plan.year), PDF, request=request
    )


@pdf_view
@require_GET
@role_required(Role.BUREAU, Role.STREET, Role.MUNICIPAL)
def dossier_pdf_view(request, pk: int) -> HttpResponse:
    station = visible_or_404(Station.objects.select_related("street__district"), request.user, pk=pk)
    return attachment(
        dossier_pdf(station, request.user),
        _("{name}档案.pdf").format(name=station.name),
        PDF,
        request=request,
    )
