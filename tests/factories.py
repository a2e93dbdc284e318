"""factory_boy builders for a small world beside the demo data: a district, a street, a station and its contract."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role, User
from contracts.models import Contractor, ContractYear, Procurement, ProjectCycle
from staffing.models import Posting, SocialWorker
from stations.models import District, Station, Street


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.BUREAU
    password_changed_at = factory.LazyFunction(timezone.now)  # a fresh password: no forced change


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"测试{n}区")
    code = factory.Sequence(lambda n: f"9{n:05d}")
    city = "测试市"
    bureau_name = factory.LazyAttribute(lambda d: f"{d.name}民政局")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}街道")
    office_name = factory.LazyAttribute(lambda s: f"{s.name}办事处")
    planned_year = 2024


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    street = factory.SubFactory(StreetFactory)
    name = factory.LazyAttribute(lambda s: f"{s.street.name}社会工作服务站")


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contractor

    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    credit_code = factory.Sequence(lambda n: f"5212{n:014d}")
    legal_representative = "测试"
    registered_on = datetime.date(2018, 1, 1)
    address = "测试路1号"
    contact_person = "测试"
    contact_phone = "022-00000000"


class ProcurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procurement

    station = factory.SubFactory(StationFactory)
    purchaser = Procurement.Purchaser.BUREAU
    title = factory.LazyAttribute(lambda p: f"{p.station.name}项目")
    project_no = factory.Sequence(lambda n: f"TEST-{n:06d}")
    method = Procurement.Method.PUBLIC_TENDER
    budget_amount = Decimal("750000.00")
    notice_date = datetime.date(2024, 5, 1)
    status = Procurement.Status.AWARDED
    award_date = datetime.date(2024, 6, 5)
    awarded_to = factory.SubFactory(ContractorFactory)


class ProjectCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCycle

    procurement = factory.SubFactory(ProcurementFactory)
    station = factory.LazyAttribute(lambda c: c.procurement.station)
    contractor = factory.LazyAttribute(lambda c: c.procurement.awarded_to)
    start_date = datetime.date(2024, 7, 1)
    planned_end_date = datetime.date(2027, 6, 30)
    end_date = datetime.date(2027, 6, 30)


class ContractYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractYear

    cycle = factory.SubFactory(ProjectCycleFactory)
    station = factory.LazyAttribute(lambda y: y.cycle.station)
    year_no = 1
    start_date = datetime.date(2024, 7, 1)
    end_date = datetime.date(2025, 6, 30)
    planned_end_date = factory.LazyAttribute(lambda y: y.end_date)
    amount = Decimal("250000.00")
    signed_on = datetime.date(2024, 7, 1)


class SocialWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialWorker

    contractor = factory.SubFactory(ContractorFactory)
    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"社工{n}")
    gender = SocialWorker.Gender.FEMALE
    id_number = factory.Sequence(lambda n: f"12011019900101{n:04d}")
    phone = "13800000000"
    employed_on = datetime.date(2024, 6, 1)


class PostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posting

    cycle = factory.SubFactory(ProjectCycleFactory)
    worker = factory.SubFactory(
        SocialWorkerFactory,
        contractor=factory.SelfAttribute("..cycle.contractor"),
        district=factory.SelfAttribute("..cycle.station.street.district"),
    )
    start_date = datetime.date(2024, 7, 10)


def scan(name: str = "scan.pdf"):
    """A small PDF standing in for a scanned certificate (R-PROC-2 evidence carries a document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% scan\n%%EOF\n", content_type="application/pdf")
