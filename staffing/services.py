"""Posting workers and recording their qualifications (R-STAFF-2..5): the writes the policy constrains."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from contracts.models import ProjectCycle
from core.permissions import require_role, require_visible
from core.policy import refusal
from staffing.models import (
    Posting,
    Qualification,
    SocialWorker,
    SupervisionSession,
    Training,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
    VolunteerIncentive,
    VolunteerInsurance,
)
from staffing.selectors import (
    posting_deadline,
    qualification_deadline,
    same_person_elsewhere,
    took_over_station,
)
from stations.models import District

# A posting is recorded when it happens: up to 15 days late (paperwork), up to a month ahead (a planned start).
RECORD_BACK_DAYS = 15
RECORD_AHEAD_DAYS = 30


def _first_signing(cycle: ProjectCycle) -> datetime.date | None:
    first = cycle.years.order_by("year_no").first()
    return first.signed_on if first else None


@transaction.atomic
def worker_post(
    *,
    cycle: ProjectCycle,
    worker: SocialWorker,
    start_date: datetime.date,
    is_full_time: bool,
    has_labour_contract: bool,
    actor,
    late_reason: str = "",
) -> Posting:
    """Post a worker to a station as a resident social worker (派驻).

    R-STAFF-4: only a full-time employee with a labour contract with the contractor.
    R-STAFF-5: the first workers of a cycle are posted within 15 days of signing its first contract;
    a later start is refused — the bureau alone may record it, with the reason, and the finding stays.
    R-STAFF-3: after the cycle's qualification deadline only a qualified worker is posted; the bureau alone may
    record an unqualified one, with the reason, and the finding stays.
    R-STAFF-7: one person (by ID number, whichever contractor's record) is resident at one station at a time.
    R-STAFF-6 (a risk, not a refusal): see `untrained`.
    """
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, cycle)
    if worker.contractor_id != cycle.contractor_id:
        raise refusal("R-STAFF-4", _("只能派驻与本承接主体签订劳动合同的社工。"), field="worker")
    require_visible(actor, worker)
    if not is_full_time:
        raise refusal("R-STAFF-4", _("驻站社工应为专职工作人员。"), field="is_full_time")
    if not has_labour_contract:
        raise refusal("R-STAFF-4", _("驻站社工应与承接主体签订劳动合同。"), field="has_labour_contract")
    if worker.left_on and worker.left_on < start_date:
        raise ValidationError(
            {
                "worker": _("{name}已于{left_on:%Y-%m-%d}离职。").format(
                    name=worker.name, left_on=worker.left_on
                )
            }
        )
    today = timezone.localdate()
    earliest = today - datetime.timedelta(days=RECORD_BACK_DAYS)
    if start_date > today + datetime.timedelta(days=RECORD_AHEAD_DAYS):
        raise ValidationError(
            {"start_date": _("到岗日期最多可提前{days}天登记。").format(days=RECORD_AHEAD_DAYS)}
        )
    if start_date < earliest and not (actor.role == Role.BUREAU and late_reason.strip()):
        # A posting dated far back would rewrite what the checks already found (a late first posting, a shortfall,
        # a recruit after the qualification deadline): the bureau alone records one, with its reason.
        raise refusal(
            "R-STAFF-5",
            _(
                "到岗日期{start_date:%Y-%m-%d}早于{days}天前；补登更早的派驻须由区民政局填写原因后登记。"
            ).format(start_date=start_date, days=RECORD_BACK_DAYS),
            field="start_date",
        )
    if not (cycle.start_date <= start_date <= cycle.end_date):
        raise refusal(
            "R-CYCLE-1",
            _("到岗日期须在项目周期{start_date:%Y-%m-%d}至{end_date:%Y-%m-%d}之内。").format(
                start_date=cycle.start_date, end_date=cycle.end_date
            ),
            field="start_date",
        )
    signed_on = _first_signing(cycle)
    if signed_on is None:
        raise refusal("R-STAFF-5", _("该项目周期尚未签订合同，签订合同后再派驻社工。"))
    is_first_posting = not cycle.postings.exists()
    deadline = posting_deadline(signed_on)
    if is_first_posting and start_date > deadline:
        late_by = (start_date - signed_on).days
        if not (actor.role == Role.BUREAU and late_reason.strip()):
            raise refusal(
                "R-STAFF-5",
                _(
                    "合同于{signed_on:%Y-%m-%d}签订，派驻期限为{deadline:%Y-%m-%d}；{start_date:%Y-%m-%d}到岗已是第{late_by}天。"
                ).format(signed_on=signed_on, deadline=deadline, start_date=start_date, late_by=late_by),
                field="start_date",
            )
    if (
        Posting.objects.filter(worker=worker, start_date__lte=start_date)
        .exclude(end_date__lt=start_date)
        .exists()
    ):
        raise refusal(
            "R-STAFF-7",
            _("{name}在{start_date:%Y-%m-%d}已派驻在岗，同一人同一时间只能驻一个站，请先办理离岗。").format(
                name=worker.name, start_date=start_date
            ),
            field="worker",
        )
    elsewhere = same_person_elsewhere(worker, start_date).first()
    if elsewhere is not None:
        raise refusal(
            "R-STAFF-7",
            _(
                "身份证号相同的人员自{start:%Y-%m-%d}起已驻{station}（{record}），同一人同一时间只能驻一个站。"
            ).format(
                start=elsewhere.start_date,
                station=elsewhere.cycle.station.name,
                record=_("另一承接主体的人员记录")
                if elsewhere.worker.contractor_id != worker.contractor_id
                else _("本机构的另一条人员记录"),
            ),
            field="worker",
        )
    deadline = qualification_deadline(took_over_station(cycle))
    qualified = worker.qualifications.filter(obtained_on__lte=start_date).exists()
    if start_date > deadline and not qualified and not (actor.role == Role.BUREAU and late_reason.strip()):
        raise refusal(
            "R-STAFF-3",
            _(
                "本周期驻站社工取得专业资质的期限为{deadline:%Y-%m-%d}；此后到岗的社工须已具备社会工作专业资质，"
                "{name}尚未取得。"
            ).format(deadline=deadline, name=worker.name),
            field="worker",
        )
    posting = Posting(
        worker=worker,
        cycle=cycle,
        start_date=start_date,
        is_full_time=is_full_time,
        has_labour_contract=has_labour_contract,
    )
    posting.full_clean()
    if late_reason.strip():
        # Kept in the record's history: who let a late or unqualified posting through, and why.
        posting._change_reason = _("R-STAFF-3/R-STAFF-5 例外派驻：{late_reason}").format(
            late_reason=late_reason.strip()
        )[:100]
    posting.save()
    return posting


@transaction.atomic
def posting_end(*, posting: Posting, end_date: datetime.date, actor) -> Posting:
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, posting)
    if end_date < posting.start_date:
        raise ValidationError({"end_date": _("离岗日期不能早于到岗日期。")})
    if posting.end_date is not None and end_date > posting.end_date:
        # Moving a recorded end later would put someone back on post after the fact (and erase a shortfall, R-STAFF-7).
        raise refusal(
            "R-STAFF-7",
            _("该派驻已于{end:%Y-%m-%d}结束，不能改到更晚；重新到岗请登记新的派驻。").format(
                end=posting.end_date
            ),
            field="end_date",
        )
    posting.end_date = end_date
    posting.full_clean()
    posting.save()
    return posting


@transaction.atomic
def qualification_record(
    *, worker: SocialWorker, level: str, certificate_no: str, obtained_on: datetime.date, actor
) -> Qualification:
    """R-STAFF-2, R-STAFF-3: a social-work qualification with its certificate number and date."""
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, worker)
    if level not in Qualification.Level.values:
        raise refusal(
            "R-STAFF-2", _("社会工作专业资质为助理社会工作师、社会工作师或高级社会工作师。"), field="level"
        )
    if not certificate_no.strip():
        raise refusal("R-STAFF-2", _("请填写证书编号。"), field="certificate_no")
    if obtained_on > timezone.localdate():
        raise ValidationError({"obtained_on": _("取得日期不能晚于今天。")})
    qualification = Qualification(
        worker=worker, level=level, certificate_no=certificate_no.strip(), obtained_on=obtained_on
    )
    qualification.full_clean()
    qualification.save()
    return qualification


def registering_districts(actor, contractor) -> list[District]:
    """The districts in which `actor` works for `contractor` (ContractorStaff): where it may register workers."""
    return list(
        District.objects.filter(contractor_staff__user=actor, contractor_staff__contractor=contractor)
        .distinct()
        .order_by("code")
    )


@transaction.atomic
def worker_register(*, actor, contractor, district: District | None = None, **fields) -> SocialWorker:
    """A contractor registers one of its employees in a district where the actor works for it; the ID number is
    checked (GB 11643) and kept once."""
    from core.validators import clean_id_number, clean_phone

    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, contractor)
    districts = registering_districts(actor, contractor)
    if district is None and len(districts) == 1:
        district = districts[0]
    if district is None:
        raise ValidationError({"district": _("请选择社工所在的区。")})
    if district not in districts:
        raise PermissionDenied(_("当前账号不是该承接主体在{district}的工作人员。").format(district=district))
    fields["district"] = district
    errors = {}
    for name, clean in (("id_number", clean_id_number), ("phone", clean_phone)):
        try:
            fields[name] = clean(fields.get(name, ""))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    # GB 11643: the 17th character is odd for a man, even for a woman — the record follows the ID number.
    from_number = SocialWorker.Gender.MALE if int(fields["id_number"][16]) % 2 else SocialWorker.Gender.FEMALE
    if fields.get("gender") and fields["gender"] != from_number:
        raise ValidationError(
            {
                "gender": _("性别与身份证号不符：按身份证号应为“{gender}”。").format(
                    gender=SocialWorker.Gender(from_number).label
                )
            }
        )
    fields["gender"] = from_number
    if fields.get("employed_on") and fields["employed_on"] > timezone.localdate():
        raise ValidationError({"employed_on": _("入职日期不能晚于今天。")})
    worker = SocialWorker(contractor=contractor, **fields)
    worker.full_clean()
    worker.save()
    return worker


@transaction.atomic
def worker_leave(*, worker: SocialWorker, left_on: datetime.date, actor) -> SocialWorker:
    """A worker leaves the organisation: their open postings end the same day."""
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, worker)
    if left_on < worker.employed_on:
        raise ValidationError({"left_on": _("离职日期不能早于入职日期。")})
    worker.left_on = left_on
    worker.full_clean()
    worker.save()
    for posting in worker.postings.filter(end_date__isnull=True):
        posting.end_date = max(left_on, posting.start_date)
        posting.save()
    return worker


@transaction.atomic
def supervision_record(*, station, held_on, supervisor, topic, hours, workers, actor) -> SupervisionSession:
    """R-STAFF-6: a supervision session of the district guidance centre for the station's resident workers."""
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, station)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("督导日期不能晚于今天。")})
    session = SupervisionSession(
        station=station, held_on=held_on, supervisor=supervisor, topic=topic, hours=hours
    )
    session.full_clean()
    session.save()
    session.workers.set(workers)
    return session


@transaction.atomic
def training_record(
    *, title: str, kind: str, held_on, hours, actor, passed=(), failed=(), provider: str = ""
) -> Training:
    """R-STAFF-6: the bureau (its district guidance centre) records a training and who attended it, passed or not.
    Only workers of its own district; a day not in the future; each worker once."""
    require_role(actor, Role.BUREAU)
    district = District.objects.visible_to(actor).first()
    if district is None:
        raise PermissionDenied(_("当前账号不属于任何区。"))
    if held_on is None or held_on > timezone.localdate():
        raise refusal("R-STAFF-6", _("培训日期不能晚于今天。"), field="held_on")
    passed, failed = list(passed), list(failed)
    both = {w.pk for w in passed} & {w.pk for w in failed}
    if both:
        raise refusal("R-STAFF-6", _("同一社工不能既合格又不合格。"), field="failed")
    if not passed and not failed:
        raise refusal("R-STAFF-6", _("请选择参加培训的社工。"), field="passed")
    visible = set(
        SocialWorker.objects.visible_to(actor).filter(district=district).values_list("pk", flat=True)
    )
    if any(w.pk not in visible for w in passed + failed):
        raise PermissionDenied(_("只能登记本区社工的培训记录。"))
    training = Training(
        district=district,
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        hours=hours,
        provider=provider.strip() or Training._meta.get_field("provider").get_default(),
    )
    training.full_clean()
    training.save()
    TrainingRecord.objects.bulk_create(
        [TrainingRecord(training=training, worker=w, passed=True) for w in passed]
        + [TrainingRecord(training=training, worker=w, passed=False) for w in failed]
    )
    return training


@transaction.atomic
def training_attendance_add(
    *, training: Training, worker: SocialWorker, passed: bool, actor
) -> TrainingRecord:
    """R-STAFF-6: one more worker of the district at a training already recorded (a sheet lists one per row)."""
    require_role(actor, Role.BUREAU)
    if not District.objects.visible_to(actor).filter(pk=training.district_id).exists():
        raise PermissionDenied(_("只能登记本区的培训记录。"))
    if (
        not SocialWorker.objects.visible_to(actor)
        .filter(pk=worker.pk, district=training.district_id)
        .exists()
    ):
        raise PermissionDenied(_("只能登记本区社工的培训记录。"))
    if TrainingRecord.objects.filter(training=training, worker=worker).exists():
        raise refusal("R-STAFF-6", _("同一社工在同一培训中只能登记一次。"), field="worker")
    return TrainingRecord.objects.create(training=training, worker=worker, passed=passed)


# Volunteers (R-SVC-2): registration, service hours, verification, incentives and insurance.


@transaction.atomic
def volunteer_register(*, station, actor, **fields) -> Volunteer:
    from core.validators import clean_phone

    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, station)
    try:
        fields["phone"] = clean_phone(fields.get("phone", ""))
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    if fields.get("registered_on") and fields["registered_on"] > timezone.localdate():
        raise ValidationError({"registered_on": _("注册日期不能晚于今天。")})
    volunteer = Volunteer(station=station, **fields)
    volunteer.full_clean()
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_link_renew(*, volunteer: Volunteer, actor) -> Volunteer:
    """A new self-report link for the volunteer: every link handed out before stops working (a lost phone, a link
    forwarded to the wrong person)."""
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, volunteer)
    Volunteer.objects.filter(pk=volunteer.pk).update(link_version=F("link_version") + 1)
    volunteer.refresh_from_db(fields=["link_version"])
    return volunteer


@transaction.atomic
def volunteer_set_active(*, volunteer: Volunteer, active: bool, actor) -> Volunteer:
    """Take a volunteer off the register or back on it. Leaving ends their self-report link for good: coming back
    needs a new link, so an old one found later does not work again."""
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, volunteer)
    volunteer.active = active
    if not active:
        volunteer.link_version += 1
    volunteer.save(update_fields=["active", "link_version"])
    return volunteer


def _span_hours(start: datetime.time, end: datetime.time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@transaction.atomic
def volunteer_hours_record(
    *,
    volunteer: Volunteer,
    served_on: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    activity: str,
    actor=None,
) -> VolunteerHours:
    """R-SVC-2: hours a volunteer served, entered by station staff or by the volunteer (actor None, through the
    volunteer's own link). Impossible entries (future, before registration, end before start) and entries
    overlapping another of the same volunteer are refused; every entry waits for verification by station staff."""
    if actor is not None:
        require_role(actor, Role.CONTRACTOR)
        require_visible(actor, volunteer)
    volunteer = Volunteer.objects.select_for_update().get(
        pk=volunteer.pk
    )  # one entry at a time per volunteer
    if served_on > timezone.localdate():
        raise refusal("R-SVC-2", _("服务日期不能晚于今天。"), field="served_on")
    now = timezone.localtime()
    if served_on == now.date() and end_time > now.time():
        raise refusal(
            "R-SVC-2",
            _("服务尚未结束：今天的服务请在{end_time:%H:%M}之后登记。").format(end_time=end_time),
            field="end_time",
        )
    if served_on < volunteer.registered_on:
        raise refusal(
            "R-SVC-2",
            _("服务日期早于该志愿者的注册日期{registered_on:%Y-%m-%d}。").format(
                registered_on=volunteer.registered_on
            ),
            field="served_on",
        )
    if end_time <= start_time:
        raise refusal(
            "R-SVC-2", _("结束时间必须晚于开始时间（跨零点的服务请分两条登记）。"), field="end_time"
        )
    overlapping = (
        VolunteerHours.objects.filter(
            volunteer=volunteer, served_on=served_on, start_time__lt=end_time, end_time__gt=start_time
        )
        .exclude(status=VolunteerHours.Status.REJECTED)
        .first()
    )
    if overlapping:
        raise refusal(
            "R-SVC-2",
            _(
                "与已登记的{served_on:%Y-%m-%d} {start_time:%H:%M}-{end_time:%H:%M}（{activity}）时间重叠。"
            ).format(
                served_on=overlapping.served_on,
                start_time=overlapping.start_time,
                end_time=overlapping.end_time,
                activity=overlapping.activity,
            ),
            field="start_time",
        )
    entry = VolunteerHours(
        volunteer=volunteer,
        served_on=served_on,
        start_time=start_time,
        end_time=end_time,
        hours=_span_hours(start_time, end_time),
        activity=activity.strip(),
        entered_via=VolunteerHours.EnteredVia.STATION if actor else VolunteerHours.EnteredVia.VOLUNTEER,
        entered_by=actor,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def volunteer_hours_verify(*, entries, verified: bool, actor) -> int:
    """Station staff verify (or reject) pending hours; returns how many entries changed."""
    require_role(actor, Role.CONTRACTOR)
    visible = VolunteerHours.objects.visible_to(actor).filter(
        pk__in=[e.pk for e in entries], status=VolunteerHours.Status.PENDING
    )
    if len(visible) != len(entries):
        raise ValidationError(_("所选记录中有已核实过或不在您管理范围内的记录，请刷新后重试。"))
    own = [entry for entry in visible if entry.entered_by_id == actor.pk]
    if own:
        # Four eyes: whoever typed the hours does not also confirm them (R-SVC-2 records must be trustworthy).
        raise refusal(
            "R-SVC-2",
            _("您不能核实自己登记的志愿服务时长（{n}条），请由站点的另一名工作人员核实。").format(n=len(own)),
        )
    now = timezone.now()
    for entry in visible:
        entry.status = VolunteerHours.Status.VERIFIED if verified else VolunteerHours.Status.REJECTED
        entry.verified_by, entry.verified_at = actor, now
        entry.save()
    return len(visible)


@transaction.atomic
def volunteer_incentive_record(*, volunteer: Volunteer, actor, **fields) -> VolunteerIncentive:
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, volunteer)
    incentive = VolunteerIncentive(volunteer=volunteer, **fields)
    incentive.full_clean()
    incentive.save()
    return incentive


@transaction.atomic
def volunteer_insurance_record(*, volunteer: Volunteer, actor, **fields) -> VolunteerInsurance:
    require_role(actor, Role.CONTRACTOR)
    require_visible(actor, volunteer)
    insurance = VolunteerInsurance(volunteer=volunteer, **fields)
    insurance.full_clean()
    insurance.save()
    return insurance
