"""python manage.py export_rollout --format xlsx -o rollout.xlsx [--district 东丽区] [--date 2026-11-28]"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from documents.reports import rollout_pdf
from documents.rollout import write_rollout_workbook
from stations.models import Station


class Command(BaseCommand):
    help = "导出社工站建设进展：Excel工作簿（xlsx）或PDF报告。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="xlsx")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径")
        parser.add_argument("--district", help="只导出该区（默认全部）")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="截至日期（默认今天）")

    def handle(self, *args, format, output, district, date, **options):
        stations = Station.objects.all()
        if district:
            stations = stations.filter(street__district__name=district)
            if not stations.exists():
                raise CommandError(f"没有找到“{district}”的社工站。")
        if format == "xlsx":
            write_rollout_workbook(stations, output, date)
        else:
            with open(output, "wb") as handle:
                handle.write(rollout_pdf(stations, date))
        self.stdout.write(f"已导出：{output}")
