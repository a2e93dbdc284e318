"""Put the daily compliance check or the reminders on the task queue; a worker runs them (and retries a failed run).
Called by the schedule the project ships (deploy/shegongzhan.cron, installed by `make install-schedule`)."""

from django.core.management.base import BaseCommand

from documents.tasks import DAILY, run_daily


class Command(BaseCommand):
    help = "将每日合规检查（check）或提醒（reminders）放入后台任务队列。"

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(DAILY))

    def handle(self, *args, name: str, **options):
        result = run_daily.enqueue(name)
        self.stdout.write(f"{DAILY[name]} 已加入任务队列：{result.id}")
