"""Reports: drafted and submitted by the contractor, reviewed by the bureau (R-REP-1..5)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from contracts.models import ContractYear
from core.concurrency import check_version
from core.dates import first_of_month
from core.permissions import require_role, require_visible
from core.policy import refusal
from reports.models import Report, ReportReview
from reports.selectors import report_due


@transaction.atomic
def report_draft(
    *, contract_year: ContractYear, kind: str, actor, period: datetime.date | None = None, **content
) -> Report:
    """Start a report of a contract year; its due date comes from the policy parameters in force."""
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, contract_year)
    if kind == Report.Kind.MONTHLY:
        if period is None:
            raise refusal("R-REP-1", _("请选择简报所属月份。"), field="period")
        period = first_of_month(period)
        if not (first_of_month(contract_year.start_date) <= period <= contract_year.end_date):
            raise refusal("R-REP-1", _("简报月份须在合同年度之内。"), field="period")
    else:
        period = None
    report = Report(
        contract_year=contract_year,
        kind=kind,
        period=period,
        due_date=report_due(contract_year, kind, period),
        **content,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_submit(*, report: Report, actor) -> Report:
    """Submit (or resubmit after a return) to the bureau and the street, who see it from now on (R-REP-1, -2)."""
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
        raise refusal(
            "R-REP-3", _("报告状态为“{status}”，不能重复提交。").format(status=report.get_status_display())
        )
    if report.kind == Report.Kind.FINAL and not report.experience_summary.strip():
        raise refusal("R-REP-5", _("期末工作报告须包含经验总结。"), field="experience_summary")
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_review(*, report: Report, decision: str, actor, comment: str = "") -> ReportReview:
    """R-REP-3: the bureau or the station's street office accepts a submitted report, or returns it with comments
    for correction; whoever reviews is recorded and shown to both (the first review decides: a report accepted by
    one is not reviewed again by the other)."""
    require_role(actor, Role.BUREAU, Role.STREET)
    require_visible(actor, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise refusal(
            "R-REP-3",
            _("只能审核已提交的报告，该报告状态为“{status}”。").format(status=report.get_status_display()),
        )
    if decision == ReportReview.Decision.RETURNED and not comment.strip():
        raise refusal("R-REP-3", _("退回修改时请写明审核意见。"), field="comment")
    if decision not in ReportReview.Decision.values:
        raise ValidationError({"decision": _("请选择审核结果。")})
    review = ReportReview(
        report=report,
        decision=decision,
        comment=comment.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    report.status = (
        Report.Status.ACCEPTED if decision == ReportReview.Decision.ACCEPTED else Report.Status.RETURNED
    )
    report.save(update_fields=["status"])
    return review


@transaction.atomic
def report_update(
    *,
    report: Report,
    actor,
    figures: dict[tuple[str, str], tuple[int, int]],
    attachments=(),
    seen_version: str | None = None,
    **content,
) -> Report:
    """The contractor edits a draft or returned report: its text, its figures by area and kind, new attachments.

    Attachments are checked by content and size; if anything fails, no row and no file is left behind.
    """
    from core.uploads import DOCUMENTS, check_upload, files_removed_on_failure, save_stored_file
    from reports.models import ReportAttachment, ReportFigure

    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    check_version(report, seen_version)  # two people editing the same report: the second save is refused
    if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
        raise refusal(
            "R-REP-3", _("报告状态为“{status}”，不能修改。").format(status=report.get_status_display())
        )
    checked = [
        (upload, check_upload(upload, allowed=DOCUMENTS, field="attachments")) for upload in attachments
    ]
    content["people_served"] = people_served_of(figures, content.get("people_served"))
    for name, value in content.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    report.figures.all().delete()
    ReportFigure.objects.bulk_create(
        ReportFigure(report=report, area=area, kind=kind, sessions=sessions, people=people)
        for (area, kind), (sessions, people) in figures.items()
        if sessions or people
    )
    with files_removed_on_failure() as saved, transaction.atomic():
        for upload, result in checked:
            save_stored_file(ReportAttachment, upload, result, actor=actor, saved=saved, report=report)
    return report


def people_served_of(figures: dict, typed: int | None) -> int:
    """服务人次 is the total of the figures table (R-SVC-1): left blank it is that total; typed, it must agree."""
    total = sum(people for _sessions, people in figures.values())
    if typed is None:
        return total
    if typed != total:
        raise refusal(
            "R-SVC-1",
            _(
                "服务人次填写为{typed}，与服务数据表的人次合计{total}不一致，请核对（留空则按合计填写）。"
            ).format(typed=typed, total=total),
            field="people_served",
        )
    return typed


def figures_from_records(report: Report) -> dict[tuple[str, str], tuple[int, int]]:
    """A monthly brief's figures filled from the station's service records of that month (R-SVC-1)."""
    from django.db.models import Count, Sum

    from core.dates import add_months
    from reports.models import ServiceRecord

    if report.kind != Report.Kind.MONTHLY:
        return {}
    rows = (
        ServiceRecord.objects.filter(
            contract_year=report.contract_year,
            held_on__gte=report.period,
            held_on__lt=add_months(report.period, 1),
        )
        .values("area", "kind")
        .annotate(sessions=Count("pk"), people=Sum("participants"))
        .order_by()
    )
    return {(row["area"], row["kind"]): (row["sessions"], row["people"] or 0) for row in rows}


@transaction.atomic
def service_record_create(*, station, actor, photos=(), **fields):
    """R-SVC-1: a case, group or community activity delivered by the station, with its photos.

    It belongs to the contract year of the actor's organisation in force on the day of service; a case names
    its client (the ID number is optional, checked, and never shown in full). Photos are checked by content;
    a failure leaves neither a row nor a file.
    """
    from core.uploads import IMAGES, check_upload, files_removed_on_failure, save_stored_file
    from core.validators import clean_id_number
    from reports.models import ServiceKind, ServiceRecord, ServiceRecordPhoto

    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, station)
    held_on = fields["held_on"]
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("服务日期不能晚于今天。")})
    contract_year = (
        ContractYear.objects.visible_to(actor)
        .filter(station=station, start_date__lte=held_on, end_date__gte=held_on)
        .first()
    )
    if contract_year is None:
        raise refusal(
            "R-SVC-1",
            _("{held_on:%Y-%m-%d}不在贵机构承接{name}的合同年度内。").format(
                held_on=held_on, name=station.name
            ),
            field="held_on",
        )
    if fields["kind"] == ServiceKind.CASE:
        if not fields.get("client_name", "").strip():
            raise ValidationError({"client_name": _("个案须填写服务对象姓名。")})
        if fields.get("client_id_number"):
            try:
                fields["client_id_number"] = clean_id_number(fields["client_id_number"])
            except ValidationError as error:
                raise ValidationError({"client_id_number": error.messages}) from None
    else:
        fields["client_name"], fields["client_id_number"] = "", ""  # groups and activities name no one
    checked = [(upload, check_upload(upload, allowed=IMAGES, field="photos")) for upload in photos]
    record = ServiceRecord(station=station, contract_year=contract_year, **fields)
    record.full_clean()
    record.save()
    with files_removed_on_failure() as saved, transaction.atomic():
        for upload, result in checked:
            save_stored_file(ServiceRecordPhoto, upload, result, actor=actor, saved=saved, record=record)
    return record
