"""A worker of the task queue, on whichever engine TASKS_BACKEND names (README, "Background work"): first queues
again the jobs a dead worker left running and the jobs a lost queue forgot, then runs the engine's own worker —
django-tasks-db's `db_worker` on the embedded backend, RQ's `rqworker` (with its scheduler, for retries that wait)
on Redis. `make run` starts one beside the web server; start more on other machines with the same DATABASE_URL
(and, on Redis, the same TASKS_REDIS_URL)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from documents.jobs import forget_old_files, recover_lost, recover_stale


class Command(BaseCommand):
    help = "运行导出任务的后台进程（先恢复中断或丢失的任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at the queue (database engine)"
        )

    def handle(self, *args, batch=False, interval=1.0, **options):
        engine = settings.TASKS_BACKEND
        if engine == "immediate":
            raise CommandError(
                "TASKS_BACKEND=immediate runs tasks in the request: there is no queue to work on."
            )
        recovered = recover_stale()
        lost = recover_lost()
        forgotten = forget_old_files()
        self.stdout.write(
            f"恢复中断的导出任务：{recovered}；重新排队丢失的任务：{lost}；清理过期文件：{forgotten}"
        )
        if engine == "redis":
            arguments = ["default", "--job-class", "django_tasks_rq.backend.Job", "--with-scheduler"]
            if batch:
                arguments.append("--burst")
            call_command("rqworker", *arguments)
            return
        # One process, no autoreloader child: a signal to this process reaches the worker itself.
        arguments = ["--interval", str(interval), "--no-startup-delay", "--no-reload"]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
