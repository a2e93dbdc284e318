"""Compliance checks of the annual plans and the stations' sites (R-PLAN-3, R-SITE-1..4); R-PLAN-2, which reads
contracts and postings, is in reports.rules."""

import datetime

from django.db.models import OuterRef, Subquery

from core.dates import add_months
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.policy import RULES, Severity
from core.text import gettext as _
from core.text import listing
from stations.models import AnnualPlan, District, SiteConditionLog
from stations.selectors import operating_on


@register("R-PLAN-3")
def annual_plan_not_submitted(stations, today: datetime.date):
    """This year's annual implementation plan not yet submitted to the municipal bureau after its due date."""
    district_ids = set(stations.values_list("street__district_id", flat=True).distinct())
    plans = {
        plan.district_id: plan
        for plan in AnnualPlan.objects.filter(district_id__in=district_ids, year=today.year)
    }

    for district in District.objects.filter(pk__in=district_ids):
        plan = plans.get(district.pk)
        if plan is not None and plan.status in (AnnualPlan.Status.SUBMITTED, AnnualPlan.Status.APPROVED):
            continue
        if plan is not None and plan.due_date and plan.due_date >= today:
            continue
        state = (
            _("尚未编制") if plan is None else _("状态为“{status}”").format(status=plan.get_status_display())
        )
        yield Finding(
            rule_id="R-PLAN-3",
            severity=Severity.TRACK,
            station_id=None,
            station=district.name,
            subject=_("{year}年度实施计划").format(year=today.year),
            message=_("{bureau_name}{year}年度社工站项目实施计划{state}，应报市民政局审核。").format(
                bureau_name=district.bureau_name, year=today.year, state=state
            ),
            due=plan.due_date if plan else None,
            responsible=Responsible.BUREAU,
            district_id=district.pk,
        )


# Street offices check their station's site every six months (the portal's practice; the policy asks for
# dated logs with photos, R-SITE-1, without saying how often).
SITE_CHECK_MONTHS = 6


def _latest_logs(stations, today: datetime.date):
    """Operating stations with their latest condition log (None when never checked): two queries."""
    latest = (
        SiteConditionLog.objects.filter(station=OuterRef("pk")).order_by("-logged_on", "-pk").values("pk")[:1]
    )
    operating = list(operating_on(stations, today).annotate(latest_log=Subquery(latest)).only("pk", "name"))
    logs = SiteConditionLog.objects.in_bulk([s.latest_log for s in operating if s.latest_log])
    return [(station, logs.get(station.latest_log)) for station in operating]


@register_upcoming
def site_checks_due(stations, today: datetime.date, horizon: datetime.date):
    for station, log in _latest_logs(stations, today):
        due = add_months(log.logged_on, SITE_CHECK_MONTHS) if log else today
        if today <= due <= horizon:
            yield DueItem(
                "R-SITE-1", station.pk, station.name, _("社工站场所设置现场检查"), due, Responsible.STREET
            )


EQUIPMENT_LABELS = {
    name: str(SiteConditionLog._meta.get_field(name).verbose_name)
    for name in SiteConditionLog.REQUIRED_EQUIPMENT
}
SYSTEM_LABELS = {
    name: str(SiteConditionLog._meta.get_field(name).verbose_name) for name in SiteConditionLog.SYSTEMS
}


@register("R-SITE-1", "R-SITE-2", "R-SITE-3", "R-SITE-4")
def site_conditions(stations, today: datetime.date):
    """The latest condition log of every operating station: room and equipment, sign, catalogue, systems."""
    for station, log in _latest_logs(stations, today):

        def finding(
            rule_id: str, subject: str, message: str, responsible=Responsible.STREET, station=station
        ):
            return Finding(
                rule_id,
                RULES[rule_id].severity,
                station.pk,
                station.name,
                subject,
                message,
                responsible=responsible,
            )

        if log is None:
            yield finding("R-SITE-1", _("场所设置"), _("尚无场所设置检查记录，请街道办事处现场检查并登记。"))
            continue
        on = _("（{logged_on:%Y-%m-%d}检查）").format(logged_on=log.logged_on)
        next_check = add_months(log.logged_on, SITE_CHECK_MONTHS)
        if next_check < today:
            yield Finding(
                "R-SITE-1",
                Severity.TRACK,
                station.pk,
                station.name,
                _("场所设置"),
                _(
                    "最近一次现场检查为{logged_on:%Y-%m-%d}，已超过{SITE_CHECK_MONTHS}个月，请街道办事处复查。"
                ).format(logged_on=log.logged_on, SITE_CHECK_MONTHS=SITE_CHECK_MONTHS),
                due=next_check,
                responsible=Responsible.STREET,
            )
        missing = [label for name, label in EQUIPMENT_LABELS.items() if not getattr(log, name)]
        if missing:
            yield finding(
                "R-SITE-1", _("场所设置"), _("缺少{missing}{on}。").format(missing=listing(missing), on=on)
            )
        if not log.sign_installed:
            yield finding(
                "R-SITE-2", _("统一标识"), _("未设置统一标识{on}。").format(on=on), Responsible.CONTRACTOR
            )
        if not log.catalogue_posted:
            yield finding(
                "R-SITE-3",
                _("服务目录"),
                _("服务内容、服务目录和岗位职责未公示{on}。").format(on=on),
                Responsible.CONTRACTOR,
            )
        for name, label in SYSTEM_LABELS.items():
            if not getattr(log, name):
                yield finding(
                    "R-SITE-4",
                    _("制度建设"),
                    _("未建立{label}{on}。").format(label=label, on=on),
                    Responsible.CONTRACTOR,
                )
