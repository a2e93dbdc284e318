"""python manage.py generate_scale --districts D --streets-per-district S [--seed N]"""

import time

from django.core.management.base import BaseCommand

from demo.scale import generate


class Command(BaseCommand):
    help = "生成用于性能测量的合成数据（确定性）：D个区，每区S个街道社工站及其一年半的历史。"

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, required=True)
        parser.add_argument("--streets-per-district", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, districts, streets_per_district, seed, **options):
        started = time.perf_counter()
        result = generate(districts, streets_per_district, seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"已生成{result.districts}个区、{result.stations}个社工站，共{result.rows}行，用时{elapsed:.1f}秒。"
        )
