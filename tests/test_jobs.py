"""Long operations record their progress where the UI can poll it."""

from __future__ import annotations

from typing import Any

import pytest

from regwatch.ops.models import Job
from regwatch.ops.progress import track


def test_a_tracked_block_records_progress_and_result(admin: Any, admin_client: Any) -> None:
    with track("test", "测试任务", total=3, user=admin) as job:
        job.advance(2, "处理中")
        mid = Job.objects.get(pk=job.job.pk)
        job.advance(1)
        job.finish(result={"rows": 3})
    done = Job.objects.get(pk=job.job.pk)
    assert (mid.status, done.status, done.done, done.result) == ("running", "succeeded", 3, {"rows": 3})
    card = admin_client.get(f"/ops/jobs/{done.pk}/progress/").content.decode()
    assert "已完成" in card and "3 / 3" in card and "hx-trigger" not in card  # finished: stops polling


def test_a_failing_block_is_marked_failed_and_reraises(admin: Any) -> None:
    with pytest.raises(RuntimeError), track("test", "会失败的任务", user=admin) as job:
        raise RuntimeError("源文件无法读取")
    failed = Job.objects.get(pk=job.job.pk)
    assert failed.status == "failed" and "源文件无法读取" in failed.error


def test_running_job_card_keeps_polling(admin: Any, admin_client: Any) -> None:
    with track("test", "进行中的任务", total=10, user=admin) as job:
        job.advance(4)
        card = admin_client.get(f"/ops/jobs/{job.job.pk}/progress/").content.decode()
        assert 'hx-trigger="every 1s"' in card and "进行中" in card


def test_other_users_cannot_watch_someone_elses_job(admin: Any, inspector_client: Any) -> None:
    with track("test", "别人的任务", user=admin) as job:
        pass
    assert inspector_client.get(f"/ops/jobs/{job.job.pk}/progress/").status_code == 403
