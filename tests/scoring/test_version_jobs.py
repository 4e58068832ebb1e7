"""Dry-runs and publishes from the model-version page run as background jobs with a progress card."""

from __future__ import annotations

import pytest
from django.test import Client

from regwatch.accounts.models import User
from regwatch.audit.models import AuditEvent
from regwatch.ops.models import Job
from regwatch.ops.progress import ref_of, start_job
from regwatch.scoring import lifecycle
from regwatch.scoring.models import ModelVersion
from regwatch.scoring.tasks import version_action_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world: None) -> ModelVersion:
    author = User.objects.get(username="model_admin")
    current = ModelVersion.objects.select_related("model__scheme").get(model__code="food_credit", status="published")
    version = lifecycle.create_draft(current.model, current.spec, author, note="后台试算")
    return lifecycle.mark_validated(version)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_dry_run_runs_as_a_job_and_the_page_shows_its_card(draft: ModelVersion) -> None:
    client = _client("model_admin")
    response = client.post(f"/scoring/versions/{draft.pk}/dry_run/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    job = Job.objects.get(ref=ref_of(draft))
    assert job.kind == "scoring.dry_run" and job.status == "succeeded" and job.done == job.total == 2
    assert "试算已在后台开始" in page and f'id="job-{job.pk}"' in page and "查看试算结果" in page and 'id="migration"' in page
    draft.refresh_from_db()
    assert draft.status == "dry_run" and draft.dry_run["run"] == job.result["run"]
    # done by the user who asked, in the audit trail
    assert AuditEvent.objects.filter(object_type="scoring.modelversion", object_id=str(draft.pk), actor__username="model_admin").exists()
    progress = client.get(f"/ops/jobs/{job.pk}/progress/")
    assert progress.status_code == 200 and "hx-trigger" not in progress.content.decode()  # ended: it stops polling


def test_publish_by_the_author_is_refused_at_once_and_starts_no_job(draft: ModelVersion) -> None:
    lifecycle.dry_run(draft)
    response = _client("model_admin").post(f"/scoring/versions/{draft.pk}/publish/", follow=True)
    assert "双人复核" in response.content.decode()
    assert not Job.objects.filter(ref=ref_of(draft)).exists()
    author = User.objects.get(username="model_admin")
    reviewer = User.objects.create_user(username="model_reviewer", password="Regwatch#2026x", organization=author.organization)
    reviewer.groups.set(author.groups.all())
    response = _client("model_reviewer").post(f"/scoring/versions/{draft.pk}/publish/", follow=True)
    job = Job.objects.get(ref=ref_of(draft), kind="scoring.publish")
    draft.refresh_from_db()
    assert job.status == "succeeded" and draft.status == "published" and "查看评分批次" in response.content.decode()


def test_a_second_job_on_a_version_is_refused_while_one_runs(draft: ModelVersion) -> None:
    running = start_job("scoring.dry_run", "试算", user=None, ref=draft)
    response = _client("model_admin").post(f"/scoring/versions/{draft.pk}/dry_run/", follow=True)
    page = response.content.decode()
    assert "已有试算或发布任务在进行中" in page and f'id="job-{running.pk}"' in page and "hx-trigger" in page
    assert Job.objects.filter(ref=ref_of(draft)).count() == 1


def test_a_refusal_found_by_the_job_fails_it_with_the_reason(draft: ModelVersion) -> None:
    job = start_job("scoring.publish", "发布", ref=draft)
    reviewer = User.objects.get(username="admin")
    version_action_job(job.pk, draft.pk, "publish", reviewer.pk)  # not dry-run yet
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "只有完成试算的版本可以发布"
    page = _client("model_admin").get(f"/model-versions/{draft.pk}/").content.decode()
    assert "只有完成试算的版本可以发布" in page and "任务失败" in page
