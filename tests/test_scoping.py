"""Each role's visible_to shows exactly its scope, for every model family.

The expected sets are written here independently of the querysets, from the policy's sense of who
may see what (design.md, "Who uses it"), and compared with visible_to for every demo account on the
demo story, with a second district beside it that Dongli's bureau must never see.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from contracts.models import Contractor, ContractorStaff
from core.scoping import ScopedQuerySet
from reports.models import Report, ReportFigure, ServiceRecord
from staffing.models import Posting, SocialWorker, Volunteer
from stations.models import District, Station, Street
from tests.factories import ContractYearFactory, PostingFactory, UserFactory

TODAY = datetime.date(2026, 11, 28)

# How each model reaches its station (None: not tied to one station) and the contractor whose own
# data it is (None: the contractor sees it only through the stations it holds now).
PATHS = {
    "stations.District": (None, None),
    "stations.RolloutPlan": (None, None),
    "stations.Street": (None, None),
    "stations.Station": ("", None),
    "stations.AnnualPlan": (None, None),
    "stations.SiteConditionLog": ("station", None),
    "stations.SiteConditionPhoto": ("log__station", None),
    "stations.Donation": ("station", None),
    "contracts.Contractor": (None, ""),
    "contracts.ContractorStaff": (None, "contractor"),
    "contracts.EligibilityEvidence": (None, "contractor"),
    "contracts.Procurement": ("station", "awarded_to"),
    "contracts.ProjectCycle": ("station", "contractor"),
    "contracts.ContractYear": ("station", "cycle__contractor"),
    "contracts.BudgetLine": ("contract_year__station", "contract_year__cycle__contractor"),
    "contracts.FundingAllocation": ("contract_year__station", "contract_year__cycle__contractor"),
    "staffing.SocialWorker": (None, "contractor"),
    "staffing.Qualification": (None, "worker__contractor"),
    "staffing.Posting": ("cycle__station", "cycle__contractor"),
    "staffing.Training": (None, None),
    "staffing.TrainingRecord": (None, "worker__contractor"),
    "staffing.SupervisionSession": ("station", None),
    "staffing.Volunteer": ("station", None),
    "staffing.VolunteerHours": ("volunteer__station", None),
    "staffing.VolunteerIncentive": ("volunteer__station", None),
    "staffing.VolunteerInsurance": ("volunteer__station", None),
    "contracts.EligibilityDocument": (None, "evidence__contractor"),
    "evaluations.Evaluation": ("contract_year__station", "contract_year__cycle__contractor"),
    "evaluations.EvaluationScore": (
        "evaluation__contract_year__station",
        "evaluation__contract_year__cycle__contractor",
    ),
    "evaluations.Renewal": ("contract_year__station", "contract_year__cycle__contractor"),
    "reports.Report": ("contract_year__station", "contract_year__cycle__contractor"),
    "reports.MonthlyBrief": ("contract_year__station", "contract_year__cycle__contractor"),
    "reports.MidTermReport": ("contract_year__station", "contract_year__cycle__contractor"),
    "reports.FinalReport": ("contract_year__station", "contract_year__cycle__contractor"),
    "reports.ReportFigure": ("report__contract_year__station", "report__contract_year__cycle__contractor"),
    "reports.ReportReview": ("report__contract_year__station", "report__contract_year__cycle__contractor"),
    "reports.ReportAttachment": (
        "report__contract_year__station",
        "report__contract_year__cycle__contractor",
    ),
    "reports.ServiceRecord": ("station", "contract_year__cycle__contractor"),
    "reports.ServiceRecordPhoto": ("record__station", "record__contract_year__cycle__contractor"),
}
# What the municipal bureau does not read: personal data and the contractors' reports.
MUNICIPAL_NEVER = {
    "staffing.SocialWorker",
    "staffing.Qualification",
    "staffing.Posting",
    "staffing.TrainingRecord",
    "staffing.SupervisionSession",
    "staffing.Volunteer",
    "staffing.VolunteerHours",
    "staffing.VolunteerIncentive",
    "staffing.VolunteerInsurance",
    "reports.Report",
    "reports.MonthlyBrief",
    "reports.MidTermReport",
    "reports.FinalReport",
    "reports.ReportFigure",
    "reports.ReportReview",
    "reports.ReportAttachment",
    "reports.ServiceRecord",
    "reports.ServiceRecordPhoto",
}
# Where a contractor's own row lies (its district): a contractor's account opens its organisation's rows only in the
# districts whose bureau linked it (contracts.ContractorStaff). None: the organisation's own, in every district.
WORKER_DISTRICT = {
    "staffing.SocialWorker": "district",
    "staffing.Qualification": "worker__district",
    "staffing.TrainingRecord": "worker__district",
    "contracts.ContractorStaff": "district",
}


def district_path(name: str) -> str | None:
    if name in WORKER_DISTRICT:
        return WORKER_DISTRICT[name]
    station_path = PATHS[name][0]
    if station_path is None:
        return None
    return f"{station_path}__street__district" if station_path else "street__district"


REPORT_MODELS = {"reports.Report", "reports.MonthlyBrief", "reports.MidTermReport", "reports.FinalReport"}
REPORT_CHILDREN = {"reports.ReportFigure", "reports.ReportReview", "reports.ReportAttachment"}


def scoped_models():
    return [m for m in apps.get_models() if isinstance(m.objects.all(), ScopedQuerySet)]


def label(model) -> str:
    return model._meta.label


def _not_draft(model, queryset):
    if label(model) in REPORT_MODELS:
        return queryset.exclude(status=Report.Status.DRAFT)
    if label(model) in REPORT_CHILDREN:
        return queryset.exclude(report__status=Report.Status.DRAFT)
    return queryset


def expected_for_bureau(model, district):
    """Everything of the bureau's own district (drafts of reports excepted); every contractor."""
    name = label(model)
    qs = model.objects.all()
    station_path, _ = PATHS[name]
    if name == "contracts.Contractor":
        return qs
    if name in ("contracts.EligibilityEvidence", "contracts.EligibilityDocument"):
        return qs
    if name == "stations.District":
        return qs.filter(pk=district.pk)
    if name in ("stations.RolloutPlan", "stations.AnnualPlan", "stations.Street", "staffing.Training"):
        return qs.filter(district=district)
    if name == "contracts.ContractorStaff":
        return qs.filter(district=district)
    if name in ("staffing.SocialWorker", "staffing.Qualification", "staffing.TrainingRecord"):
        worker = {
            "staffing.SocialWorker": "pk",
            "staffing.Qualification": "worker",
            "staffing.TrainingRecord": "worker",
        }[name]
        posted = Posting.objects.filter(cycle__station__street__district=district).values("worker")
        registered = SocialWorker.objects.filter(district=district).values("pk")
        return qs.filter(Q(**{f"{worker}__in": posted}) | Q(**{f"{worker}__in": registered}))
    prefix = f"{station_path}__" if station_path else ""
    return _not_draft(model, qs.filter(**{f"{prefix}street__district": district}))


def expected_for_street(model, street):
    name = label(model)
    qs = model.objects.all()
    station_path, _ = PATHS[name]
    if name in ("stations.District", "stations.RolloutPlan", "staffing.Training"):
        key = "pk" if name == "stations.District" else "district"
        return qs.filter(**{key: street.district_id})
    if name == "stations.Street":
        return qs.filter(pk=street.pk)
    if name == "stations.AnnualPlan":
        return qs.none()
    if name == "contracts.EligibilityDocument":
        return qs.none()  # whether a condition is met, not the papers
    if name in ("contracts.Contractor", "contracts.EligibilityEvidence"):
        key = "pk" if name == "contracts.Contractor" else "contractor"
        return qs.filter(**{f"{key}__in": street.stations.values("cycles__contractor")})
    if name == "contracts.ContractorStaff":
        return qs.none()
    if name in ("staffing.SocialWorker", "staffing.Qualification", "staffing.TrainingRecord"):
        key = "pk" if name == "staffing.SocialWorker" else "worker"
        return qs.filter(
            **{f"{key}__in": Posting.objects.filter(cycle__station__street=street).values("worker")}
        )
    prefix = f"{station_path}__" if station_path else ""
    return _not_draft(model, qs.filter(**{f"{prefix}street": street}))


def expected_for_contractor(model, org, user):
    """The organisation's own rows in the districts that linked `user` to it; what it holds now there."""
    name = label(model)
    qs = model.objects.all()
    station_path, own_path = PATHS[name]
    districts = ContractorStaff.objects.filter(user=user, contractor=org).values("district")
    held = Station.objects.filter(
        cycles__contractor=org,
        cycles__start_date__lte=TODAY,
        cycles__end_date__gte=TODAY,
        street__district__in=districts,
    )
    if name == "staffing.Training":
        return qs.filter(records__worker__contractor=org, records__worker__district__in=districts).distinct()
    if name == "contracts.ContractorStaff":
        return qs.filter(user=user)
    if own_path is not None:
        qs = qs.filter(**{own_path or "pk": org.pk})
        where = district_path(name)
        return qs.filter(**{f"{where}__in": districts}) if where else qs
    if station_path is not None:
        return qs.filter(**{f"{station_path or 'pk'}__in": held.values("pk")})
    return qs.none()


def expected_for_municipal(model):
    name = label(model)
    if name in MUNICIPAL_NEVER:
        return model.objects.none()
    if name == "stations.AnnualPlan":
        return model.objects.exclude(status="draft")
    if name == "contracts.ContractorStaff":
        return model.objects.none()
    if name in ("contracts.EligibilityDocument",):
        return model.objects.none()  # the scans behind a verification are the district bureau's
    if name == "evaluations.Evaluation":  # R-EVAL-1: the results reported to it
        return model.objects.filter(reported_at__isnull=False)
    if name == "evaluations.EvaluationScore":
        return model.objects.filter(evaluation__reported_at__isnull=False)
    return model.objects.all()


@pytest.fixture
def other_district(db):
    """A second district with its own station, contract year, worker and submitted report, the station held by
    org-a's organisation — whose demo account the Dongli bureau linked for Dongli only, so that it must see
    nothing of this district."""
    org_a = Contractor.objects.get(name="东丽区启航社会工作服务中心")
    year = ContractYearFactory(
        cycle__contractor=org_a,
        cycle__procurement__awarded_to=org_a,
        cycle__start_date=datetime.date(2026, 7, 1),
        cycle__planned_end_date=datetime.date(2029, 6, 30),
        cycle__end_date=datetime.date(2029, 6, 30),
        start_date=datetime.date(2026, 7, 1),
        end_date=datetime.date(2027, 6, 30),
        signed_on=datetime.date(2026, 7, 1),
    )
    PostingFactory(cycle=year.cycle, start_date=datetime.date(2026, 7, 10))
    Report.objects.create(
        contract_year=year,
        kind="monthly",
        period=datetime.date(2026, 8, 1),
        due_date=datetime.date(2026, 9, 5),
        status="submitted",
        submitted_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
    )
    Volunteer.objects.create(
        station=year.station, name="外区志愿者", phone="1", registered_on=datetime.date(2024, 8, 1)
    )
    return year.station.street.district


def test_every_scoped_model_has_a_row_in_the_table():
    # The audit log, export jobs and the read API's tombstones are not a station's: each has its own test below.
    assert {label(m) for m in scoped_models()} == set(PATHS) | {
        "audit.AuditEvent",
        "documents.ExportJob",
        "api.Tombstone",
    }


@pytest.mark.django_db
def test_a_deletion_is_heard_by_whoever_saw_the_record(demo_users, other_district):
    from api.models import Tombstone

    dongli = District.objects.get(code="120110")
    Tombstone.objects.create(resource="stations", object_id=1, district=dongli)
    Tombstone.objects.create(resource="stations", object_id=2, district=other_district)
    for username, user in demo_users.items():
        seen = set(Tombstone.objects.visible_to(user).values_list("object_id", flat=True))
        expected = {"bureau": {1}, "municipal": {1, 2}}.get(username, set())
        assert seen == expected, username


@pytest.mark.django_db
def test_an_export_job_is_seen_by_its_asker_alone(demo_users):
    import datetime

    from documents.models import ExportJob

    for username in ("bureau", "municipal"):
        ExportJob.objects.create(
            kind="rollout-xlsx",
            requested_by=demo_users[username],
            as_of=datetime.date(2026, 11, 28),
            key=username,
        )
    for username, user in demo_users.items():
        seen = set(ExportJob.objects.visible_to(user).values_list("requested_by__username", flat=True))
        assert seen == ({username} if username in ("bureau", "municipal") else set()), username


@pytest.mark.django_db
def test_the_audit_log_is_read_by_the_auditor_alone(demo_users):
    from audit.models import AuditEvent

    AuditEvent.objects.create(action="login", username="bureau")
    assert AuditEvent.objects.visible_to(demo_users["auditor"]).count() == AuditEvent.objects.count()
    for username in ("bureau", "admin", "municipal", "zhangguizhuang", "org-a"):
        assert not AuditEvent.objects.visible_to(demo_users[username]).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize("model_label", sorted(PATHS))
def test_visible_to_matches_each_roles_scope(model_label, demo_users, other_district):
    model = apps.get_model(model_label)
    dongli = District.objects.get(code="120110")

    def ids(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert ids(model.objects.visible_to(demo_users["bureau"])) == ids(expected_for_bureau(model, dongli))
    for username, street_name in [("zhangguizhuang", "张贵庄街道"), ("fengniancun", "丰年村街道")]:
        street = Street.objects.get(name=street_name)
        assert ids(model.objects.visible_to(demo_users[username])) == ids(expected_for_street(model, street))
    for username, org_name in [
        ("org-a", "东丽区启航社会工作服务中心"),
        ("org-b", "天津市同心社会工作服务社"),
    ]:
        org = Contractor.objects.get(name=org_name)
        assert ids(model.objects.visible_to(demo_users[username])) == ids(
            expected_for_contractor(model, org, demo_users[username])
        )
    assert ids(model.objects.visible_to(demo_users["municipal"])) == ids(expected_for_municipal(model))
    for nobody in (demo_users["admin"], demo_users["auditor"], AnonymousUser(), None):
        assert not model.objects.visible_to(nobody).exists()
    inactive = UserFactory(username="gone", role="bureau", is_active=False)
    dongli.staff.add(inactive)
    assert not model.objects.visible_to(inactive).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
class TestTheStory:
    """The scope rules the demo story was written to show."""

    def test_org_a_and_org_b_hold_different_stations(self, demo_users):
        a = set(Station.objects.visible_to(demo_users["org-a"]).values_list("street__name", flat=True))
        b = set(Station.objects.visible_to(demo_users["org-b"]).values_list("street__name", flat=True))
        assert a == {"张贵庄街道", "新立街道", "无瑕街道"}
        assert b == {"丰年村街道", "万新街道", "金钟街道"}

    def test_old_holder_keeps_its_own_reports_and_sees_none_of_the_new_holders(self, demo_users):
        old = Report.objects.visible_to(demo_users["org-a"]).filter(
            contract_year__station__street__name="丰年村街道"
        )
        assert old.exists()
        assert set(old.values_list("contract_year__cycle__contractor__short_name", flat=True)) == {"启航"}
        new = Report.objects.visible_to(demo_users["org-b"]).filter(
            contract_year__station__street__name="丰年村街道"
        )
        assert set(new.values_list("contract_year__cycle__contractor__short_name", flat=True)) == {"同心"}

    def test_street_sees_only_its_stations_submitted_reports(self, demo_users):
        reports = Report.objects.visible_to(demo_users["zhangguizhuang"])
        assert set(reports.values_list("contract_year__station__street__name", flat=True)) == {"张贵庄街道"}
        assert not reports.filter(status=Report.Status.DRAFT).exists()
        assert ReportFigure.objects.visible_to(demo_users["zhangguizhuang"]).exists()

    def test_bureau_never_sees_another_districts_records(self, demo_users, other_district):
        bureau = demo_users["bureau"]
        assert not Station.objects.visible_to(bureau).filter(street__district=other_district).exists()
        assert (
            not Report.objects.visible_to(bureau)
            .filter(contract_year__station__street__district=other_district)
            .exists()
        )

    def test_contractor_service_records_are_its_own(self, demo_users):
        records = ServiceRecord.objects.visible_to(demo_users["org-b"])
        assert records.exists()
        assert set(records.values_list("contract_year__cycle__contractor__short_name", flat=True)) == {"同心"}
