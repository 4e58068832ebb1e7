"""Warning rules in the generic UI/API (reference data); the pool has its own screens."""

from __future__ import annotations

from typing import Any

from regwatch.web.registry import Column, Link, ObjectType, register, register_link

from .filtersets import RuleFilterSet
from .models import OPEN_STATUSES, WarningRule


def rule_context(rule: WarningRule, user: Any) -> dict[str, Any]:
    precision, tp, fp = rule.precision()
    open_n = rule.warnings.filter(status__in=OPEN_STATUSES).count()
    return {"precision": precision, "true_positives": tp, "false_alarms": fp, "open_count": open_n, "total": rule.warnings.count()}


register(
    ObjectType(
        model=WarningRule,
        slug="warning-rules",
        menu="风险预警",
        menu_order=41,
        columns=[Column("code"), Column("name", link=True), Column("kind"), Column("level"), Column("cooldown_days"), Column("enabled")],
        filterset=RuleFilterSet,
        form_fields=["name", "level", "message", "subject_kinds", "params", "cooldown_days", "enabled", "description"],
        detail_template="warnings/rule_detail.html",
        detail_context=rule_context,
    )
)
register_link(Link("风险预警", "预警池", "warnings:pool", "warnings.view_warning", 40))
