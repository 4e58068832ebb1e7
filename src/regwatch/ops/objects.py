from __future__ import annotations

import django_filters

from regwatch.web.filters import DateRangeFilter, SearchFilterSet
from regwatch.web.registry import Column, ObjectType, register

from .models import Job


class JobFilterSet(SearchFilterSet):
    search_fields = ("title", "kind")
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, label="状态")
    created_at = DateRangeFilter(label="创建时间（起止）")

    class Meta:
        model = Job
        fields = ["q", "kind", "status", "created_at"]


register(
    ObjectType(
        model=Job,
        slug="jobs",
        menu="系统管理",
        menu_order=95,
        columns=[
            Column("title"),
            Column("kind"),
            Column("status"),
            Column("done"),
            Column("total"),
            Column("created_at"),
            Column("finished_at"),
        ],
        filterset=JobFilterSet,
        detail_template="ops/job_detail.html",
        detail_fields=[
            "title",
            "kind",
            "status",
            "done",
            "total",
            "message",
            "result",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ],
    )
)
