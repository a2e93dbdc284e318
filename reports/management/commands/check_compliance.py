"""Every finding of the compliance engine, for every station or one, as text or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from reports.compliance import findings, findings_by_district
from stations.models import Station


class Command(BaseCommand):
    help = "列出全部社工站（或指定社工站）的合规问题，每条注明规则编号和政策条款。"

    def add_arguments(self, parser):
        parser.add_argument("--station", help="社工站或街道名称，如“张贵庄街道”")
        parser.add_argument(
            "--json",
            action="store_true",
            help="以JSON列表输出（rule, severity, station, subject, message, clause, due）",
        )

    def handle(self, *args, **options):
        stations = Station.objects.all()
        if options["station"]:
            name = options["station"].strip()
            stations = stations.filter(Q(name=name) | Q(street__name=name))
            if not stations.exists():
                raise CommandError(f"没有名为“{name}”的社工站或街道。")
        # One station's findings at once; all of them district by district (memory stays flat for a province),
        # which also leaves each district's findings in the cache for the day's pages and exports.
        found = findings(stations) if options["station"] else findings_by_district(stations)
        if options["json"]:
            self.stdout.write(json.dumps([f.as_json() for f in found], ensure_ascii=False, indent=2))
            return
        count = 0
        for f in found:
            due = f"  期限：{f.due:%Y-%m-%d}" if f.due else ""
            self.stdout.write(f"[{f.rule_id}·{f.severity}] {f.station} · {f.subject}：{f.message}{due}")
            self.stdout.write(f"    依据：{f.clause}")
            count += 1
        self.stdout.write(self.style.SUCCESS(f"共{count}条。"))
