"""Load the demo district's story (see README, "Demo data"): accounts, contractors and five years of history.

Dates are fixed, not relative to the day it runs, so that tests can rely on them; the story is told
as of 2026-11-28. Idempotent: every record is found by its natural key before it is created.
Refuses to run under production settings.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from contracts.models import (
    BudgetLine,
    Contractor,
    ContractorStaff,
    ContractYear,
    EligibilityCondition,
    EligibilityDocument,
    EligibilityEvidence,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)
from core.crypto import digest
from core.dates import add_years, months_between
from evaluations.models import Evaluation, EvaluationScore, Renewal
from evaluations.selectors import final_evaluation_due, midterm_evaluation_due, scoring_sheet, sheet_year_of
from reports.findings_cache import touch_districts
from reports.models import (
    Report,
    ReportFigure,
    ReportReview,
    ServiceArea,
    ServiceKind,
    ServiceMethod,
    ServiceRecord,
)
from reports.selectors import brief_due, final_report_due, midterm_report_due, service_plan_due
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
from stations.models import AnnualPlan, District, Donation, SiteConditionLog, Station, Street

STORY_DAY = datetime.date(2026, 11, 28)
D = datetime.date
G = Evaluation.Grade

CONTRACTORS = {
    "qihang": ("东丽区启航社会工作服务中心", "启航", "52120110MJ0A1QH21X", "刘晓燕"),
    "tongxin": ("天津市同心社会工作服务社", "同心", "52120000MJ0B2TX35K", "陈志强"),
    "yijia": ("东丽区益家社会工作服务中心", "益家", "52120110MJ0C3YJ47P", "王丽娟"),
    "zhonghe": ("天津市滨海众和社会工作服务中心", "众和", "52120000MJ0D4ZH59R", "赵国平"),
}

# username: (role, family name, given name, scope kind, scope key)
ACCOUNTS = {
    "bureau": (Role.BUREAU, "李", "明华", "district", "120110"),
    "municipal": (Role.MUNICIPAL, "周", "建国", None, None),
    "auditor": (Role.AUDITOR, "孙", "静", None, None),
    "admin": (Role.ADMIN, "赵", "磊", None, None),
    "zhangguizhuang": (Role.STREET, "张", "红梅", "street", "张贵庄街道"),
    "fengniancun": (Role.STREET, "马", "立新", "street", "丰年村街道"),
    "org-a": (Role.CONTRACTOR, "刘", "晓燕", "contractor", "qihang"),
    "org-b": (Role.CONTRACTOR, "陈", "志强", "contractor", "tongxin"),
}


@dataclass
class CycleStory:
    """One cycle of one station: who, from when, how many contract years so far, and how each was graded."""

    contractor: str
    start: datetime.date
    signed_offsets: list[int]  # days after each year's start the contract was signed
    grades: list[tuple[str, str]]  # (mid-term grade, final grade) per finished year
    posted_after_signing: int = 10
    amount: Decimal = Decimal("250000.00")
    failed_end: bool = False  # the cycle ended after the last year's 不合格
    pending_bureau_signature: bool = (
        False  # the last finished year's final evaluation lacks the bureau's signature
    )
    unreported: bool = False  # the last finished year's signed final result is not yet reported (R-EVAL-1)
    current_midterm: str = ""  # the grade of the current year's mid-term evaluation, when it is already due
    terminated_on: datetime.date | None = None  # ended early (R-CYCLE-3), with end_note as the reason
    end_note: str = ""
    purchaser: str = Procurement.Purchaser.BUREAU  # a street-bought project follows the plan as guidance
    extra: dict = field(default_factory=dict)


def _y(year: int) -> datetime.date:
    return D(year, 7, 1)


STORY: dict[str, list[CycleStory]] = {
    "张贵庄街道": [
        CycleStory(
            "qihang",
            _y(2021),
            [0, 0, 0],
            [(G.GOOD, G.GOOD), (G.GOOD, G.EXCELLENT), (G.EXCELLENT, G.EXCELLENT)],
        ),
        CycleStory("qihang", _y(2024), [5, 3, 6], [(G.GOOD, G.EXCELLENT), (G.EXCELLENT, G.GOOD)]),
    ],
    "丰年村街道": [
        CycleStory("qihang", _y(2021), [2, 4], [(G.PASS, G.PASS), (G.PASS, G.FAIL)], failed_end=True),
        CycleStory("tongxin", _y(2023), [8, 5, 4], [(G.GOOD, G.GOOD), (G.GOOD, G.PASS), (G.GOOD, G.GOOD)]),
        CycleStory("tongxin", _y(2026), [9], []),
    ],
    "新立街道": [
        CycleStory(
            "qihang",
            _y(2021),
            [19, 2, 3],
            [(G.PASS, G.GOOD), (G.GOOD, G.GOOD), (G.GOOD, G.GOOD)],
            posted_after_signing=12,
        ),
        CycleStory("qihang", _y(2024), [4, 5, 2], [(G.GOOD, G.GOOD), (G.GOOD, G.PASS)]),
    ],
    "军粮城街道": [
        CycleStory(
            "zhonghe",
            _y(2021),
            [55, 3, 4],
            [(G.PASS, G.PASS), (G.PASS, G.GOOD), (G.GOOD, G.GOOD)],
            posted_after_signing=12,
        ),
        # 众和 withdrew in December 2024 (R-CYCLE-3); re-procured at once, 益家 took the station on 2025-01-10:
        # its workers' qualification deadline (2027-01-10) falls within 90 days of the story's day (R-STAFF-3).
        CycleStory(
            "zhonghe",
            _y(2024),
            [6],
            [],
            terminated_on=D(2024, 12, 20),
            end_note="众和机构因人员调整申请退出，经区民政局局长办公会同意提前终止（东民纪〔2024〕21号）。",
        ),
        CycleStory(
            "yijia",
            D(2025, 1, 10),
            [3, 5],
            [(G.GOOD, G.GOOD)],
            current_midterm=G.GOOD,
            extra={"notice": D(2024, 12, 23), "award": D(2025, 1, 6)},
        ),
    ],
    "万新街道": [
        CycleStory("tongxin", _y(2022), [3, 2, 5], [(G.GOOD, G.GOOD), (G.PASS, G.GOOD), (G.GOOD, G.GOOD)]),
        CycleStory("tongxin", _y(2025), [4, 6], [(G.GOOD, G.PASS)], amount=Decimal("220000.00")),
    ],
    "华明街道": [
        CycleStory("yijia", _y(2022), [5, 4, 3], [(G.GOOD, G.GOOD), (G.GOOD, G.GOOD), (G.PASS, G.GOOD)]),
        CycleStory("yijia", _y(2025), [7], [(G.GOOD, G.GOOD)], pending_bureau_signature=True),
    ],
    "华新街道": [
        CycleStory(
            "zhonghe",
            _y(2022),
            [19, 3, 2],
            [(G.PASS, G.PASS), (G.GOOD, G.GOOD), (G.GOOD, G.GOOD)],
            posted_after_signing=16,
        ),
        CycleStory("zhonghe", _y(2025), [3, 5], [(G.GOOD, G.GOOD)]),
    ],
    "无瑕街道": [
        CycleStory(
            "qihang", _y(2022), [4, 3, 6], [(G.GOOD, G.GOOD), (G.GOOD, G.EXCELLENT), (G.GOOD, G.GOOD)]
        ),
        CycleStory("qihang", _y(2025), [5, 4], [(G.GOOD, G.GOOD)], unreported=True),
    ],
    "金钟街道": [
        CycleStory("tongxin", _y(2023), [6, 4, 3], [(G.PASS, G.GOOD), (G.GOOD, G.GOOD), (G.GOOD, G.GOOD)]),
        # Bought by the street office itself, above the bureau's cap: guidance, a risk (R-FUND-1, 三（一）).
        CycleStory(
            "tongxin", _y(2026), [8], [], amount=Decimal("262000.00"), purchaser=Procurement.Purchaser.STREET
        ),
    ],
    "金桥街道": [
        CycleStory(
            "zhonghe",
            _y(2023),
            [81, 3, 5],
            [(G.PASS, G.PASS), (G.PASS, G.PASS), (G.PASS, G.PASS)],
            posted_after_signing=12,
        ),
        CycleStory("zhonghe", _y(2026), [6], []),
    ],
}

GIVEN = [
    "秀英",
    "桂英",
    "秀兰",
    "玉兰",
    "丽娜",
    "晓静",
    "海燕",
    "建华",
    "志刚",
    "文博",
    "思远",
    "雅琴",
    "佳怡",
    "子涵",
    "浩然",
    "梦瑶",
    "婷婷",
    "俊杰",
    "欣怡",
    "宇航",
    "春梅",
    "晓东",
    "立群",
    "慧敏",
]
FAMILY = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
]

BUDGET_SHARES = [
    (BudgetLine.Line.STAFF_PAY, Decimal("0.70")),
    (BudgetLine.Line.SUPERVISION_TRAINING, Decimal("0.08")),
    (BudgetLine.Line.SERVICE_ACTIVITIES, Decimal("0.16")),
    (BudgetLine.Line.PROJECT_MANAGEMENT, Decimal("0.04")),
    (BudgetLine.Line.EVALUATION, Decimal("0.02")),
]
FUNDING_SHARES = [
    (FundingAllocation.Source.MUNICIPAL_SUBSIDY, Decimal("0.60")),
    (FundingAllocation.Source.SOCIAL_ASSISTANCE, Decimal("0.20")),
    (FundingAllocation.Source.ELDERLY, Decimal("0.12")),
    (FundingAllocation.Source.CHILD_WELFARE, Decimal("0.08")),
]
GRADE_SCORE = {
    G.EXCELLENT: Decimal("93"),
    G.GOOD: Decimal("85"),
    G.PASS: Decimal("72"),
    G.FAIL: Decimal("54"),
}


def split(total: Decimal, shares) -> list[tuple[str, Decimal]]:
    """Split an amount by shares into whole cents that add up exactly to it (the remainder goes to the first)."""
    parts = [(key, (total * share).quantize(Decimal("0.01"))) for key, share in shares]
    remainder = total - sum(amount for _, amount in parts)
    return [(parts[0][0], parts[0][1] + remainder), *parts[1:]]


def id_number(rng: random.Random, born: datetime.date, female: bool) -> str:
    """A syntactically valid resident ID number (GB 11643) for a made-up person of Dongli District."""
    serial = rng.randrange(0, 50) * 2 + (0 if female else 1)
    body = f"120110{born:%Y%m%d}{rng.randrange(10, 99)}{serial % 10}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class Command(BaseCommand):
    help = "载入演示数据（东丽区的故事）和演示账号；可重复运行；生产环境下拒绝运行。"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo 不能在生产环境（DJANGO_ENV=production）下运行：演示账号使用公开的演示密码。"
            )
        call_command("seed_plan", stdout=self.stdout)
        with transaction.atomic():
            self.rng = random.Random(20210701)
            self.district = District.objects.get(code="120110")
            self.streets = {s.name: s for s in Street.objects.filter(district=self.district)}
            self.stations = {
                s.street.name: s
                for s in Station.objects.filter(street__district=self.district).select_related("street")
            }
            self.contractors = self._contractors()
            self.users = self._accounts()
            self._annual_plans()
            self.training = self._trainings()
            for street_name, cycles in STORY.items():
                self._station_story(street_name, cycles)
            self._dongli_lake()
            self._returned_brief_at_fengniancun()
            touch_districts([self.district.pk])  # reports were written in bulk, past the cache's receivers
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：{Station.objects.count()}个社工站，{ContractYear.objects.count()}个合同年度，"
                f"{SocialWorker.objects.count()}名社工，{Report.objects.count()}份报告。演示密码：{settings.DEMO_PASSWORD}"
            )
        )

    # -- organisations and people -------------------------------------------------------------
    def _contractors(self) -> dict[str, Contractor]:
        result = {}
        for key, (name, short, code, person) in CONTRACTORS.items():
            org, _ = Contractor.objects.get_or_create(
                credit_code=code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "legal_representative": person,
                    "registered_on": D(2016, 3, 18),
                    "address": f"天津市东丽区{short}路{len(key) * 7}号",
                    "contact_person": person,
                    "contact_phone": f"022-2{len(key)}38{len(name):04d}",
                },
            )
            for condition, evidence in [
                (
                    EligibilityCondition.REGISTRATION,
                    "民办非企业单位登记证书及章程（明确社会工作宗旨、范围和方式）",
                ),
                (EligibilityCondition.FINANCE, "近两年审计报告、纳税证明、办公场所租赁合同、专业人员名册"),
                (EligibilityCondition.STANDING, "信用中国查询记录、社会组织年检合格证明"),
            ]:
                record, created = EligibilityEvidence.objects.get_or_create(
                    contractor=org,
                    condition=condition,
                    verified_on=D(2021, 6, 20),
                    defaults={"evidence": evidence, "reference": f"{code}-{condition}"},
                )
                if created:
                    self._evidence_scan(record)
            result[key] = org
        return result

    def _evidence_scan(self, record: EligibilityEvidence) -> None:
        """The scan behind a verification (R-PROC-2): a one-page PDF standing in for the certificate."""
        content = b"%PDF-1.4\n% demo scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        document = EligibilityDocument(
            evidence=record,
            original_name=f"{record.get_condition_display()[:20]}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=EligibilityDocument.checksum(content),
        )
        document.file.save("scan.pdf", ContentFile(content), save=False)
        document.save()

    def _accounts(self) -> dict[str, User]:
        users = {}
        for username, (role, family, given, scope, key) in ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "last_name": family,
                    "first_name": given,
                    "email": f"{username}@example.org",
                },
            )
            if created or not user.check_password(settings.DEMO_PASSWORD):
                user.set_password(settings.DEMO_PASSWORD)
                user.save()
            unit = {"district": self.district, "street": self.streets.get(key)}.get(scope)
            if unit is not None and not unit.staff.filter(pk=user.pk).exists():
                unit.staff.add(user)
            if scope == "contractor":
                # The demo district's bureau links the organisation's account for its own district.
                ContractorStaff.objects.get_or_create(
                    contractor=self.contractors[key], district=self.district, user=user
                )
            users[username] = user
        return users

    def _annual_plans(self) -> None:
        for year in range(2021, 2028):
            approved = year <= 2026
            due = D(2021, 6, 15) if year == 2021 else D(year - 1, 12, 15)
            AnnualPlan.objects.get_or_create(
                district=self.district,
                year=year,
                defaults={
                    "title": f"东丽区{year}年度社工站项目实施计划",
                    "goals": f"{year}年度社工站建设与运行目标：按建设计划推进建站，巩固已建社工站服务质量。",
                    "measures": "落实街道服务场所；政府采购确定承接主体；区级指导中心开展培训督导和绩效评估。",
                    "timeline": "一季度完成采购准备；7月起签订年度合同；年中开展中期评估；年底开展绩效评价。",
                    "due_date": due,
                    "status": AnnualPlan.Status.APPROVED if approved else AnnualPlan.Status.DRAFT,
                    "submitted_at": at(due - datetime.timedelta(days=5)) if approved else None,
                    "submitted_by": self.users["bureau"] if approved else None,
                    "reviewed_at": at(due + datetime.timedelta(days=10)) if approved else None,
                    "review_comment": "同意。" if approved else "",
                },
            )

    def _trainings(self) -> dict[int, Training]:
        trainings = {}
        for year in range(2021, 2027):
            trainings[year], _ = Training.objects.get_or_create(
                district=self.district,
                title=f"{year}年度驻站社工岗前及继续教育培训",
                defaults={
                    "kind": Training.Kind.PRE_SERVICE if year == 2021 else Training.Kind.CONTINUING,
                    "held_on": D(year, 7, 20),
                    "hours": Decimal("16"),
                },
            )
        return trainings

    def _worker(self, key: str, org: Contractor, employed: datetime.date, *, qualified_on=None, level=None):
        # Each worker's made-up identity comes from their own seed, so a second run finds the same person.
        rng = random.Random(key)
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        female = rng.random() < 0.7
        born = D(rng.randrange(1985, 2000), rng.randrange(1, 13), rng.randrange(1, 28))
        number = id_number(rng, born, female)
        worker, _ = SocialWorker.objects.get_or_create(
            contractor=org,
            id_digest=digest(number),  # the number itself is encrypted: found by its digest
            defaults={
                "district": self.district,
                "id_number": number,
                "name": family + given,
                "gender": "F" if female else "M",
                "phone": f"13{rng.randrange(0, 10)}{rng.randrange(10000000, 99999999)}",
                "education": rng.choice(["本科", "本科", "大专", "硕士研究生"]),
                "major": rng.choice(["社会工作", "社会工作", "心理学", "社会学", "公共管理"]),
                "employed_on": employed - datetime.timedelta(days=30),
            },
        )
        if qualified_on is not None:
            Qualification.objects.get_or_create(
                worker=worker,
                level=level or Qualification.Level.ASSISTANT,
                defaults={"certificate_no": f"SW{qualified_on:%Y}{number[-8:]}", "obtained_on": qualified_on},
            )
        return worker

    # -- one station's history ----------------------------------------------------------------
    def _station_story(self, street_name: str, cycles: list[CycleStory]) -> None:
        station = self.stations[street_name]
        self._site_logs(station, cycles[0].start)
        workers_by_contractor: dict[str, list[tuple[SocialWorker, datetime.date]]] = {}
        for number, story in enumerate(cycles, start=1):
            org = self.contractors[story.contractor]
            procurement = self._procurement(station, story, number)
            planned_end = add_years(story.start, 3) - datetime.timedelta(days=1)
            last_year_end = add_years(story.start, len(story.signed_offsets)) - datetime.timedelta(days=1)
            ended = story.terminated_on or (last_year_end if story.failed_end else planned_end)
            cycle, _ = ProjectCycle.objects.get_or_create(
                procurement=procurement,
                defaults={
                    "station": station,
                    "contractor": org,
                    "start_date": story.start,
                    "planned_end_date": planned_end,
                    "end_date": ended,
                    "end_reason": ProjectCycle.EndReason.FAILED_EVALUATION
                    if story.failed_end
                    else (ProjectCycle.EndReason.TERMINATED if story.terminated_on else ""),
                    "end_note": story.end_note,
                },
            )
            years = []
            for index, offset in enumerate(story.signed_offsets):
                start = add_years(story.start, index)
                end = add_years(start, 1) - datetime.timedelta(days=1)
                year, _ = ContractYear.objects.get_or_create(
                    station=station,
                    start_date=start,
                    defaults={
                        "cycle": cycle,
                        "year_no": index + 1,
                        "planned_end_date": end,
                        "end_date": min(end, ended),
                        "amount": story.amount,
                        "signed_on": start + datetime.timedelta(days=offset),
                        "agreement_no": f"DLMZ-SGZ-{start:%Y}-{station.street_id:02d}",
                        "signed_by": self.users["bureau"],
                    },
                )
                for line, amount in split(story.amount, BUDGET_SHARES):
                    BudgetLine.objects.get_or_create(
                        contract_year=year, line=line, defaults={"amount": amount}
                    )
                for source, amount in split(story.amount, FUNDING_SHARES):
                    FundingAllocation.objects.get_or_create(
                        contract_year=year, source=source, defaults={"amount": amount}
                    )
                years.append(year)
            # Workers: a contractor that keeps the station keeps its workers into the next cycle.
            if story.contractor not in workers_by_contractor:
                posted = years[0].signed_on + datetime.timedelta(days=story.posted_after_signing)
                workers_by_contractor[story.contractor] = self._first_team(street_name, org, posted)
            self._postings(cycle, workers_by_contractor[story.contractor], street_name)
            self._evaluations_and_renewals(years, story, cycle)
            self._reports(years, story)
            self._service_records(station, years[-1])
        self._volunteers(station, street_name)
        self._supervision(station, workers_by_contractor)
        if street_name in ("张贵庄街道", "军粮城街道"):
            Donation.objects.get_or_create(
                station=station,
                donor="东丽区慈善协会",
                donated_on=D(2022, 3, 10),
                defaults={
                    "kind": Donation.Kind.EQUIPMENT,
                    "description": "电脑2台、打印机1台、档案柜2组",
                    "value": Decimal("18600.00"),
                },
            )

    def _procurement(self, station: Station, story: CycleStory, number: int) -> Procurement:
        notice = story.extra.get("notice", story.start - datetime.timedelta(days=60))
        return Procurement.objects.get_or_create(
            project_no=f"TJDL-{story.start:%Y}-SGZ-{station.street_id:02d}",
            defaults={
                "station": station,
                "purchaser": story.purchaser,
                "title": f"{station.name}社会工作服务项目（{story.start:%Y}—{story.start.year + 3}年）",
                "method": Procurement.Method.PUBLIC_TENDER
                if number % 2
                else Procurement.Method.COMPETITIVE_CONSULTATION,
                "budget_amount": Decimal("750000.00"),
                "notice_date": notice,
                "status": Procurement.Status.AWARDED,
                "award_date": story.extra.get("award", notice + datetime.timedelta(days=35)),
                "awarded_to": self.contractors[story.contractor],
                "agreement_signed_on": story.start + datetime.timedelta(days=story.signed_offsets[0]),
            },
        )[0]

    def _first_team(self, street_name: str, org: Contractor, posted: datetime.date):
        """The workers a contractor posts when it takes a station, and any who join later: (worker, posted on)."""
        qualified = D(posted.year - 1, 6, 20)
        key = f"{street_name}-{org.credit_code}"
        if street_name == "金桥街道":
            # No qualified resident worker now (R-STAFF-2); one of three past the two-year deadline (R-STAFF-3).
            left = self._worker(f"{key}-1", org, posted, qualified_on=qualified)
            if left.left_on is None:
                left.left_on = D(2025, 3, 31)
                left.save(update_fields=["left_on"])
            return [
                (left, posted),
                (self._worker(f"{key}-2", org, posted), posted),
                (self._worker(f"{key}-3", org, D(2025, 4, 7)), D(2025, 4, 7)),
                (self._worker(f"{key}-4", org, D(2026, 2, 16)), D(2026, 2, 16)),
            ]
        team = [
            (
                self._worker(
                    f"{key}-5", org, posted, qualified_on=qualified, level=Qualification.Level.SOCIAL_WORKER
                ),
                posted,
            ),
            (self._worker(f"{key}-6", org, posted, qualified_on=add_years(posted, 1)), posted),
        ]
        if street_name == "张贵庄街道":
            # A third worker who joined in 2025, after the cycle's deadline: already qualified (R-STAFF-3).
            team.append(
                (self._worker(f"{key}-7", org, D(2025, 1, 20), qualified_on=D(2024, 11, 15)), D(2025, 1, 20))
            )
        elif street_name == "军粮城街道" and org.short_name == "益家":
            # 益家 took the station on 2025-01-10: its third worker must qualify by 2027-01-10, within 90 days.
            team.append((self._worker(f"{key}-9", org, posted), posted))
        elif street_name not in ("万新街道", "华新街道"):
            team.append(
                (
                    self._worker(
                        f"{key}-8",
                        org,
                        posted,
                        qualified_on=add_years(posted, 1) + datetime.timedelta(days=40),
                    ),
                    posted,
                )
            )
        return team

    def _postings(self, cycle: ProjectCycle, team, street_name: str) -> None:
        for worker, posted in team:
            start = max(posted, cycle.start_date)
            if start > cycle.end_date or (worker.left_on and worker.left_on < cycle.start_date):
                continue
            end = worker.left_on if worker.left_on and worker.left_on <= cycle.end_date else None
            if end is None and cycle.end_date < STORY_DAY:
                end = cycle.end_date
            Posting.objects.get_or_create(
                worker=worker,
                cycle=cycle,
                defaults={
                    "start_date": start,
                    "end_date": end,
                    "is_full_time": True,
                    "has_labour_contract": True,
                },
            )
            TrainingRecord.objects.get_or_create(
                training=self.training[max(2021, min(2026, start.year))],
                worker=worker,
                defaults={"passed": True},
            )

    def _evaluations_and_renewals(
        self, years: list[ContractYear], story: CycleStory, cycle: ProjectCycle
    ) -> None:
        street_user = self.street_user(cycle.station)
        grades = list(story.grades)
        if story.current_midterm and len(years) > len(grades):
            grades.append((story.current_midterm, None))  # the current year: its mid-term is done
        for index, year in enumerate(years):
            if index >= len(grades):
                break  # the current year: not yet evaluated
            for kind, grade in zip(
                (Evaluation.Kind.MIDTERM, Evaluation.Kind.FINAL), grades[index], strict=True
            ):
                if grade is None:
                    continue
                due = (
                    midterm_evaluation_due(year.start_date)
                    if kind == Evaluation.Kind.MIDTERM
                    else final_evaluation_due(year.planned_end_date)
                )
                held = due - datetime.timedelta(days=20)
                last_final = index == len(story.grades) - 1 and kind == Evaluation.Kind.FINAL
                pending = story.pending_bureau_signature and last_final
                unreported = pending or (story.unreported and last_final)
                evaluation, created = Evaluation.objects.get_or_create(
                    contract_year=year,
                    kind=kind,
                    defaults={
                        "due_date": due,
                        "held_on": held,
                        "graded_on": held,
                        "evaluator": "东丽区社会工作指导中心",
                        "total_score": GRADE_SCORE[grade],
                        "grade": grade,
                        "summary": "服务按计划推进。"
                        if grade != G.FAIL
                        else "服务量不足、档案不全，年度评估不合格。",
                        "street_signed_by": street_user,
                        "street_signed_at": at(held + datetime.timedelta(days=3)),
                        "bureau_signed_by": None if pending else self.users["bureau"],
                        "bureau_signed_at": None if pending else at(held + datetime.timedelta(days=5)),
                        "reported_to_municipal_on": None
                        if unreported
                        else held + datetime.timedelta(days=10),
                        "reported_by": None if unreported else self.users["bureau"],
                        "reported_at": None if unreported else at(held + datetime.timedelta(days=10)),
                    },
                )
                if created:
                    self._scores(evaluation)
                if kind == Evaluation.Kind.FINAL and not pending:
                    next_year = years[index + 1] if index + 1 < len(years) else None
                    if next_year is None and not story.failed_end:
                        continue  # the cycle's last year: the next cycle comes from a new procurement
                    Renewal.objects.get_or_create(
                        contract_year=year,
                        defaults={
                            "evaluation": evaluation,
                            "decision": Renewal.Decision.END if grade == G.FAIL else Renewal.Decision.RENEW,
                            "decided_on": held + datetime.timedelta(days=6),
                            "decided_by": self.users["bureau"],
                            "next_year": next_year if grade != G.FAIL else None,
                            "note": "评估不合格，不再续签，按政府购买服务程序重新确定承接主体。"
                            if grade == G.FAIL
                            else "",
                        },
                    )

    def _scores(self, evaluation: Evaluation) -> None:
        ratio = evaluation.total_score / Decimal("100")
        _sheet_year, sheet = scoring_sheet(sheet_year_of(evaluation.contract_year.start_date))
        for item, maximum in sheet:
            EvaluationScore.objects.create(
                evaluation=evaluation,
                item=item,
                max_score=maximum,
                score=(maximum * ratio).quantize(Decimal("0.1")),
            )

    def street_user(self, station: Station):
        return station.street.staff.first() or self.users["bureau"]

    def _reports(self, years: list[ContractYear], story: CycleStory) -> None:
        """Service plans, monthly briefs, mid-term and final reports up to the story's day, most on time."""
        station = years[0].station
        bureau = self.users["bureau"]
        membership = self.contractors[story.contractor].memberships.select_related("user").first()
        org_user = membership.user if membership else None
        reports, figures, reviews = [], [], []
        existing = set(
            Report.objects.filter(contract_year__in=years).values_list("contract_year_id", "kind", "period")
        )
        for year in years:
            due_items = [(Report.Kind.SERVICE_PLAN, None, service_plan_due(year.start_date))]
            last_month = min(year.end_date, STORY_DAY)
            due_items += [
                (Report.Kind.MONTHLY, m, brief_due(m)) for m in months_between(year.start_date, last_month)
            ]
            due_items += [
                (Report.Kind.MIDTERM, None, midterm_report_due(year.start_date)),
                (Report.Kind.FINAL, None, final_report_due(year.planned_end_date)),
            ]
            for kind, period, due in due_items:
                if (year.id, kind, period) in existing:
                    continue
                if year.end_date < year.planned_end_date and due > year.end_date:
                    continue  # ended early: nothing falls due after its last day (R-CYCLE-3)
                if due > STORY_DAY + datetime.timedelta(days=40):
                    continue  # not yet begun
                submitted = due - datetime.timedelta(days=self.rng.randrange(0, 4))
                status = Report.Status.ACCEPTED
                if due >= STORY_DAY:
                    status = Report.Status.DRAFT  # being written now
                elif station.street.name == "新立街道" and period == D(2026, 10, 1):
                    continue  # R-REP-1: the October 2026 brief is overdue, not even drafted
                elif due > STORY_DAY - datetime.timedelta(days=25):
                    status = Report.Status.SUBMITTED  # waiting for the bureau's review
                late = self.rng.random() < 0.04 and status != Report.Status.DRAFT
                if late:
                    submitted = due + datetime.timedelta(days=self.rng.randrange(1, 6))
                people = self.rng.randrange(60, 240)
                report = Report(
                    contract_year=year,
                    kind=kind,
                    period=period,
                    due_date=due,
                    status=status,
                    submitted_at=None if status == Report.Status.DRAFT else at(submitted, 16),
                    submitted_by=None if status == Report.Status.DRAFT else org_user,
                    people_served=people,
                    volunteer_hours=Decimal(self.rng.randrange(20, 120)),
                    news_posts=self.rng.randrange(1, 6),
                    highlights="开展困难群众走访和社区活动，服务对象满意度较高。",
                    problems="部分社区居民参与度有待提高。",
                    next_plan="继续开展需求调研，完善个案管理和志愿者队伍建设。",
                    experience_summary="形成“社工+志愿者”联动服务模式。" if kind == Report.Kind.FINAL else "",
                )
                reports.append(report)
        for report in reports:
            report.people_served = 0  # the total of its figures table, added up below (R-SVC-1)
            if report.kind in (Report.Kind.MONTHLY, Report.Kind.MIDTERM, Report.Kind.FINAL):
                scale = 1 if report.kind == Report.Kind.MONTHLY else 6
                for area in ServiceArea.values:
                    for kind in ServiceKind.values:
                        if self.rng.random() < 0.5:
                            sessions = self.rng.randrange(1, 5) * scale
                            figures.append(
                                ReportFigure(
                                    report=report,
                                    area=area,
                                    kind=kind,
                                    sessions=sessions,
                                    people=sessions * self.rng.randrange(1, 15),
                                )
                            )
                            report.people_served += figures[-1].people
            if report.status == Report.Status.ACCEPTED:
                reviews.append(
                    ReportReview(
                        report=report,
                        decision=ReportReview.Decision.ACCEPTED,
                        comment="",
                        reviewed_by=bureau,
                        reviewed_at=report.submitted_at + datetime.timedelta(days=3),
                    )
                )
        # With their "created" history rows, so that later changes show as differences.
        bulk_create_with_history(reports, Report, default_user=org_user)
        for figure in figures:
            figure.report_id = figure.report.pk
        for review in reviews:
            review.report_id = review.report.pk
        ReportFigure.objects.bulk_create(figures)
        ReportReview.objects.bulk_create(reviews)

    def _returned_brief_at_fengniancun(self) -> None:
        """丰年村: org-b's October 2026 brief was returned by the bureau and waits for correction (R-REP-3)."""
        brief = Report.objects.filter(
            contract_year__station__street__name="丰年村街道", kind=Report.Kind.MONTHLY, period=D(2026, 10, 1)
        ).first()
        if brief is None or brief.status == Report.Status.RETURNED:
            return
        brief.status = Report.Status.RETURNED
        brief.save(update_fields=["status"])
        ReportReview.objects.filter(report=brief).delete()
        ReportReview.objects.create(
            report=brief,
            decision=ReportReview.Decision.RETURNED,
            reviewed_by=self.users["bureau"],
            reviewed_at=at(D(2026, 11, 7), 15),
            comment="服务数据与个案记录不一致，请核对个案人次并补充活动照片后重新提交。",
        )

    def _service_records(self, station: Station, year: ContractYear) -> None:
        if year.end_date < STORY_DAY or ServiceRecord.objects.filter(contract_year=year).exists():
            return
        topics = [
            (
                ServiceKind.CASE,
                ServiceArea.SOCIAL_ASSISTANCE,
                ServiceMethod.CARE,
                "低保家庭入户探访与个案跟进",
                1,
            ),
            (ServiceKind.GROUP, ServiceArea.ELDERLY, ServiceMethod.SUPPORT_NETWORK, "独居老人互助小组", 8),
            (
                ServiceKind.COMMUNITY,
                ServiceArea.CHILDREN,
                ServiceMethod.RESOURCES,
                "“四点半课堂”暑期托管",
                25,
            ),
            (
                ServiceKind.COMMUNITY,
                ServiceArea.COMMUNITY_GOVERNANCE,
                ServiceMethod.MEDIATION,
                "楼门议事会",
                18,
            ),
            (ServiceKind.CASE, ServiceArea.CHILDREN, ServiceMethod.COUNSELLING, "困境儿童心理疏导", 1),
        ]
        for index, (kind, area, method, title, participants) in enumerate(topics):
            held = D(2026, 9 + index % 3, 3 + index * 5)
            if held < year.start_date:
                continue
            is_case = kind == ServiceKind.CASE
            ServiceRecord.objects.create(
                station=station,
                contract_year=year,
                kind=kind,
                area=area,
                method=method,
                held_on=held,
                title=title,
                participants=participants,
                client_name=f"{self.rng.choice(FAMILY)}某某" if is_case else "",
                client_id_number=id_number(self.rng, D(1950 + index, 3, 9), True) if is_case else "",
                description="按服务计划开展，记录存档。",
            )

    def _volunteers(self, station: Station, street_name: str) -> None:
        if Volunteer.objects.filter(station=station).exists():
            return
        staff = self.users["org-a"] if street_name == "无瑕街道" else None
        for index in range(3):
            volunteer = Volunteer.objects.create(
                station=station,
                name=self.rng.choice(FAMILY) + self.rng.choice(GIVEN),
                phone=f"139{self.rng.randrange(10000000, 99999999)}",
                team=f"{street_name[:-2]}社区志愿服务队",
                skills=["理发、家电维修", "陪伴老人、读报", "课业辅导"][index],
                registered_on=D(2025, 3, 5 + index),
            )
            for week in range(4):
                served = D(2026, 10, 4 + week * 7)
                verified = street_name != "无瑕街道" or week < 2
                # Entered at the station by its staff, or by the volunteer through the link (the ones waiting
                # for verification); nobody confirms hours they typed themselves (four eyes, R-SVC-2).
                by_station = week % 2 == 0 and verified
                VolunteerHours.objects.create(
                    volunteer=volunteer,
                    served_on=served,
                    start_time=datetime.time(9, 0),
                    end_time=datetime.time(11, 30),
                    hours=Decimal("2.5"),
                    activity="社区敬老服务",
                    entered_via=VolunteerHours.EnteredVia.STATION
                    if by_station
                    else VolunteerHours.EnteredVia.VOLUNTEER,
                    entered_by=staff if by_station else None,
                    status=VolunteerHours.Status.VERIFIED if verified else VolunteerHours.Status.PENDING,
                    verified_by=(self.users["bureau"] if by_station else (staff or self.users["bureau"]))
                    if verified
                    else None,
                    verified_at=at(served + datetime.timedelta(days=2)) if verified else None,
                )
            VolunteerInsurance.objects.create(
                volunteer=volunteer,
                insurer="中国人寿天津分公司",
                policy_no=f"ZYZ2026{station.pk:02d}{index:03d}",
                start_date=D(2026, 1, 1),
                end_date=D(2026, 12, 31),
            )
            if index == 0:
                VolunteerIncentive.objects.create(
                    volunteer=volunteer,
                    kind=VolunteerIncentive.Kind.STAR_RATING,
                    awarded_on=D(2026, 3, 5),
                    description="年度三星志愿者",
                )

    def _supervision(self, station: Station, teams) -> None:
        if SupervisionSession.objects.filter(station=station).exists():
            return
        for month in (3, 6, 9):
            session = SupervisionSession.objects.create(
                station=station,
                held_on=D(2026, month, 18),
                supervisor="东丽区社会工作指导中心 督导组",
                topic=["个案管理与记录规范", "小组工作设计", "社区需求评估"][month // 3 - 1],
                hours=Decimal("3"),
            )
            current = [w for team in teams.values() for w, _ in team if not w.left_on]
            session.workers.set(current[-3:])

    def _site_logs(self, station: Station, start: datetime.date) -> None:
        street = station.street.name
        complete = dict.fromkeys(SiteConditionLog.REQUIRED_EQUIPMENT + SiteConditionLog.SYSTEMS, True)
        # The latest check was in June 2026: the half-yearly re-check falls due in December.
        for logged_on in (start - datetime.timedelta(days=10), D(2026, 6, 10)):
            values = {
                **complete,
                "has_case_room": True,
                "has_group_room": True,
                "sign_installed": True,
                "catalogue_posted": True,
            }
            if street == "军粮城街道":
                values["has_group_room"] = False  # optional room: not a finding
            SiteConditionLog.objects.get_or_create(
                station=station,
                logged_on=logged_on,
                defaults={**values, "logged_by": self.street_user(station), "notes": "现场检查。"},
            )

    def _dongli_lake(self) -> None:
        """东丽湖: behind its 2023 plan year; a procurement opened in October 2026 is not yet awarded."""
        station = self.stations["东丽湖街道"]
        Procurement.objects.get_or_create(
            project_no="TJDL-2026-SGZ-11",
            defaults={
                "station": station,
                "purchaser": Procurement.Purchaser.BUREAU,
                "title": f"{station.name}社会工作服务项目（2027—2030年）",
                "method": Procurement.Method.PUBLIC_TENDER,
                "budget_amount": Decimal("750000.00"),
                "notice_date": D(2026, 10, 15),
                "status": Procurement.Status.OPEN,
            },
        )
