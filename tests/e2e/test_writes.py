"""Long writes as a person sees them: the dry-run progress card, and an upload over the limit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.accounts.models import User
from regwatch.ops.models import Job
from regwatch.ops.progress import start_job
from regwatch.scoring import lifecycle
from regwatch.scoring.models import ModelVersion
from regwatch.subjects.models import Subject
from regwatch.workorders.workflow import create_order, transition

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_dry_run_shows_a_progress_card_on_the_version_page(page: Any) -> None:
    author = User.objects.get(username="model_admin")
    current = ModelVersion.objects.select_related("model__scheme").get(model__pack="food_credit", status="published")
    draft = lifecycle.mark_validated(lifecycle.create_draft(current.model, current.spec, author, note="后台试算"))

    login(page, "model_admin")
    page.goto(f"{page.base_url}/model-versions/{draft.pk}/")
    page.locator("#version-actions button", has_text="试算").click()
    card = page.locator("#job-slot .card")
    expect(card).to_contain_text("试算")
    expect(card).to_have_attribute("data-status", "succeeded")  # tests run tasks at once; a server runs them in huey
    expect(page.get_by_role("link", name="查看试算结果")).to_be_visible()
    expect(page.locator("#migration")).to_be_visible()

    # While a job runs, the card polls: shown here with a job half-way through.
    other = lifecycle.mark_validated(lifecycle.create_draft(current.model, current.spec, author, note="进行中"))
    job = start_job("scoring.dry_run", f"试算 {other}", total=2, user=author, unit="步", ref=other)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=1, message="已试算 300 户，正在计算等级迁移")
    page.goto(f"{page.base_url}/model-versions/{other.pk}/")
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("正在计算等级迁移")
    expect(page.locator(f"#job-{job.pk}")).to_have_attribute("data-status", "running")
    page.screenshot(path=str(ARTIFACTS / "version-dry-run-progress.png"), full_page=True)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, done=2, message="试算完成")
    expect(page.locator(f"#job-{job.pk}")).to_have_attribute("data-status", "succeeded")  # the card polled and ended


def test_an_attachment_over_the_limit_gets_a_clear_message(page: Any, settings: Any, tmp_path: Any) -> None:
    settings.REGWATCH_UPLOAD_MAX_BYTES = 200 * 1024
    settings.MEDIA_ROOT = str(tmp_path)
    business_admin, inspector = User.objects.get(username="business_admin"), User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    order = create_order(business_admin, workflow="risk_disposal", title="附件过大", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")

    login(page, "inspector")
    page.goto(f"{page.base_url}/work-orders/{order.pk}/")
    form = page.locator("#action-feedback")
    expect(form).to_contain_text("附件合计不超过 200 KB")
    form.locator("textarea[name=result]").fill("已现场核查")
    form.locator("select[name=conclusion]").select_option("false_alarm")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "现场录像.mp4", "mimeType": "video/mp4", "buffer": b"\0" * (600 * 1024)}]
    )
    form.locator("button[type=submit]").click()
    expect(page.locator("#upload-too-large")).to_contain_text("上传的文件超过大小上限 200 KB")
    page.screenshot(path=str(ARTIFACTS / "upload-too-large.png"), full_page=True)
    page.get_by_role("link", name="返回上一页").click()
    expect(page.locator("#action-feedback")).to_be_visible()
    order.refresh_from_db()
    assert order.state == "handling"
