"""Template filters for how the portal writes money, dates, tags and rules (ui.md)."""

import datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import masking
from core.policy import RULES

register = template.Library()

SEVERITY_TAGS = {"block": "dark", "error": "danger", "warn": "warning", "track": "secondary"}
SEVERITY_LABELS = {
    "block": gettext_lazy("禁止"),
    "error": gettext_lazy("问题"),
    "warn": gettext_lazy("风险"),
    "track": gettext_lazy("记录"),
}
STATUS_TAGS = {
    "draft": "secondary",
    "submitted": "primary",
    "returned": "warning",
    "accepted": "success",
    "approved": "success",
    "excellent": "success",
    "good": "info",
    "pass": "primary",
    "fail": "danger",
    "open": "warning",
    "awarded": "success",
    "failed": "danger",
    "cancelled": "secondary",
}


@register.filter
def yuan(value) -> str:
    """¥250,000.00"""
    if value in (None, ""):
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def wan(value) -> str:
    """25.00万元, as officials write sums in summaries."""
    if value in (None, ""):
        return "—"
    return _("{value:,.2f}万元").format(value=Decimal(value) / Decimal(10000))


@register.filter
def ymd(value) -> str:
    """yyyy-MM-dd in tables and forms."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return f"{value:%Y-%m-%d}"


@register.filter
def cn_date(value) -> str:
    """2021年7月1日 in headings and documents."""
    if not value:
        return "—"
    return _("{date:%Y}年{date:%-m}月{date:%-d}日").format(date=value)


@register.simple_tag
def status_tag(value: str, label: str):
    return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_TAGS.get(value, "secondary"), label)


@register.simple_tag
def severity_tag(severity: str):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        SEVERITY_TAGS.get(severity, "secondary"),
        SEVERITY_LABELS.get(severity, severity),
    )


@register.simple_tag
def rule_link(rule_id: str):
    """The rule's ID linking to its clause on the rule page, the clause as the tooltip."""
    rule = RULES[rule_id]
    return format_html(
        '<a href="/rules/#{}" class="rule-link" title="{}">{}</a>',
        rule.anchor,
        f"{rule.clause_ref}：{rule.clause}",
        rule.id,
    )


register.filter("mask_id", masking.mask_id)
register.filter("mask_phone", masking.mask_phone)


@register.filter
def rule_title(rule_id: str) -> str:
    return RULES[rule_id].title if rule_id in RULES else rule_id


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def responsible_label(value: str) -> str:
    from core.findings import Responsible

    return Responsible(value).label if value in Responsible.values else value


NOT_FILTERS = {"page", "size", "export"}


@register.inclusion_tag("includes/filter_toggle.html", takes_context=True)
def filter_toggle(context, target: str = "portal-filters"):
    """The one button that unfolds a list's filters on a phone, with how many filters are in force."""
    request = context.get("request")
    active = 0
    if request is not None:
        active = sum(1 for key, value in request.GET.items() if key not in NOT_FILTERS and value.strip())
    return {"target": target, "active": active}
