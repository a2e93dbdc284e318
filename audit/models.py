"""The audit log (安全审计): who did what, when, from where, with what outcome. Append-only.

The application has no way to change or delete a row: save() refuses an update, delete() refuses, and the
queryset's update() and delete() refuse. On PostgreSQL a trigger refuses it too (migration 0002); the purge
command alone may delete rows older than the retention period (at least 183 days).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class AppendOnly(PermissionDenied):
    pass


class AuditQuerySet(ScopedQuerySet):
    def for_auditor(self, user):
        return self.all()

    def update(self, **kwargs):
        raise AppendOnly(gettext("审计日志不可修改。"))

    def delete(self):
        raise AppendOnly(gettext("审计日志不可删除。"))


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载文件")
        IMPORT = "import", _("导入")
        UNMASK = "unmask", _("查看完整个人信息")
        DENIED = "denied", _("拒绝访问")
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        ACCOUNT_REQUEST = "account_request", _("账号变更申请")
        ACCOUNT_APPROVE = "account_approve", _("账号变更批准")
        ACCOUNT_REJECT = "account_reject", _("账号变更驳回")
        PASSWORD_RESET = "password_reset", _("重置密码")
        ENROLMENT_CODE = "enrolment_code", _("签发两步验证启用码")
        TWO_FACTOR = "two_factor", _("启用两步验证")
        SCHEDULED = "scheduled", _("定时任务")
        API = "api", _("接口调用")
        API_TOKEN = "api_token", _("接口令牌")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # the log outlives accounts; the username below keeps who it was
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=24, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    summary = models.CharField(_("内容"), max_length=500, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["username", "at"], name="audit_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnly(gettext("审计日志不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(gettext("审计日志不可删除。"))
