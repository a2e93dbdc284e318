"""The read API's own records: the tokens issued to other systems, and the tombstones of deleted records that an
incremental sync must hear about."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from stations.models import District


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A token issued to a named system (the municipal platform, the data-sharing exchange): it reads what its
    machine account's role would read in the browser — one district's bureau, or every district at the municipal
    level — and nothing of people. Only a hash of the key is kept; the key is shown once, when issued."""

    system = models.CharField(_("系统名称"), max_length=80)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接口账号"),
        on_delete=models.PROTECT,
        related_name="api_token",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("可读取的区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("留空表示全部区（市级）。"),
    )
    prefix = models.CharField(_("令牌前缀"), max_length=16, unique=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.system}（{self.prefix}…）"

    @property
    def scope_label(self) -> str:
        return self.district.name if self.district_id else str(_("全部区（市级）"))

    @property
    def state(self) -> str:
        if self.revoked_at:
            return str(_("已吊销"))
        if self.expires_at <= timezone.now():
            return str(_("已过期"))
        return str(_("有效"))


class TombstoneQuerySet(ScopedQuerySet):
    """A deletion is seen by whoever saw the record: the bureau of its district, the municipal bureau."""

    def for_bureau(self, user):
        return self.filter(district__staff=user)

    def for_municipal(self, user):
        return self.all()


class Tombstone(models.Model):
    """A record deleted from the portal, kept so that a system syncing with `updated_since` hears of it."""

    resource = models.CharField(_("资源"), max_length=32)
    object_id = models.BigIntegerField(_("记录编号"))
    district = models.ForeignKey(
        District, verbose_name=_("区"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(_("删除时间"), default=timezone.now, db_index=True)

    objects = TombstoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("删除记录")
        verbose_name_plural = _("删除记录")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.resource}#{self.object_id}"
