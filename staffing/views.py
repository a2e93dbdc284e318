from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from contracts.models import Contractor, ProjectCycle
from core.access import can, may, role_required, visible_or_404
from core.forms import form_page
from core.lists import Filter, list_page, text_filter
from core.pages import paginate
from core.querystring import query_id
from core.workbook import Column
from staffing.forms import (
    PostingEndForm,
    PostingForm,
    QualificationForm,
    SupervisionForm,
    TrainingForm,
    WorkerForm,
    WorkerLeaveForm,
)
from staffing.models import Posting, Qualification, SocialWorker, SupervisionSession, Training
from staffing.selectors import (
    current_postings,
    in_force,
    posting_deadline,
    qualification_deadline,
    qualification_rows,
    resident_postings,
    took_over_station,
    untrained,
)
from staffing.services import (
    posting_end,
    qualification_record,
    registering_districts,
    supervision_record,
    training_record,
    worker_leave,
    worker_post,
    worker_register,
)
from stations.models import Station


@role_required(Role.CONTRACTOR, Role.BUREAU)
def posting_new(request, pk: int):
    """Post a worker of the cycle's contractor to its station; refused past day 15 after signing (R-STAFF-5)."""
    cycle = visible_or_404(
        ProjectCycle.objects.select_related("station__street", "contractor"), request.user, pk=pk
    )
    workers = (
        SocialWorker.objects.visible_to(request.user)
        .filter(contractor=cycle.contractor, left_on__isnull=True)
        .order_by("name")
    )
    form = PostingForm(
        request.POST or None, workers=workers, show_late_reason=request.user.role == Role.BUREAU
    )
    first = cycle.years.order_by("year_no").first()
    deadline = (
        _("合同于{signed_on:%Y-%m-%d}签订，首批社工应于{posting_deadline:%Y-%m-%d}前到岗。").format(
            signed_on=first.signed_on, posting_deadline=posting_deadline(first.signed_on)
        )
        if first
        else ""
    )
    return form_page(
        request,
        form,
        lambda data: worker_post(
            cycle=cycle,
            worker=data["worker"],
            start_date=data["start_date"],
            is_full_time=data["is_full_time"],
            has_labour_contract=data["has_labour_contract"],
            late_reason=data.get("late_reason", ""),
            actor=request.user,
        ),
        done=lambda posting: (
            _("{name}已派驻。").format(name=posting.worker.name)
            + (
                _(
                    "注意：{name}尚无培训合格记录，到岗未经培训合格属风险（R-STAFF-6），请尽快安排培训。"
                ).format(name=posting.worker.name)
                if untrained(posting.worker)
                else ""
            ),
            reverse("station-detail", args=[cycle.station_id]),
        ),
        title=_("派驻驻站社工 · {name}").format(name=cycle.contractor.name),
        intro=_(
            "驻站社工应为签订劳动合同的专职人员（四（二））；承接主体在合同签订15天内派驻社工（六（二））。{deadline}"
            "本周期全部驻站社工应于{qualify:%Y-%m-%d}前具备社会工作专业资质，此后到岗的社工须已具备资质（R-STAFF-3）；"
            "同一人同一时间只能驻一个站（R-STAFF-7）。"
        ).format(deadline=deadline, qualify=qualification_deadline(took_over_station(cycle))),
        submit_label=_("派驻"),
        station=cycle.station,
    )


def _station_choices(user):
    return Station.objects.visible_to(user).select_related("street").order_by("street__name")


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def worker_list(request):
    """The social workers in the user's scope, masked, with where they are posted and their R-STAFF-3 deadline."""
    today = timezone.localdate()
    workers = SocialWorker.objects.visible_to(request.user).select_related("contractor").order_by("name")
    if request.GET.get("left") != "1":
        workers = workers.filter(Q(left_on__isnull=True) | Q(left_on__gt=today))

    def posted_at(rows, station):
        return (
            rows.filter(postings__cycle__station=station, postings__start_date__lte=today)
            .filter(Q(postings__end_date__isnull=True) | Q(postings__end_date__gte=today))
            .distinct()
        )

    def context(page):
        postings = current_postings(page.object_list, today)
        deadlines = {row["worker"].pk: row for row in qualification_rows(list(postings.values()), today)}
        qualified = {}
        for qualification in Qualification.objects.filter(worker__in=[w.pk for w in page]).order_by(
            "obtained_on"
        ):
            qualified.setdefault(qualification.worker_id, qualification)
        return {
            "rows": [
                {
                    "worker": w,
                    "posting": postings.get(w.pk),
                    "deadline": deadlines.get(w.pk),
                    "qualification": qualified.get(w.pk),
                }
                for w in page
            ],
            "stations": _station_choices(request.user),
            "cycles": ProjectCycle.objects.visible_to(request.user, "post")
            .select_related("station")
            .order_by("station__name"),
            "can_create": may(request.user, "create", SocialWorker),
            # An organisation's own staff see its roster only: the employer column is for the bureau and streets.
            "show_employer": not may(request.user, "create", SocialWorker),
        }

    return list_page(
        request,
        workers,
        template="staffing/worker_list.html",
        filters=[text_filter("q", "name__contains"), Filter("station", query_id, posted_at)],
        export=lambda rows: _worker_export(rows, today),
        context=context,
    )


def _worker_export(workers, today):
    """The filtered roster as a workbook, ID numbers and phones masked as on screen, in chunks of one page."""
    from core.masking import mask_id, mask_phone

    def rows():
        for start in range(0, workers.count(), 500):
            chunk = list(workers[start : start + 500])
            postings = current_postings(chunk, today)
            deadlines = {r["worker"].pk: r for r in qualification_rows(list(postings.values()), today)}
            for w in chunk:
                posting, deadline = postings.get(w.pk), deadlines.get(w.pk, {})
                yield [
                    w.name,
                    w.get_gender_display(),
                    mask_id(w.id_number),
                    mask_phone(w.phone),
                    w.contractor.name,
                    posting.cycle.station.name if posting else "",
                    posting.start_date if posting else None,
                    deadline.get("qualification").get_level_display()
                    if deadline.get("qualification")
                    else "",
                    deadline.get("deadline"),
                    deadline.get("days_left"),
                    w.left_on,
                ]

    return (
        _("社工"),
        [
            Column(_("姓名"), 10),
            Column(_("性别"), 6),
            Column(_("身份证号"), 22),
            Column(_("手机号码"), 14),
            Column(_("承接主体"), 30),
            Column(_("在岗社工站"), 30),
            Column(_("到岗日期"), 12, "date"),
            Column(_("专业资质"), 16),
            Column(_("资质取得期限"), 12, "date"),
            Column(_("剩余天数"), 10, "int"),
            Column(_("离职日期"), 12, "date"),
        ],
        rows(),
    )


@role_required(Role.CONTRACTOR)
def worker_new(request):
    contractor = Contractor.objects.visible_to(request.user).first()
    if contractor is None:
        raise PermissionDenied(_("当前账号未关联承接主体。"))
    form = WorkerForm(
        request.POST or None,
        initial={"employed_on": timezone.localdate()},
        districts=registering_districts(request.user, contractor),
    )
    return form_page(
        request,
        form,
        lambda data: worker_register(actor=request.user, contractor=contractor, **data),
        done=lambda worker: (
            _("{name}已登记。").format(name=worker.name),
            reverse("worker-detail", args=[worker.pk]),
        ),
        title=_("登记社工 · {name}").format(name=contractor.name),
        intro=_("登记本机构的社会工作者。身份证号和手机号码在页面上只显示部分数字（个人信息保护）。"),
        submit_label=_("登记"),
        cancel_url=reverse("worker-list"),
        context={"crumbs": [(_("社工"), reverse("worker-list"))]},
    )


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def worker_detail(request, pk: int):
    today = timezone.localdate()
    worker = visible_or_404(SocialWorker.objects.select_related("contractor"), request.user, pk=pk)
    postings = list(
        Posting.objects.visible_to(request.user)
        .filter(worker=worker)
        .select_related("cycle__station", "cycle__contractor")
        .order_by("-start_date")
    )
    deadline = next(iter(qualification_rows(in_force(postings, today), today)), None)
    # The full ID number and phone: to the owning organisation and the bureau only, on request, audited.
    may_reveal = can(request.user, "reveal", worker)
    reveal = may_reveal and request.GET.get("reveal") == "1"
    if reveal:
        from audit.log import record
        from audit.models import AuditEvent

        record(
            AuditEvent.Action.UNMASK,
            request=request,
            obj=worker,
            summary=f"查看{worker.name}的完整身份证号和手机号码",
        )
    return render(
        request,
        "staffing/worker_detail.html",
        {
            "worker": worker,
            "postings": postings,
            "deadline": deadline,
            "qualifications": worker.qualifications.order_by("obtained_on"),
            "trainings": worker.training_records.select_related("training").order_by("-training__held_on"),
            "supervisions": worker.supervisions.select_related("station").order_by("-held_on"),
            "may_edit": can(request.user, "qualify", worker),
            "can_leave": can(request.user, "leave", worker),
            "may_reveal": may_reveal,
            "reveal": reveal,
            "today": today,
        },
    )


@role_required(Role.CONTRACTOR, Role.BUREAU)
def qualification_new(request, pk: int):
    worker = visible_or_404(SocialWorker, request.user, pk=pk)
    return form_page(
        request,
        QualificationForm(request.POST or None),
        lambda data: qualification_record(worker=worker, actor=request.user, **data),
        done=lambda q: (
            _("已登记{name}的{level}资质。").format(name=worker.name, level=q.get_level_display()),
            reverse("worker-detail", args=[pk]),
        ),
        title=_("登记专业资质 · {name}").format(name=worker.name),
        intro=_("驻站社工应在承接社工站项目两个年度内全部具备社会工作专业资质（四（二），R-STAFF-3）。"),
        cancel_url=reverse("worker-detail", args=[pk]),
        context={
            "crumbs": [
                (_("社工"), reverse("worker-list")),
                (worker.name, reverse("worker-detail", args=[pk])),
            ]
        },
    )


@role_required(Role.CONTRACTOR, Role.BUREAU)
def posting_end_view(request, pk: int):
    posting = visible_or_404(Posting.objects.select_related("worker", "cycle__station"), request.user, pk=pk)
    worker = posting.worker
    return form_page(
        request,
        PostingEndForm(request.POST or None),
        lambda data: posting_end(posting=posting, end_date=data["end_date"], actor=request.user),
        done=lambda p: (
            _("{name}已于{end_date:%Y-%m-%d}离岗。").format(name=worker.name, end_date=p.end_date),
            reverse("worker-detail", args=[worker.pk]),
        ),
        title=_("办理离岗 · {name}（{name2}）").format(name=worker.name, name2=posting.cycle.station.name),
        intro=_("离岗后请及时派驻新的驻站社工：每站一般3-5名（R-STAFF-1）。"),
        submit_label=_("确认离岗"),
        cancel_url=reverse("worker-detail", args=[worker.pk]),
        context={
            "crumbs": [
                (_("社工"), reverse("worker-list")),
                (worker.name, reverse("worker-detail", args=[worker.pk])),
            ]
        },
    )


@role_required(Role.CONTRACTOR)
def worker_leave_view(request, pk: int):
    worker = visible_or_404(SocialWorker, request.user, pk=pk)
    return form_page(
        request,
        WorkerLeaveForm(request.POST or None),
        lambda data: worker_leave(worker=worker, left_on=data["left_on"], actor=request.user),
        done=lambda w: (
            _("{name}已办理离职，其派驻同日结束。").format(name=w.name),
            reverse("worker-detail", args=[w.pk]),
        ),
        title=_("办理离职 · {name}").format(name=worker.name),
        submit_label=_("确认离职"),
        cancel_url=reverse("worker-detail", args=[worker.pk]),
        context={
            "crumbs": [
                (_("社工"), reverse("worker-list")),
                (worker.name, reverse("worker-detail", args=[worker.pk])),
            ]
        },
    )


@require_GET
@role_required(Role.CONTRACTOR, Role.BUREAU, Role.STREET)
def training_list(request):
    """R-STAFF-6: trainings passed by the workers in scope and supervision sessions at the stations in scope."""
    workers = SocialWorker.objects.visible_to(request.user)
    trainings = (
        Training.objects.visible_to(request.user)
        .annotate(
            attended=Count("records", filter=Q(records__worker__in=workers.values("pk")), distinct=True),
            passed=Count(
                "records",
                filter=Q(records__worker__in=workers.values("pk"), records__passed=True),
                distinct=True,
            ),
        )
        .order_by("-held_on")
    )
    sessions = (
        SupervisionSession.objects.visible_to(request.user)
        .select_related("station")
        .annotate(attendance=Count("workers"))
        .order_by("-held_on")
    )
    return render(
        request,
        "staffing/training_list.html",
        {
            "trainings": trainings,
            "sessions": paginate(request, sessions),
            "stations": _station_choices(request.user) if request.user.role != Role.STREET else [],
            "can_record_training": request.user.role == Role.BUREAU,
        },
    )


@role_required(Role.CONTRACTOR, Role.BUREAU)
def supervision_new(request, pk: int):
    station = visible_or_404(Station.objects.select_related("street"), request.user, pk=pk)
    today = timezone.localdate()
    team = SocialWorker.objects.filter(
        pk__in=resident_postings(Station.objects.filter(pk=station.pk), today).values("worker")
    ).order_by("name")
    return form_page(
        request,
        SupervisionForm(request.POST or None, workers=team, initial={"held_on": today}),
        lambda data: supervision_record(station=station, actor=request.user, **data),
        done=lambda s: (_("督导记录已保存。"), reverse("training-list")),
        title=_("登记专业督导 · {name}").format(name=station.name),
        intro=_("区级指导中心为驻站社工提供专业督导（五（一），R-STAFF-6）。"),
        station=station,
    )


@role_required(Role.BUREAU)
def training_new(request):
    """R-STAFF-6: the bureau records a training of the district guidance centre and who passed it."""
    today = timezone.localdate()
    workers = (
        SocialWorker.objects.visible_to(request.user)
        .filter(left_on__isnull=True)
        .select_related("contractor")
        .order_by("contractor__name", "name")
    )
    return form_page(
        request,
        TrainingForm(request.POST or None, workers=workers, initial={"held_on": today}),
        lambda data: training_record(actor=request.user, **data),
        done=lambda t: (_("培训记录已保存：{title}。").format(title=t.title), reverse("training-list")),
        title=_("登记培训"),
        intro=_(
            "驻站社工应经培训合格后到岗（五（三），R-STAFF-6）；未经培训合格到岗的社工显示为风险，直至登记合格记录。"
        ),
        cancel_url=reverse("training-list"),
    )
