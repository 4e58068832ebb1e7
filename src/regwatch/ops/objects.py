from __future__ import annotations

from typing import Any

import django_filters

from regwatch.web.filters import DateRangeFilter, SearchFilterSet
from regwatch.web.registry import Column, Display, ObjectType, register, register_display

from .models import Job

# Kinds of background job (``ops.progress.track``); a kind not listed shows its part before the dot.
JOB_KINDS = {
    "ingest": "数据导入",
    "generate": "生成演示数据",
    "scoring": "评分计算",
    "scoring.dry_run": "模型试算",
    "scoring.publish": "模型发布",
    "export": "数据导出",
    "audit-verify": "审计日志校验",
}


def job_kind(code: Any) -> Any:
    text = str(code)
    return JOB_KINDS.get(text) or JOB_KINDS.get(text.split(".")[0], code)


register_display("kind", Display(job_kind))


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
