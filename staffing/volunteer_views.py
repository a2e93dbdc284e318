"""Volunteers of the stations (R-SVC-2): the register, service hours and their verification, incentives and
insurance; and the volunteer's own link for entering hours without an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from core.access import can, may, role_required, safe_next, visible_or_404
from core.forms import form_page, post_action
from core.lists import apply_filters, id_filter, list_page, text_filter
from core.masking import mask_phone
from core.pages import paginate
from core.querystring import query_id
from core.workbook import Column
from staffing.forms import VolunteerForm, VolunteerHoursForm, VolunteerIncentiveForm, VolunteerInsuranceForm
from staffing.models import Volunteer, VolunteerHours
from staffing.selectors import station_hour_totals, with_hours
from staffing.services import (
    volunteer_hours_record,
    volunteer_hours_verify,
    volunteer_incentive_record,
    volunteer_insurance_record,
    volunteer_link_renew,
    volunteer_register,
    volunteer_set_active,
)
from stations.models import Station

SELF_REPORT_SALT = "staffing.volunteer-hours"
SELF_REPORT_MAX_AGE = 366 * 24 * 3600  # a link handed out at registration serves for a year


def self_report_token(volunteer: Volunteer) -> str:
    """The volunteer's link: signed, and bound to the link's version (a new link or leaving the register ends it)."""
    return signing.dumps(
        {"v": volunteer.pk, "n": volunteer.link_version}, salt=SELF_REPORT_SALT, compress=True
    )


def _crumbs(volunteer=None):
    crumbs = [(_("志愿者"), reverse("volunteer-list"))]
    if volunteer:
        crumbs.append((volunteer.name, reverse("volunteer-detail", args=[volunteer.pk])))
    return crumbs


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def volunteer_list(request):
    volunteers = Volunteer.objects.visible_to(request.user)
    filters = [
        id_filter("station", "station"),
        text_filter("q", "name__contains", "team__contains", "skills__contains"),
    ]
    narrowed, _values = apply_filters(request, volunteers, filters)

    def export(rows):
        return (
            _("志愿者"),
            [
                Column(_("姓名"), 10),
                Column(_("社工站"), 30),
                Column(_("志愿服务队"), 24),
                Column(_("特长"), 20),
                Column(_("联系电话"), 14),
                Column(_("注册日期"), 12, "date"),
                Column(_("已核实时长（小时）"), 14, "money"),
                Column(_("待核实时长（小时）"), 14, "money"),
            ],
            (
                [
                    v.name,
                    v.station.name,
                    v.team,
                    v.skills,
                    mask_phone(v.phone),
                    v.registered_on,
                    v.verified_hours or 0,
                    v.pending_hours or 0,
                ]
                for v in with_hours(rows.select_related("station")).order_by("station", "name").iterator(2000)
            ),
        )

    def context(page):
        pending = (
            VolunteerHours.objects.visible_to(request.user)
            .filter(status=VolunteerHours.Status.PENDING, volunteer__in=narrowed.values("pk"))
            .select_related("volunteer__station")
            .order_by("served_on", "start_time")
        )
        return {
            "totals": station_hour_totals(narrowed),
            "pending": pending[:50],
            "pending_count": pending.count(),
            "stations": Station.objects.visible_to(request.user).order_by("name"),
            "can_manage": may(request.user, "change", Volunteer),
        }

    return list_page(
        request,
        with_hours(volunteers.select_related("station")).order_by("station", "name"),
        template="staffing/volunteer_list.html",
        filters=filters,
        export=export,
        context=context,
    )


@role_required(Role.CONTRACTOR)
def volunteer_new(request):
    stations = Station.objects.visible_to(request.user).order_by("name")
    return form_page(
        request,
        VolunteerForm(request.POST or None, stations=stations),
        lambda data: volunteer_register(actor=request.user, **data),
        done=lambda v: (
            _("志愿者{name}已注册。").format(name=v.name),
            reverse("volunteer-detail", args=[v.pk]),
        ),
        title=_("注册志愿者"),
        intro=_(
            "做好志愿者注册及志愿服务时长记录、志愿者激励与保障（三（二），R-SVC-2）。联系电话在页面上只显示部分数字。"
        ),
        submit_label=_("注册"),
        cancel_url=reverse("volunteer-list"),
        context={"crumbs": _crumbs()},
    )


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def volunteer_detail(request, pk: int):
    volunteer = visible_or_404(with_hours(Volunteer.objects.select_related("station")), request.user, pk=pk)
    is_staff = can(request.user, "change", volunteer)
    return render(
        request,
        "staffing/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "entries": paginate(request, volunteer.hours_entries.select_related("verified_by").all()),
            "incentives": volunteer.incentives.all(),
            "insurances": volunteer.insurances.all(),
            "is_staff": is_staff,
            "self_report_url": request.build_absolute_uri(
                reverse("volunteer-self-report", args=[self_report_token(volunteer)])
            )
            if is_staff and volunteer.active
            else "",
            "today": timezone.localdate(),
        },
    )


@role_required(Role.CONTRACTOR)
def volunteer_hours_new(request, pk: int):
    volunteer = visible_or_404(Volunteer.objects.select_related("station"), request.user, pk=pk)
    return form_page(
        request,
        VolunteerHoursForm(request.POST or None, initial={"served_on": timezone.localdate()}),
        lambda data: volunteer_hours_record(volunteer=volunteer, actor=request.user, **data),
        done=lambda e: (
            _("已登记{served_on:%Y-%m-%d}的{hours}小时服务，待核实。").format(
                served_on=e.served_on, hours=e.hours
            ),
            reverse("volunteer-detail", args=[pk]),
        ),
        title=_("登记服务时长 · {name}").format(name=volunteer.name),
        intro=_("登记后由社工站工作人员核实；重叠或不可能的时间会被拒绝（R-SVC-2）。"),
        submit_label=_("登记"),
        cancel_url=reverse("volunteer-detail", args=[pk]),
        context={"crumbs": _crumbs(volunteer)},
    )


@require_POST
@role_required(Role.CONTRACTOR)
def volunteer_hours_verify_view(request):
    """Verify or reject the ticked pending entries (station staff)."""
    ids = [pk for pk in (query_id(i) for i in request.POST.getlist("entry")) if pk is not None]
    entries = list(VolunteerHours.objects.visible_to(request.user).filter(pk__in=ids))
    if not ids or len(entries) != len(ids):
        raise Http404(_("没有找到所选记录，或其不在您的管理范围内。"))
    verified = request.POST.get("decision") != "reject"
    return post_action(
        request,
        lambda: volunteer_hours_verify(entries=entries, verified=verified, actor=request.user),
        done=lambda count: _("已{value}{count}条服务时长。").format(
            value=_("核实") if verified else _("退回"), count=count
        ),
        back=safe_next(request, request.POST.get("next"), "volunteer-list"),
    )


@require_POST
@role_required(Role.CONTRACTOR)
def volunteer_link_renew_view(request, pk: int):
    volunteer = visible_or_404(Volunteer, request.user, pk=pk)
    volunteer_link_renew(volunteer=volunteer, actor=request.user)
    messages.success(request, _("已生成新的填报链接，旧链接已失效。"))
    return redirect("volunteer-detail", pk=pk)


@require_POST
@role_required(Role.CONTRACTOR)
def volunteer_active_view(request, pk: int):
    volunteer = visible_or_404(Volunteer, request.user, pk=pk)
    active = request.POST.get("active") == "1"
    volunteer_set_active(volunteer=volunteer, active=active, actor=request.user)
    messages.success(
        request, _("已恢复在册，请生成新的填报链接。") if active else _("已移出名册，其填报链接已失效。")
    )
    return redirect("volunteer-detail", pk=pk)


@role_required(Role.CONTRACTOR)
def volunteer_incentive_new(request, pk: int):
    volunteer = visible_or_404(Volunteer, request.user, pk=pk)
    return form_page(
        request,
        VolunteerIncentiveForm(request.POST or None, initial={"awarded_on": timezone.localdate()}),
        lambda data: volunteer_incentive_record(volunteer=volunteer, actor=request.user, **data),
        done=lambda i: (_("激励记录已保存。"), reverse("volunteer-detail", args=[pk])),
        title=_("登记志愿者激励 · {name}").format(name=volunteer.name),
        cancel_url=reverse("volunteer-detail", args=[pk]),
        context={"crumbs": _crumbs(volunteer)},
    )


@role_required(Role.CONTRACTOR)
def volunteer_insurance_new(request, pk: int):
    volunteer = visible_or_404(Volunteer, request.user, pk=pk)
    return form_page(
        request,
        VolunteerInsuranceForm(request.POST or None),
        lambda data: volunteer_insurance_record(volunteer=volunteer, actor=request.user, **data),
        done=lambda i: (_("保险记录已保存。"), reverse("volunteer-detail", args=[pk])),
        title=_("登记志愿者保险 · {name}").format(name=volunteer.name),
        cancel_url=reverse("volunteer-detail", args=[pk]),
        context={"crumbs": _crumbs(volunteer)},
    )


@login_not_required
def volunteer_self_report(request, token: str):
    """The volunteer's own page, reached by the link the station gave them: enter hours, see them verified."""
    try:
        data = signing.loads(token, salt=SELF_REPORT_SALT, max_age=SELF_REPORT_MAX_AGE)
        volunteer = Volunteer.objects.select_related("station").get(
            pk=data["v"], link_version=data["n"], active=True
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Volunteer.DoesNotExist):
        raise Http404(_("链接无效或已过期，请向社工站索取新的填报链接。")) from None
    return form_page(
        request,
        VolunteerHoursForm(request.POST or None, initial={"served_on": timezone.localdate()}),
        lambda data: volunteer_hours_record(volunteer=volunteer, actor=None, **data),
        done=lambda entry: (
            _("已提交{served_on:%Y-%m-%d}的{hours}小时服务，等待社工站核实。").format(
                served_on=entry.served_on, hours=entry.hours
            ),
            request.path,
        ),
        title=volunteer.name,
        template="staffing/volunteer_self_report.html",
        context={"volunteer": volunteer, "entries": volunteer.hours_entries.all()[:10]},
    )
