"""Changing a policy parameter: a new value from a day that is not in the past, decided by a document (文号), set by
the bureau and kept with who changed it and when (rules.md, "Who changes the parameters")."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import PARAMETER_DEFAULTS, WHOLE_NUMBER_PARAMETERS, ParameterKey, PolicyParameter
from core.parameters import parameter
from core.policy import refusal
from core.text import plain

# Parameters that must stay in order on every day: (lower, higher) means lower < higher.
ORDERED = [
    (ParameterKey.RESIDENT_WORKERS_MIN, ParameterKey.RESIDENT_WORKERS_MAX, False),
    (ParameterKey.EVAL_PASS_MIN, ParameterKey.EVAL_GOOD_MIN, True),
    (ParameterKey.EVAL_GOOD_MIN, ParameterKey.EVAL_EXCELLENT_MIN, True),
]
SCORE_KEYS = frozenset(
    {ParameterKey.EVAL_PASS_MIN, ParameterKey.EVAL_GOOD_MIN, ParameterKey.EVAL_EXCELLENT_MIN}
)


@transaction.atomic
def parameter_change(
    *, key: str, value: Decimal, valid_from: datetime.date, actor, document_no: str = "", note: str = ""
) -> PolicyParameter:
    """Set a parameter's value from `valid_from` on; earlier days keep the value then in force.

    Only the bureau sets the policy's numbers — never the system administrator (三权分立). The change names the
    document that decides it and takes effect today or later: a back-dated value would silently rewrite findings
    already made (and could make them vanish), so it is refused."""
    if key not in ParameterKey.values:
        raise ValidationError({"key": _("未知的政策参数：{key}").format(key=key)})
    rule_id = PARAMETER_DEFAULTS[key][1]
    if actor is None or not actor.is_authenticated or not actor.is_active or actor.role != "bureau":
        raise PermissionDenied(
            _(
                "只有区民政局可以调整政策参数，系统管理员和其他角色不能调整（三权分立；依据{rule_id}）。"
            ).format(rule_id=rule_id)
        )
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"value": _("参数值应为数字。")}) from None
    if value <= 0:
        raise ValidationError({"value": _("参数值必须大于0。")})
    if key in WHOLE_NUMBER_PARAMETERS and value != value.to_integral_value():
        raise refusal(rule_id, _("该参数应为整数。"), field="value")
    if key in SCORE_KEYS and value > 100:
        raise refusal(rule_id, _("评估分数线不能超过100分。"), field="value")
    today = timezone.localdate()
    if valid_from is None or valid_from < today:
        raise refusal(
            rule_id,
            _(
                "生效日期不能早于今天（{today:%Y-%m-%d}）：倒签的参数会改写已经作出的判断，请从今天或以后生效。"
            ).format(today=today),
            field="valid_from",
        )
    document_no = (document_no or "").strip()
    if not document_no:
        raise refusal(rule_id, _("请填写决定调整的文件文号。"), field="document_no")
    in_force = PolicyParameter.objects.filter(key=key, valid_from=valid_from, valid_from__lte=today).first()
    if in_force is not None:
        # A value in force today is history already: replacing it would rewrite today's findings and hide the
        # document that decided it. A value set for a later day may still be corrected before it takes effect.
        raise refusal(
            rule_id,
            _("该参数今天生效的值（依据{document_no}）已在使用，不能替换；请从明天或以后设定新值。").format(
                document_no=in_force.document_no or _("方案")
            ),
            field="valid_from",
        )
    _check_order(key, value, valid_from, rule_id)
    parameter_row, _created = PolicyParameter.objects.update_or_create(
        key=key,
        valid_from=valid_from,
        defaults={
            "value": value,
            "document_no": document_no,
            "note": note.strip(),
            "changed_by": actor,
            "changed_at": timezone.now(),
        },
    )
    parameter_row.full_clean()
    return parameter_row


def _check_order(key: str, value: Decimal, valid_from: datetime.date, rule_id: str) -> None:
    """Ordered parameters stay in order on every day from `valid_from` on: checked at the new value's first day and at
    every later day on which either of a pair changes (a later value of the other key may already be set)."""
    for lower, higher, strict in ORDERED:
        if key not in (lower, higher):
            continue
        other = higher if key == lower else lower
        days = {valid_from} | set(
            PolicyParameter.objects.filter(key__in=(lower, higher), valid_from__gt=valid_from).values_list(
                "valid_from", flat=True
            )
        )
        later_own = (
            PolicyParameter.objects.filter(key=key, valid_from__gt=valid_from)
            .order_by("valid_from")
            .values_list("valid_from", flat=True)
            .first()
        )
        for day in sorted(days):
            own = value if later_own is None or day < later_own else parameter(key, day)
            low, high = (own, parameter(other, day)) if key == lower else (parameter(other, day), own)
            if low > high or (strict and low == high):
                raise refusal(
                    rule_id,
                    _("{day:%Y-%m-%d}起{lower}（{low}）应{relation}{higher}（{high}）。").format(
                        day=day,
                        lower=ParameterKey(lower).label,
                        low=plain(low),
                        relation=_("低于") if strict else _("不高于"),
                        higher=ParameterKey(higher).label,
                        high=plain(high),
                    ),
                    field="value",
                )
