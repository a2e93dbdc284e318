"""Load the district, its 11 streets and stations as the annex schedules them, and the policy parameters.

Idempotent: running it again changes nothing that is already right and adds nothing twice.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.models import DEFAULTS_DOCUMENT, PARAMETER_DEFAULTS, PARAMETERS_VALID_FROM, PolicyParameter
from stations import annex
from stations.models import District, RolloutPlan, Station, Street


def upsert(model, lookup: dict, values: dict):
    """Find the row by its natural key; create it, or correct the fields that differ (and only then save)."""
    row, created = model.objects.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not created and changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


class Command(BaseCommand):
    help = "载入东丽区、11个街道的建设计划和政策参数（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options):
        district = upsert(District, {"code": annex.DISTRICT["code"]}, annex.DISTRICT)
        upsert(RolloutPlan, {"district": district}, annex.PLAN)
        for street_name, year in annex.STREETS:
            street = upsert(
                Street,
                {"district": district, "name": street_name},
                {"planned_year": year, "office_name": f"{street_name}办事处"},
            )
            Station.objects.get_or_create(street=street, defaults={"name": annex.station_name(street_name)})
        for key, (value, _rule) in PARAMETER_DEFAULTS.items():
            # Only the policy's own default is loaded; a value the bureau set later is left alone.
            PolicyParameter.objects.get_or_create(
                key=key,
                valid_from=PARAMETERS_VALID_FROM,
                defaults={
                    "value": value,
                    "document_no": str(DEFAULTS_DOCUMENT),
                    "note": "实施方案规定的默认值",
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{district.name}：{district.streets.count()}个街道，{Station.objects.filter(street__district=district).count()}个社工站，"
                f"{PolicyParameter.objects.count()}项政策参数。"
            )
        )
