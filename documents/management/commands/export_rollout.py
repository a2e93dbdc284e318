"""python manage.py export_rollout --format xlsx -o rollout.xlsx [--district 东丽区] [--date 2026-11-28] [--without-names]

The same builder as the export job (documents/jobs.py): the file is the one a bureau's 导出Excel makes; with
--without-names, the one the municipal bureau's makes (no names of people, as its pages)."""

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
        parser.add_argument("--without-names", action="store_true", help="不含人员姓名（如市民政局的导出）")

    def handle(self, *args, format, output, district, date, without_names=False, **options):
        stations = Station.objects.all()
        if district:
            stations = stations.filter(street__district__name=district)
            if not stations.exists():
                raise CommandError(f"没有找到“{district}”的社工站。")
        if format == "xlsx":
            write_rollout_workbook(stations, output, date, people=not without_names)
        else:
            with open(output, "wb") as handle:
                handle.write(rollout_pdf(stations, date, people=not without_names))
        self.stdout.write(f"已导出：{output}")
