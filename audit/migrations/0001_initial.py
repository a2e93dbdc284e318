import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="时间"
                    ),
                ),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="用户名")),
                ("role", models.CharField(blank=True, max_length=16, verbose_name="角色")),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="来源地址")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("login", "登录"),
                            ("logout", "退出"),
                            ("login_failed", "登录失败"),
                            ("lockout", "账号锁定"),
                            ("password_change", "修改密码"),
                            ("export", "导出"),
                            ("download", "下载文件"),
                            ("import", "导入"),
                            ("unmask", "查看完整个人信息"),
                            ("denied", "拒绝访问"),
                            ("create", "新增"),
                            ("update", "修改"),
                            ("delete", "删除"),
                        ],
                        db_index=True,
                        max_length=24,
                        verbose_name="操作",
                    ),
                ),
                ("object_type", models.CharField(blank=True, max_length=100, verbose_name="对象类型")),
                ("object_id", models.CharField(blank=True, max_length=64, verbose_name="对象编号")),
                ("summary", models.CharField(blank=True, max_length=500, verbose_name="内容")),
                (
                    "outcome",
                    models.CharField(
                        choices=[("success", "成功"), ("failure", "失败")],
                        default="success",
                        max_length=8,
                        verbose_name="结果",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "审计日志",
                "verbose_name_plural": "审计日志",
                "ordering": ["-at", "-pk"],
                "indexes": [models.Index(fields=["username", "at"], name="audit_user_at_idx")],
            },
        ),
    ]
