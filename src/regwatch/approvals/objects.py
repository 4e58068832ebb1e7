"""The 审批 list: pending requests for approvers, one's own requests for requesters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from regwatch.web.filters import SearchFilterSet
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, ObjectType, register

from .models import ApprovalRequest, Kind, Status

VIEWS = [("todo", "待我审批"), ("mine", "我的申请")]


class ApprovalFilterSet(SearchFilterSet):
    search_fields = ("title", "reason", "requester__username", "requester__first_name")
    view = django_filters.ChoiceFilter(choices=VIEWS, method="filter_view", label="范围", empty_label="全部")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="审批类型", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态", empty_label="全部")

    class Meta:
        model = ApprovalRequest
        fields = ["q", "view", "kind", "status"]

    def filter_view(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from .services import APPROVE_PERM

        user = getattr(self.request, "user", None)
        if user is None:
            return queryset.none()
        if value == "mine":
            return queryset.filter(requester=user)
        kinds = [k for k, perm in APPROVE_PERM.items() if user.has_perm(perm)]
        return queryset.filter(Q(status=Status.PENDING) & Q(kind__in=kinds)).exclude(requester=user)


def detail_context(req: ApprovalRequest, user: Any) -> dict[str, Any]:
    from .services import APPROVE_PERM

    can_decide = req.status == Status.PENDING and req.requester_id != user.pk and user.has_perm(APPROVE_PERM[Kind(req.kind)])
    rerun = ""
    if req.kind in (Kind.EXPORT, Kind.UNMASKED_EXPORT) and req.requester_id == user.pk and req.status == Status.APPROVED:
        from urllib.parse import urlencode

        from regwatch.web.registry import REGISTRY

        otype = REGISTRY.get(str(req.target.get("list", "")))
        if otype is not None:
            params = [(k, v) for k, vs in (req.target.get("filters") or {}).items() for v in vs] + [("export", "xlsx")]
            if req.kind == Kind.UNMASKED_EXPORT:
                params += [("unmasked", "1"), ("reason", req.reason)]
            rerun = f"{otype.url()}?{urlencode(params)}"
    return {"can_decide": can_decide, "rerun": rerun}


register(
    ObjectType(
        model=ApprovalRequest,
        slug="approvals",
        menu="审批",
        menu_order=85,
        name="审批",
        columns=[
            Column("title", link=True),
            Column("kind"),
            Column("status"),
            Column("requester__display_name", "申请人", sort="requester__username"),
            Column("reason", sort=None),
            Column("created_at"),
            Column("approver__display_name", "审批人", sort="approver__username"),
            Column("decided_at"),
            Column("valid_until", hidden=True),
        ],
        filterset=ApprovalFilterSet,
        select_related=("requester", "approver", "region"),
        detail_fields=[
            "kind",
            "title",
            "status",
            "requester",
            "region",
            "content",
            "reason",
            "created_at",
            "approver",
            "decided_at",
            "note",
            "valid_until",
            "used_at",
            "override",
        ],
        detail_template="approvals/approval_detail.html",
        detail_context=detail_context,
        list_actions="approvals/_list_actions.html",
        api_fields=[
            "id",
            "kind",
            "status",
            "title",
            "requester",
            "region",
            "target",
            "reason",
            "approver",
            "decided_at",
            "note",
            "valid_until",
            "used_at",
            "created_at",
        ],
    )
)

register_labels(lambda: {"reveal": "查看明文"})  # the access event of a revealed value
