"""Send each responsible person one mail of what they owe within 14 days or is overdue."""

import smtplib

from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.models import ReminderSent
from reports.reminders import build_reminders


class Command(BaseCommand):
    help = "向承接主体、街道办事处和区民政局的责任人发送待办提醒（14天内到期和已逾期事项）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只打印邮件，不发送")

    def handle(self, *args, **options):
        reminders = build_reminders()
        today = timezone.localdate()
        already = set(ReminderSent.objects.filter(sent_on=today).values_list("user_id", flat=True))
        sent = skipped = failed = 0
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
            if user.pk in already:
                continue  # sent today by an earlier run
            try:
                EmailMessage(reminder.subject, reminder.body, to=[user.email]).send()
            except (smtplib.SMTPException, OSError) as error:
                failed += 1
                self.stderr.write(f"发给{user.username}的提醒未能发送（{error}），下次运行时重发。")
                continue
            ReminderSent.objects.create(user=user, sent_on=today, subject=reminder.subject[:200])
            sent += 1
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"共{len(reminders)}封提醒（未发送）。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已发送{sent}封提醒，{skipped}人未登记邮箱。"))
            if failed:
                raise CommandError(f"{failed}封提醒因邮件服务器故障未能发送，未记为已发送；请稍后重新运行。")
