"""Send each responsible person one mail of what they owe within 14 days or is overdue."""

from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand

from reports.reminders import build_reminders


class Command(BaseCommand):
    help = "向承接主体、街道办事处和区民政局的责任人发送待办提醒（14天内到期和已逾期事项）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只打印邮件，不发送")

    def handle(self, *args, **options):
        reminders = build_reminders()
        sent = skipped = 0
        for reminder in reminders:
            user = reminder.user
            if options["dry_run"]:
                self.stdout.write(
                    f"收件人：{user.username} <{user.email or '未登记邮箱'}>（{user.get_role_display()}）"
                )
                self.stdout.write(f"主题：{reminder.subject}")
                self.stdout.write(reminder.body)
                self.stdout.write("-" * 60)
                continue
            if not user.email:
                skipped += 1
                self.stderr.write(f"{user.username} 未登记邮箱，未发送。")
                continue
            EmailMessage(reminder.subject, reminder.body, to=[user.email]).send()
            sent += 1
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"共{len(reminders)}封提醒（未发送）。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已发送{sent}封提醒，{skipped}人未登记邮箱。"))
