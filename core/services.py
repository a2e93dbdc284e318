"""Changing a policy parameter: a new value from a given day, kept with who changed it and when."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import PARAMETER_DEFAULTS, ParameterKey, PolicyParameter
from core.permissions import require_role


@transaction.atomic
def parameter_change(
    *, key: str, value: Decimal, valid_from: datetime.date, actor, note: str = ""
) -> PolicyParameter:
    """Set a parameter's value from `valid_from` on; earlier days keep the value then in force."""
    require_role(actor, "bureau", "admin")
    if key not in ParameterKey.values:
        raise ValidationError(_("未知的政策参数：{key}").format(key=key), code="unknown")
    if value is None or Decimal(value) <= 0:
        raise ValidationError({"value": _("参数值必须大于0。")})
    if not note.strip():
        raise ValidationError({"note": _("请填写调整说明（依据的文件或会议）。")})
    rule_id = PARAMETER_DEFAULTS[key][1]
    parameter, _created = PolicyParameter.objects.update_or_create(
        key=key,
        valid_from=valid_from,
        defaults={
            "value": value,
            "note": f"{note.strip()}（{rule_id}）",
            "changed_by": actor,
            "changed_at": timezone.now(),
        },
    )
    parameter.full_clean()
    return parameter
