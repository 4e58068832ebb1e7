"""Background jobs of the ops app (huey; immediate in tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from regwatch.audit import chain
from regwatch.audit.context import Actor, acting_as
from regwatch.web.services import require

from .models import Job
from .progress import track

MAX_FINDINGS = 200  # shown on the page; the count says how many there are in all
AUDIT_VERIFY = "audit-verify"
VERIFY_PERMS = ("audit.view_auditevent", "audit.view_accessevent")  # whoever reads the trail may check it


@db_task()
def verify_audit_trail(job_id: int) -> bool:
    """The auditor's 校验: seal, verify both chains with progress, keep the findings on the job."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    with (
        acting_as(Actor(get_user=lambda: user, label=user.get_username() if user else "system:audit-verify")),
        track(job.kind, job.title, job=job) as progress,
    ):
        if user is not None:  # started from the page: the service checks as the view did (the job fails)
            for perm in VERIFY_PERMS:
                require(user, perm)
        progress.set_total(chain.count_events())
        report = chain.check(progress=lambda n, message: progress.advance(n, message))
        findings = [str(f) for f in report.findings]
        result = {
            "ok": report.ok,
            "checked": report.checked,
            "unsealed": report.unsealed,
            "findings": findings[:MAX_FINDINGS],
            "count": len(findings),
            "more": max(0, len(findings) - MAX_FINDINGS),
            "url": "/ops/audit-verify/",
            "link": "查看校验结果",
        }
        progress.finish(result, report.summary())
        return report.ok
