"""Warning rules and the alert pool (预警池) in the generic UI/API.

The pool is the generic list of warnings (filters, search, export, scope) with a bulk-review form in
its header; the detail page adds what is special to a warning: review, snooze, suppress, merge and
dispatch (posted to ``views.act``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from regwatch.accounts.scope import visible
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, Display, ObjectType, register, register_display

from .evidence import current_grades, evidence
from .filtersets import RuleFilterSet, WarningFilterSet
from .models import OPEN_STATUSES, Outcome, Warning, WarningRule
from .views import DETAIL_CONTEXT

# Where an alert came from (``firing.fire(source=...)``); an external system's own name stays as sent.
WARNING_SOURCES = {"rule": "预警规则", "manual": "人工录入", "external": "外部系统", "api": "接口推送"}


def warning_source(code: Any) -> Any:
    return WARNING_SOURCES.get(str(code), code)


register_display("source", Display(warning_source))

# The parameter names of the rule kinds (``warnings.rules``), and the indicator rule's comparisons.
register_labels(
    lambda: {
        "to_levels": "降至等级",
        "match": "匹配条件",
        "deadline_field": "期限字段",
        "done_field": "完成标志字段",
        "recent_hours": "近多少小时",
        "scheme": "等级方案",
        "tag": "标签",
        "above": "高于",
        "below": "低于",
        "rise_ratio": "较上期上升比例超过",
    }
)


def rule_context(rule: WarningRule, user: Any) -> dict[str, Any]:
    """Hit counts and precision over the warnings this user may see, not over every region."""
    if not user.has_perm("warnings.view_warning"):
        # Counts of warnings are business data: a reader of the rule alone sees neither them nor 关注 (三员分立).
        return {"reads_warnings": False}
    seen = visible(Warning.objects.filter(rule=rule), user)
    outcomes = dict(seen.exclude(outcome="").values_list("outcome").annotate(n=Count("id")).order_by())
    tp, fp = outcomes.get(Outcome.CONFIRMED, 0), outcomes.get(Outcome.FALSE_ALARM, 0)
    return {
        "reads_warnings": True,
        "precision": tp / (tp + fp) if tp + fp else None,
        "true_positives": tp,
        "false_alarms": fp,
        "open_count": seen.filter(status__in=OPEN_STATUSES).count(),
        "total": seen.count(),
    }


def warning_context(w: Warning, user: Any) -> dict[str, Any]:
    context = {
        "w": w,
        "related": visible(Warning.objects.filter(subject=w.subject, status__in=OPEN_STATUSES).exclude(pk=w.pk), user),
        "merged": visible(w.merged.all(), user),
        "orders": visible(w.work_orders.all(), user),
        "can_change": user.has_perm("warnings.change_warning"),
        "evidence": evidence(w, user),
        "grades": current_grades(w, user),
    }
    for extra in DETAIL_CONTEXT:  # apps above warnings add their part (workorders: dispatch)
        context.update(extra(user, w))
    return context


register(
    ObjectType(
        model=WarningRule,
        slug="warning-rules",
        menu="风险预警",
        menu_order=41,
        columns=[
            Column("code"),
            Column("name", link=True),
            Column("kind"),
            Column("level"),
            Column("cooldown_days"),
            Column("enabled"),
            Column("locally_modified"),
        ],
        filterset=RuleFilterSet,
        form_fields=["name", "level", "message", "subject_kinds", "params", "cooldown_days", "enabled", "description"],
        detail_template="warnings/rule_detail.html",
        detail_context=rule_context,
    )
)
register(
    ObjectType(
        model=Warning,
        slug="warnings",
        name="预警池",
        menu="风险预警",
        menu_order=40,
        columns=[
            Column("title", link=True),
            Column("level"),
            Column("subject__name", "主体", sort="subject__name"),
            Column("subject__region__full_name", "区划", sort="subject__region__path"),
            Column("rule__name", "规则", sort="rule__code"),
            Column("status"),
            Column("hit_count"),
            Column("first_at"),
            Column("last_at"),
        ],
        filterset=WarningFilterSet,
        select_related=("subject__region", "rule"),
        detail_fields=["title", "message", "subject", "rule", "level", "status", "outcome", "hit_count", "first_at", "last_at"],
        detail_template="warnings/detail.html",
        detail_context=warning_context,
        api_fields=[
            "id",
            "subject",
            "rule",
            "rule_key",
            "source",
            "external_ref",
            "level",
            "title",
            "message",
            "status",
            "outcome",
            "review_reason",
            "reviewed_at",
            "hit_count",
            "first_at",
            "last_at",
            "closed_at",
            "snoozed_until",
        ],
        list_actions="warnings/_bulk.html",
        selectable=True,
    )
)
