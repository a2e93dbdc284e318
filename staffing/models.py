"""Social workers, their qualifications, postings and training; volunteers and their service hours."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contracts.models import Contractor, ProjectCycle, staffed_by
from core.crypto import EncryptedCharField, digest
from core.models import TracksUpdates
from core.scoping import ChildScopedQuerySet, ScopedQuerySet
from stations.models import District, Station


class SocialWorkerQuerySet(ScopedQuerySet):
    actions = {
        "create": frozenset({"contractor"}),
        "qualify": frozenset({"bureau", "contractor"}),
        "leave": frozenset({"contractor"}),
        # The full ID number and phone, audited: the bureau and the worker's own organisation.
        "reveal": frozenset({"bureau", "contractor"}),
    }

    def when_leave(self, user):
        return self.filter(left_on__isnull=True)

    def for_bureau(self, user):
        # The district's roster (registered there) and whoever has been posted in the district.
        posted = Posting.objects.filter(cycle__station__street__district__staff=user).values("worker")
        return self.filter(Q(district__staff=user) | Q(pk__in=posted)).distinct()

    def for_street(self, user):
        return self.filter(pk__in=Posting.objects.filter(cycle__station__street__staff=user).values("worker"))

    def for_contractor(self, user):
        # The contractor's roster in the districts that linked the user to it, not its roster elsewhere.
        return self.filter(staffed_by(user, "contractor", "district"))


class SocialWorker(models.Model):
    """A social worker employed by a contractor; posted to a station, a resident social worker (驻站社工)."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("女")
        MALE = "M", _("男")

    contractor = models.ForeignKey(
        Contractor, verbose_name=_("所属承接主体"), on_delete=models.PROTECT, related_name="workers"
    )
    # Where the contractor registered the worker: its accounts in that district keep the roster (ContractorStaff).
    district = models.ForeignKey(
        District, verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="social_workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    # Encrypted at rest; the digest keeps one record per person and organisation without the plain number.
    id_number = EncryptedCharField(_("身份证号"), max_length=18)
    id_digest = models.CharField(_("身份证号摘要"), max_length=64, editable=False, default="")
    phone = EncryptedCharField(_("手机号码"), max_length=20)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    major = models.CharField(_("所学专业"), max_length=50, blank=True)
    employed_on = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)

    objects = SocialWorkerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")
        ordering = ["contractor", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contractor", "id_digest"],
                name="%(app_label)s_%(class)s_one_record_per_person",
                violation_error_message=_("该机构已登记过此身份证号的社工。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("employed_on")),
                name="%(app_label)s_%(class)s_left_after_employed",
                violation_error_message=_("离职日期不能早于入职日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.id_digest = digest(self.id_number or "")
        super().save(*args, **kwargs)

    def clean(self):
        self.id_digest = digest(self.id_number or "")


class WorkerChildQuerySet(ChildScopedQuerySet):
    parent_field = "worker"


class Qualification(TracksUpdates):
    """A social-work professional qualification (社会工作专业资质) held by a worker (R-STAFF-2, R-STAFF-3)."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社工"), on_delete=models.CASCADE, related_name="qualifications"
    )
    level = models.CharField(_("资质等级"), max_length=16, choices=Level.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=40, unique=True)
    obtained_on = models.DateField(_("取得日期"))

    objects = WorkerChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("专业资质")
        verbose_name_plural = _("专业资质")
        ordering = ["worker", "obtained_on"]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_level_display()}"


class PostingQuerySet(ChildScopedQuerySet):
    parent_field = "cycle"
    actions = {"end": frozenset({"bureau", "contractor"})}

    def when_end(self, user):
        return self.filter(end_date__isnull=True)

    def for_municipal(self, user):
        return self.none()  # who works where is personal data the municipal bureau does not need


class Posting(TracksUpdates):
    """A worker's posting to a station under a cycle (派驻): full-time, with a labour contract (R-STAFF-4, -5)."""

    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社工"), on_delete=models.PROTECT, related_name="postings"
    )
    cycle = models.ForeignKey(
        ProjectCycle, verbose_name=_("项目周期"), on_delete=models.PROTECT, related_name="postings"
    )
    start_date = models.DateField(_("到岗日期"))
    end_date = models.DateField(_("离岗日期"), null=True, blank=True)
    is_full_time = models.BooleanField(_("专职"), default=True)
    has_labour_contract = models.BooleanField(_("已签订劳动合同"), default=True)

    objects = PostingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("派驻")
        verbose_name_plural = _("派驻")
        ordering = ["cycle", "start_date"]
        indexes = [
            # Resident workers on a day: postings of a cycle open on that day.
            models.Index(fields=["cycle", "start_date", "end_date"], name="staffing_posting_period_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("离岗日期不能早于到岗日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.cycle.station}"


class TrainingQuerySet(ChildScopedQuerySet):
    parent_field = "district"

    def for_contractor(self, user):
        return self.filter(
            pk__in=TrainingRecord.objects.filter(
                staffed_by(user, "worker__contractor", "worker__district")
            ).values("training")
        )


class Training(models.Model):
    """A training course given by the district guidance centre (区级指导中心) to resident workers (R-STAFF-6)."""

    class Kind(models.TextChoices):
        PRE_SERVICE = "pre_service", _("岗前培训")
        CONTINUING = "continuing", _("继续教育")
        SPECIAL = "special", _("专题培训")

    district = models.ForeignKey(
        District, verbose_name=_("区"), on_delete=models.PROTECT, related_name="trainings"
    )
    title = models.CharField(_("培训名称"), max_length=120)
    kind = models.CharField(_("培训类别"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    provider = models.CharField(_("组织单位"), max_length=100, default=_("东丽区社会工作指导中心"))

    objects = TrainingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="%(app_label)s_%(class)s_hours_positive",
                violation_error_message=_("学时必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(models.Model):
    """A worker's attendance of a training and whether they passed (经培训合格)."""

    training = models.ForeignKey(
        Training, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="records"
    )
    worker = models.ForeignKey(
        SocialWorker, verbose_name=_("社工"), on_delete=models.CASCADE, related_name="training_records"
    )
    passed = models.BooleanField(_("考核合格"), default=False)

    objects = WorkerChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "worker"],
                name="%(app_label)s_%(class)s_once_per_worker",
                violation_error_message=_("该社工已登记参加此培训。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.training}"


class StationChildQuerySet(ChildScopedQuerySet):
    parent_field = "station"

    def for_municipal(self, user):
        return self.none()  # supervision attendance and volunteers' contacts are personal data


class SupervisionSession(models.Model):
    """A professional supervision session (专业督导) held for a station's workers (R-STAFF-6)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.CASCADE, related_name="supervision_sessions"
    )
    held_on = models.DateField(_("督导日期"))
    supervisor = models.CharField(_("督导"), max_length=50)
    topic = models.CharField(_("督导主题"), max_length=150)
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    workers = models.ManyToManyField(
        SocialWorker, verbose_name=_("参加社工"), blank=True, related_name="supervisions"
    )

    objects = StationChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("专业督导")
        verbose_name_plural = _("专业督导")
        ordering = ["station", "-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="%(app_label)s_%(class)s_hours_positive",
                violation_error_message=_("督导时长必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.held_on:%Y-%m-%d} {self.topic}"


class VolunteerQuerySet(StationChildQuerySet):
    actions = {"create": frozenset({"contractor"}), "change": frozenset({"contractor"})}


class Volunteer(models.Model):
    """A volunteer registered at a station (志愿者注册, R-SVC-2)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="volunteers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    team = models.CharField(_("志愿服务队"), max_length=80, blank=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    registered_on = models.DateField(_("注册日期"))
    active = models.BooleanField(_("在册"), default=True)
    # Part of the volunteer's self-report link: raised when a new link is made or the volunteer leaves the register,
    # so that every link handed out before stops working (staffing.services.volunteer_link_renew).
    link_version = models.PositiveIntegerField(_("填报链接版本"), default=0, editable=False)

    objects = VolunteerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["station", "name"]

    def __str__(self) -> str:
        return self.name


class VolunteerChildQuerySet(ChildScopedQuerySet):
    parent_field = "volunteer"


class VolunteerHours(models.Model):
    """Hours a volunteer served on one day, entered by the station or the volunteer and verified by station staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("未通过")

    class EnteredVia(models.TextChoices):
        STATION = "station", _("社工站录入")
        VOLUNTEER = "volunteer", _("志愿者自行填报")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="hours_entries"
    )
    served_on = models.DateField(_("服务日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1)
    activity = models.CharField(_("服务内容"), max_length=150)
    entered_via = models.CharField(_("填报方式"), max_length=16, choices=EnteredVia.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("核实状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    objects = VolunteerChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["volunteer", "-served_on", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24),
                name="%(app_label)s_%(class)s_hours_possible",
                violation_error_message=_("服务时长必须大于0且不超过24小时。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="%(app_label)s_%(class)s_verified_has_verifier",
                violation_error_message=_("已核实的服务时长必须记录核实人和核实时间。"),
            ),
        ]

    def __str__(self) -> str:
        return gettext("{volunteer} {served_on:%Y-%m-%d} {hours}小时").format(
            volunteer=self.volunteer, served_on=self.served_on, hours=self.hours
        )


class VolunteerIncentive(models.Model):
    """A recognition given to a volunteer (志愿者激励)."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", _("表彰")
        STAR_RATING = "star_rating", _("星级认定")
        POINTS = "points", _("积分兑换")
        OTHER = "other", _("其他")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="incentives"
    )
    kind = models.CharField(_("激励方式"), max_length=16, choices=Kind.choices)
    awarded_on = models.DateField(_("日期"))
    description = models.CharField(_("内容"), max_length=200)

    objects = VolunteerChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿者激励")
        verbose_name_plural = _("志愿者激励")
        ordering = ["volunteer", "-awarded_on"]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.get_kind_display()}"


class VolunteerInsurance(models.Model):
    """An insurance policy covering a volunteer's service (志愿者保障)."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="insurances"
    )
    insurer = models.CharField(_("保险公司"), max_length=100)
    policy_no = models.CharField(_("保单号"), max_length=50)
    start_date = models.DateField(_("保险起期"))
    end_date = models.DateField(_("保险止期"))

    objects = VolunteerChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿者保险")
        verbose_name_plural = _("志愿者保险")
        ordering = ["volunteer", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("保险止期不能早于起期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.policy_no}"
