"""Two journeys through work that routes itself, in chromium, with a screenshot at every step.

a. The model administrator drafts a new scorecard version on the weight editor, dry-runs it, and
   the second model administrator publishes it (two-person rule).
b. A warning is reviewed and dispatched with the organisation picker, handled with an attachment
   by the receiving organisation, verified from 我的待办, and its case file downloaded as a PDF.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.accounts.models import User
from regwatch.scoring.models import ModelVersion
from regwatch.subjects.models import Subject
from regwatch.warnings.firing import fire
from regwatch.warnings.models import WarningRule
from regwatch.workorders.models import WorkOrder

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


class Shots:
    """Numbered screenshots of one journey: test-artifacts/<journey>-01-<step>.png …"""

    def __init__(self, page: Any, journey: str) -> None:
        self.page, self.journey, self.n = page, journey, 0
        ARTIFACTS.mkdir(exist_ok=True)

    def __call__(self, step: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.journey}-{self.n:02d}-{step}.png"), full_page=True)


def _switch_user(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def test_model_admin_drafts_dry_runs_and_a_second_admin_publishes(page: Any) -> None:
    shot = Shots(page, "journey-model")
    current = ModelVersion.objects.select_related("model").get(model__pack="food_credit", status="published")
    cats = current.spec["categories"]
    first = max(cats, key=lambda c: c["weight"])
    second = next(c for c in cats if c is not first)

    login(page, "model_admin")
    page.goto(f"{page.base_url}/model-versions/{current.pk}/")
    shot("published-version")
    page.get_by_role("link", name="调整权重与阈值").click()
    expect(page.locator("#weight-summary")).to_contain_text("已分配 100%，已分配完毕")
    shot("weight-editor")

    # Moving one slider changes only its own weight; the summary shows what is left to assign.
    new_first = int(first["weight"]) - 10
    page.locator(f'input.weight-slider[data-target="weight_{first["code"]}"]').fill(str(new_first))
    expect(page.locator(f"#weight_{first['code']}")).to_have_value(str(new_first))
    expect(page.locator(f"#weight_{second['code']}")).to_have_value(f"{second['weight']:g}")
    expect(page.locator("#weight-summary")).to_contain_text("已分配 90%，剩余 10%")
    shot("slider-moved-10-left")

    # Saving while 10% is unassigned is refused on the page, values kept.
    page.get_by_role("button", name="保存为新草稿").click()
    expect(page.locator("#weights-error")).to_contain_text("各分类权重之和必须为 100%（当前为 90%）")
    expect(page.locator(f"#weight_{first['code']}")).to_have_value(str(new_first))
    shot("refused-total-90")

    # Give the 10% to the second category; without a change note the server refuses and keeps every weight.
    page.locator(f"#weight_{second['code']}").fill(str(int(second["weight"]) + 10))
    expect(page.locator("#weight-summary")).to_contain_text("已分配 100%")
    page.get_by_role("button", name="保存为新草稿").click()
    expect(page.locator("#note-error")).to_contain_text("请填写调整说明")
    expect(page.locator(f"#weight_{first['code']}")).to_have_value(str(new_first))
    expect(page.locator(f"#weight_{second['code']}")).to_have_value(str(int(second["weight"]) + 10))
    shot("refused-missing-note")

    page.locator("#id_note").fill("提高第二类权重，反映专项整治要求")
    page.get_by_role("button", name="保存为新草稿").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("已保存为草稿")
    draft = ModelVersion.objects.filter(model=current.model).order_by("-number").first()
    assert draft is not None and draft.status == "draft" and draft.note == "提高第二类权重，反映专项整治要求"
    weights = {c["code"]: c["weight"] for c in draft.spec["categories"]}
    assert (weights[first["code"]], weights[second["code"]]) == (new_first, second["weight"] + 10)
    shot("draft-saved")

    actions = page.locator("#version-actions")
    actions.get_by_role("button", name="校验").click()
    expect(page.locator("body")).to_contain_text("校验通过")
    shot("validated")
    page.locator("#version-actions").get_by_role("button", name="试算").click()
    card = page.locator("#job-slot .card")
    expect(card).to_have_attribute("data-status", "succeeded")  # the progress card has finished
    expect(page.locator("#migration")).to_be_visible()
    shot("dry-run-finished")

    # The author may not publish; the second model administrator does.
    page.locator("#version-actions").get_by_role("button", name="审核发布").click()
    expect(page.locator("body")).to_contain_text("发布须由编制人以外的另一名用户审核")
    shot("author-refused-publish")
    _switch_user(page, "model_admin2")
    page.goto(f"{page.base_url}/model-versions/{draft.pk}/")
    shot("reviewer-opens-draft")
    page.locator("#version-actions").get_by_role("button", name="审核发布").click()
    expect(page.locator("#job-slot .card")).to_have_attribute("data-status", "succeeded")
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == User.objects.get(username="model_admin2")
    page.reload()
    shot("published-by-reviewer")


def test_warning_reviewed_dispatched_handled_verified_and_printed(page: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    shot = Shots(page, "journey-warning")
    inspector = User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path, region__level="grid").first()
    assert subject is not None
    warning = fire(subject, rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-11-01"})
    assert warning is not None

    # The leader reviews the warning and dispatches it with the picker (own city only: no cross-region right).
    login(page, "leader")
    page.goto(f"{page.base_url}/warnings/{warning.pk}/")
    shot("warning")
    page.locator("select[name=decision]").select_option("confirm")
    page.locator("textarea[name=reason]").fill("抽检不合格属实，需现场核查")
    page.get_by_role("button", name="提交研判").click()
    expect(page.locator("#warning-status")).to_contain_text("已研判·确认")
    shot("reviewed")

    picker = page.locator("#dispatch-org")
    office = picker.locator("option[selected]")
    expect(office).to_contain_text("市场监管所")  # the subject's street office is pre-selected
    groups = picker.locator("optgroup")
    assert groups.count() >= 2 and "杭州市" in (groups.first.get_attribute("label") or "")
    assert picker.locator("option").count() < 20  # only the organisations along the subject's region
    shot("picker-preselected")
    picker.select_option(str(inspector.organization_id))
    shot("picker-county-bureau-chosen")
    page.get_by_role("button", name="生成工单").click()
    expect(page.locator("#order-state")).to_have_text("待签收")
    order = WorkOrder.objects.get(warning=warning)
    assert order.assignee_org_id == inspector.organization_id
    shot("order-dispatched")

    # The county bureau's inspector signs and reports back; without the required file nothing typed is lost.
    _switch_user(page, "inspector")
    page.goto(f"{page.base_url}/workorders/")
    row = page.locator("#queue-table tbody tr", has_text=order.number)
    expect(row.locator(".queue-steps")).to_contain_text("签收")
    shot("inspector-todo")
    row.get_by_role("link", name=order.number).click()
    page.locator("#action-sign button[type=submit]").click()
    expect(page.locator("#order-state")).to_have_text("处置中")
    form = page.locator("#action-feedback")
    form.locator("textarea[name=result]").fill("现场检查：冷柜温度超标，已责令立即整改")
    form.locator("select[name=conclusion]").select_option("confirmed_risk")
    form.locator("button[type=submit]").click()
    form = page.locator("#action-feedback")
    expect(form.locator("#feedback-files-error")).to_contain_text("附件为必填项")
    expect(form.locator("textarea[name=result]")).to_have_value("现场检查：冷柜温度超标，已责令立即整改")
    expect(form.locator("select[name=conclusion]")).to_have_value("confirmed_risk")
    form.scroll_into_view_if_needed()
    shot("feedback-refused-without-file")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"photo" * 400}]
    )
    form.locator("button[type=submit]").click()
    expect(page.locator("#order-state")).to_have_text("待核查")
    expect(page.locator("#timeline")).to_contain_text("现场照片.jpg")
    shot("feedback-with-attachment")

    # The verifier finds it in 我的待办 and closes it.
    _switch_user(page, "business_admin")
    page.goto(f"{page.base_url}/workorders/")
    row = page.locator("#queue-table tbody tr", has_text=order.number)
    expect(row.locator(".queue-state")).to_have_text("待核查")
    expect(row.locator(".queue-steps")).to_contain_text("核查办结")
    expect(row.locator(".queue-due")).to_contain_text("剩余")
    shot("verifier-todo")
    row.get_by_role("link", name=order.number).click()
    page.locator("#action-verify_close textarea[name=verify_opinion]").fill("整改到位，同意办结")
    page.locator("#action-verify_close button[type=submit]").click()
    expect(page.locator("#order-state")).to_have_text("已办结")
    shot("verified-closed")

    # The case file, as a PDF.
    link = page.get_by_role("link", name="案卷 PDF")
    response = page.context.request.get(f"{page.base_url}{link.get_attribute('href')}")
    body = response.body()
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF-") and len(body) > 10_000
    (ARTIFACTS / "journey-warning-casefile.pdf").write_bytes(body)
    page.goto(f"{page.base_url}/workorders/{order.pk}/print/")
    expect(page.locator("body")).to_contain_text(order.number)
    shot("case-file-print")


def test_the_picker_filter_narrows_a_long_list_to_the_typed_district(page: Any) -> None:
    """With cross-region rights the business administrator sees every organisation; typing a district narrows it."""
    inspector = User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    warning = fire(subject, rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-11-01"})
    assert warning is not None
    login(page, "business_admin")
    page.goto(f"{page.base_url}/warnings/{warning.pk}/")
    picker = page.locator("#dispatch-org")
    everyone = picker.locator("option:not([hidden])").count()
    page.locator(".org-picker-filter").fill(inspector.organization.region.name)
    expect(picker.locator("option:not([hidden])", has_text=inspector.organization.name)).to_have_count(1)
    assert picker.locator("option:not([hidden])").count() < everyone / 4
    dup = picker.locator("option", has_text="（")
    assert dup.count() > 0  # duplicate names carry their district
    assert picker.get_attribute("size") is not None  # the matches open as a list: region groups and their offices
    page.locator(".org-picker-filter").scroll_into_view_if_needed()
    shot = Shots(page, "picker")
    shot("filtered-by-district")
    picker.select_option(str(inspector.organization_id))
    expect(picker).to_have_value(str(inspector.organization_id))
    shot("county-bureau-chosen")


def test_the_new_order_form_offers_the_grouped_picker(page: Any) -> None:
    login(page, "leader")
    page.goto(f"{page.base_url}/workorders/new/")
    select = page.locator("#id_assignee_org")
    expect(select.locator("optgroup").first).to_have_attribute("label", "浙江省杭州市")
    page.fill("#id_title", "群众投诉核查")
    page.locator("#id_description").fill("投诉后厨卫生")
    page.get_by_role("button", name="创建").click()  # no type or region chosen: refused, what was typed kept
    expect(page.locator("#id_title")).to_have_value("群众投诉核查")
    expect(page.locator("#id_description")).to_have_value("投诉后厨卫生")
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # the server's message beside the field
    Shots(page, "new-order")("refused-keeps-values")

    # The subject is found by typing its name: suggestions come from the subject list's search.
    from regwatch.accounts.models import User
    from regwatch.accounts.scope import visible
    from regwatch.subjects.models import Subject

    subject = visible(Subject.objects.exclude(uscc=None), User.objects.get(username="leader")).order_by("pk").first()
    assert subject is not None
    page.locator("#id_subject").press_sequentially(subject.name[:4], delay=50)
    expect(page.locator("#subject-suggestions option").first).to_have_attribute("value", re.compile("（[0-9A-Z]{18}）$"))
    assert f"{subject.name}（{subject.uscc}）" in page.locator("#subject-suggestions option").evaluate_all("os => os.map(o => o.value)")
