"""Site-condition logs with photos (R-SITE-1..4), written by the street office."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.permissions import require_role, require_visible
from core.policy import refusal
from core.uploads import IMAGES, check_upload, files_removed_on_failure, save_stored_file
from stations.models import SiteConditionLog, SiteConditionPhoto, Station

CHECK_FIELDS = (
    *SiteConditionLog.REQUIRED_EQUIPMENT,
    "has_case_room",
    "has_group_room",
    "sign_installed",
    "catalogue_posted",
    *SiteConditionLog.SYSTEMS,
)


def site_log_record(
    *,
    station: Station,
    logged_on: datetime.date,
    conditions: dict[str, bool],
    photos: list,
    actor,
    notes: str = "",
) -> SiteConditionLog:
    """Log a station's conditions on a day, with photos; all or nothing — no record and no file on failure."""
    require_role(actor, Role.STREET, Role.BUREAU)
    require_visible(actor, station)
    if logged_on > timezone.localdate():
        raise ValidationError({"logged_on": _("检查日期不能晚于今天。")})
    checked = [(photo, check_upload(photo, allowed=IMAGES, field="photos")) for photo in photos]
    with files_removed_on_failure() as saved, transaction.atomic():
        log = SiteConditionLog(
            station=station,
            logged_on=logged_on,
            logged_by=actor,
            notes=notes,
            **{name: bool(conditions.get(name)) for name in CHECK_FIELDS},
        )
        log.full_clean()
        log.save()
        for photo, result in checked:
            save_stored_file(SiteConditionPhoto, photo, result, actor=actor, saved=saved, log=log)
    return log


@transaction.atomic
def annual_plan_save(
    *, district, year: int, title: str, goals: str, measures: str, timeline: str, actor, plan=None
):
    """R-PLAN-3: the bureau drafts (or corrects a returned) annual implementation plan."""
    from stations.models import AnnualPlan

    require_role(actor, Role.BUREAU)
    require_visible(actor, district)
    if plan is not None and plan.status not in (AnnualPlan.Status.DRAFT, AnnualPlan.Status.RETURNED):
        raise refusal("R-PLAN-3", _("已报送或已审核通过的年度实施计划不能再修改。"))
    plan = plan or AnnualPlan(district=district, year=year)
    plan.year, plan.title, plan.goals, plan.measures, plan.timeline = year, title, goals, measures, timeline
    if plan.due_date is None:
        plan.due_date = datetime.date(year - 1, 12, 15)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def annual_plan_submit(*, plan, actor):
    """R-PLAN-3: submit the plan to the municipal bureau for review."""
    from stations.models import AnnualPlan

    require_role(actor, Role.BUREAU)
    require_visible(actor, plan)
    if plan.status not in (AnnualPlan.Status.DRAFT, AnnualPlan.Status.RETURNED):
        raise refusal(
            "R-PLAN-3", _("该计划状态为“{status}”，不能重复报送。").format(status=plan.get_status_display())
        )
    plan.status, plan.submitted_at, plan.submitted_by = AnnualPlan.Status.SUBMITTED, timezone.now(), actor
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def annual_plan_record_review(*, plan, approved: bool, comment: str, actor):
    """R-PLAN-3: record the municipal bureau's review of a submitted plan: approved, or returned with comments."""
    from stations.models import AnnualPlan

    require_role(actor, Role.BUREAU)
    require_visible(actor, plan)
    if plan.status != AnnualPlan.Status.SUBMITTED:
        raise refusal("R-PLAN-3", _("只有已报送的计划才能登记审核结果。"))
    if not approved and not comment.strip():
        raise refusal("R-PLAN-3", _("退回的计划请填写市民政局的审核意见。"), field="review_comment")
    plan.status = AnnualPlan.Status.APPROVED if approved else AnnualPlan.Status.RETURNED
    plan.reviewed_at, plan.reviewed_by, plan.review_comment = timezone.now(), actor, comment.strip()
    plan.full_clean()
    plan.save()
    return plan
