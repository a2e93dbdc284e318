"""A worker of the task queue: first queues again the jobs a dead worker left running, then runs django-tasks-db's
worker (`db_worker`) with the same options. `make run` starts one beside the web server; start more on other
machines with the same DATABASE_URL."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from documents.jobs import forget_old_files, recover_stale


class Command(BaseCommand):
    help = "运行导出任务的后台进程（先恢复中断的任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args, batch=False, interval=1.0, **options):
        recovered = recover_stale()
        forgotten = forget_old_files()
        self.stdout.write(f"恢复中断的导出任务：{recovered}；清理过期文件：{forgotten}")
        # One process, no autoreloader child: a signal to this process reaches the worker itself.
        arguments = ["--interval", str(interval), "--no-startup-delay", "--no-reload"]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
