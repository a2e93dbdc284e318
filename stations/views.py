from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from core.access import may, role_required, visible_or_404
from core.forms import PortalForm, PortalModelForm, form_page, post_action
from core.templatetags.portal import cn_date
from stations.forms import SiteLogForm
from stations.models import AnnualPlan, District, SiteConditionLog, Station
from stations.services import (
    CHECK_FIELDS,
    annual_plan_record_review,
    annual_plan_save,
    annual_plan_submit,
    site_log_record,
)


@role_required(Role.STREET, Role.BUREAU)
def site_log_new(request, pk: int):
    """R-SITE-1..4: the street office logs its station's conditions on site, with photos (works on a phone)."""
    station = visible_or_404(Station.objects.select_related("street"), request.user, pk=pk)
    # A new check starts from what the last one found: the officer changes what changed.
    last = (
        SiteConditionLog.objects.visible_to(request.user)
        .filter(station=station)
        .order_by("-logged_on", "-pk")
        .first()
    )
    initial = {name: getattr(last, name) for name in CHECK_FIELDS} if last else {}
    return form_page(
        request,
        SiteLogForm(request.POST or None, request.FILES or None, initial=initial),
        lambda data: site_log_record(
            station=station,
            logged_on=data["logged_on"],
            conditions={name: data[name] for name in CHECK_FIELDS},
            photos=data["photos"],
            notes=data["notes"],
            actor=request.user,
        ),
        done=lambda log: (_("场所设置检查记录已保存。"), reverse("station-detail", args=[station.pk])),
        title=_("登记场所设置检查"),
        intro=_(
            "按实施方案四（一）至（五）逐项核对：独立办公用房和设施设备、统一标识、服务目录公示、六项管理制度。"
        )
        + (
            _("各项已按上次检查（%(day)s）的结果预先勾选，请只修改有变化的项目。")
            % {"day": cn_date(last.logged_on)}
            if last
            else ""
        ),
        submit_label=_("保存检查记录"),
        station=station,
    )


class AnnualPlanForm(PortalModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "title", "goals", "measures", "timeline"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("goals", "measures", "timeline")}


class PlanReviewForm(PortalForm):
    result = forms.ChoiceField(
        label=gettext_lazy("市民政局审核结果"),
        choices=[("approved", gettext_lazy("审核通过")), ("returned", gettext_lazy("退回修改"))],
        widget=forms.RadioSelect,
    )
    review_comment = forms.CharField(
        label=gettext_lazy("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@role_required(Role.BUREAU, Role.MUNICIPAL)
def annual_plan_list(request):
    plans = (
        AnnualPlan.objects.visible_to(request.user)
        .select_related("district", "submitted_by")
        .order_by("-year")
    )
    return render(
        request,
        "stations/annual_plans.html",
        {"plans": plans, "can_manage": may(request.user, "change", AnnualPlan)},
    )


@role_required(Role.BUREAU)
def annual_plan_edit(request, pk: int | None = None):
    """R-PLAN-3: draft or correct the annual implementation plan (goals, measures, timeline)."""
    plan = visible_or_404(AnnualPlan, request.user, pk=pk) if pk else None
    district = plan.district if plan else District.objects.visible_to(request.user).first()
    return form_page(
        request,
        AnnualPlanForm(request.POST or None, instance=plan),
        lambda data: annual_plan_save(district=district, plan=plan, actor=request.user, **data),
        done=lambda saved: (_("年度实施计划已保存。"), reverse("annual-plan-list")),
        title=_("年度实施计划"),
        submit_label=_("保存草稿"),
        intro=_(
            "区民政局制定社工站项目年度实施计划并报市民政局审核（五（一）、六（一））：写明目标任务、措施办法和时间节点。"
        ),
    )


@require_POST
@role_required(Role.BUREAU)
def annual_plan_submit_view(request, pk: int):
    plan = visible_or_404(AnnualPlan, request.user, pk=pk)
    return post_action(
        request,
        lambda: annual_plan_submit(plan=plan, actor=request.user),
        done=lambda submitted: _("{title}已报送市民政局。").format(title=plan.title),
        back=reverse("annual-plan-list"),
    )


@role_required(Role.BUREAU)
def annual_plan_review(request, pk: int):
    plan = visible_or_404(AnnualPlan, request.user, pk=pk)
    return form_page(
        request,
        PlanReviewForm(request.POST or None),
        lambda data: annual_plan_record_review(
            plan=plan,
            approved=data["result"] == "approved",
            comment=data["review_comment"],
            actor=request.user,
        ),
        done=lambda reviewed: (_("审核结果已登记。"), reverse("annual-plan-list")),
        title=_("登记审核结果：{title}").format(title=plan.title),
        submit_label=_("登记"),
    )
