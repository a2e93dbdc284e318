"""python manage.py export_ocds -o releases.json [--district 东丽区]"""

import json

from django.core.management.base import BaseCommand, CommandError

from documents.ocds import release_package
from stations.models import Station


class Command(BaseCommand):
    help = "导出政府购买社会工作服务的开放合同数据（OCDS 1.1 发布包，JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--district", help="只导出该区（默认全部）")

    def handle(self, *args, output, district, **options):
        stations = Station.objects.all()
        if district:
            stations = stations.filter(street__district__name=district)
            if not stations.exists():
                raise CommandError(f"没有找到“{district}”的社工站。")
        package = release_package(stations)
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(package, handle, ensure_ascii=False, indent=2)
        self.stdout.write(f"已导出{len(package['releases'])}条发布记录：{output}")
