"""A warning's page shows its grounds: the records behind it, the facts compared, the current grade."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from regwatch.scoring.models import CurrentGrade
from regwatch.subjects.models import Record, RecordType, Subject, SubjectTag, Tag
from regwatch.warnings.firing import fire
from regwatch.warnings.models import Warning, WarningRule


def _graded_inside(user: Any) -> Subject:
    grade = (
        CurrentGrade.objects.filter(subject__region__path__startswith=user.organization.region.path, subject__kind__pack="food_credit")
        .select_related("subject__kind")
        .order_by("subject_id")
        .first()
    )
    assert grade is not None
    return grade.subject


def _record(subject: Subject, code: str, day: dt.date, summary: str, **data: Any) -> Record:
    return Record.objects.create(
        subject=subject, record_type=RecordType.objects.get(code=code), occurred_on=day, source="test", summary=summary, data=data
    )


def _fresh(subject: Subject) -> None:
    Warning.objects.filter(subject=subject).delete()  # no open warning of the same rule stands in the way


def test_new_record_warning_shows_the_record_with_labels_and_the_grade(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    today = timezone.localdate()
    data = {"decision_no": "杭西市监罚〔2026〕88号", "penalty_type": "fine", "amount": 5000, "serious": False}
    rec = _record(s, "penalty", today, "未按规定索证索票", **data)
    ctx = {"record_id": rec.pk, "record_type": "行政处罚", "occurred_on": today, "summary": rec.summary}
    w = fire(s, rule=WarningRule.objects.get(code="new_penalty"), context=ctx)
    assert w is not None

    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    table = page[page.index('id="evidence-records"') :]
    table = table[: table.index("</table>")]
    assert "行政处罚" in table and today.isoformat() in table and "未按规定索证索票" in table
    assert "处罚决定书文号" in table and "杭西市监罚〔2026〕88号" in table and "是否严重违法</span>：否" in table
    assert f'href="/records/{rec.pk}/"' in table
    assert "penalty_type" not in table and "False" not in table

    grade = CurrentGrade.objects.select_related("scheme").filter(subject=s).first()
    assert grade is not None
    panel = page[page.index('id="warning-grade"') :]
    panel = panel[: panel.index("</a>")]
    assert f"background-color: {grade.scheme.level(grade.level)['color']}" in panel
    assert f">{grade.level}</span>" in panel and f"{grade.score:.1f}" in panel and grade.scheme.name in panel
    assert f'href="/subjects/{s.pk}/#grade-panel"' in panel and "查看评分解释" in panel


def test_record_count_warning_lists_the_counted_records(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    today = timezone.localdate()
    old = _record(s, "complaint", today - dt.timedelta(days=200), "半年前的投诉")  # outside the 90 days
    recent = [_record(s, "complaint", today - dt.timedelta(days=d), f"近期投诉{d}", substantiated=True) for d in (3, 20, 40)]
    w = fire(s, rule=WarningRule.objects.get(code="complaint_cluster"), context={"count": 3, "days": 90})
    assert w is not None

    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    facts = page[page.index('id="evidence-facts"') :]
    assert "统计期间" in facts and "近 90 天" in facts and "3 条" in facts
    rows = page[page.index('id="evidence-records"') :]
    rows = rows[: rows.index("</table>")]
    for r in recent:
        assert f'href="/records/{r.pk}/"' in rows and r.summary in rows
    assert f'href="/records/{old.pk}/"' not in rows and "半年前的投诉" not in rows
    assert rows.count("投诉举报") == 3 and "核查属实</span>：是" in rows


def test_grade_drop_warning_shows_the_change_by_level_names(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    grade = CurrentGrade.objects.select_related("scheme").filter(subject=s).first()
    assert grade is not None
    rule = WarningRule.objects.get(code="grade_drop")
    ctx = {"old_level": "A", "new_level": "C", "direction": "down", "scheme": grade.scheme.code, "old_score": 12.5, "new_score": 48.0}
    w = fire(s, rule=rule, context=ctx)
    assert w is not None
    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    facts = page[page.index('id="evidence-facts"') :]
    facts = facts[: facts.index("</dl>")]
    assert grade.scheme.level_label("A") in facts and grade.scheme.level_label("C") in facts
    assert "12.5 → 48.0" in facts and grade.scheme.name in facts


def test_indicator_warning_shows_value_threshold_and_the_records_counted(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    today = timezone.localdate()
    fail = _record(s, "routine_inspection", today - dt.timedelta(days=10), "后厨卫生不符合", result="fail", problems=3)
    rule = WarningRule.objects.get(code="inspection_fail_rate_high")
    w = fire(s, rule=rule, context={"indicator": "inspection_fail_rate", "value": 0.625, "threshold": 0.5})
    assert w is not None
    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    facts = page[page.index('id="evidence-facts"') :]
    facts = facts[: facts.index("</dl>")]
    assert "检查不符合率" in facts and "62.5%" in facts and "50.0%" in facts
    card = page[page.index('id="warning-evidence"') : page.index("处置工单")]
    assert "inspection_fail_rate" not in card
    rows = page[page.index('id="evidence-records"') :]
    assert f'href="/records/{fail.pk}/"' in rows and "日常检查" in rows and "检查结果</span>：" in rows


def test_evidence_of_a_subject_outside_the_scope_is_not_reachable(world: None, inspector: Any, inspector_client: Any) -> None:
    outside = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).filter(kind__pack="food_credit").first()
    assert outside is not None
    _fresh(outside)
    rec = _record(outside, "penalty", timezone.localdate(), "区外处罚", decision_no="外-1", penalty_type="fine")
    w = fire(outside, rule=WarningRule.objects.get(code="new_penalty"), context={"record_id": rec.pk})
    assert w is not None
    assert inspector_client.get(f"/warnings/{w.pk}/").status_code == 404


def test_an_external_alert_shows_what_the_other_system_sent(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    w = fire(
        s, rule_key="ext:12345热线:food_safety", level="orange", title="热线转来的食品安全线索", message="群众反映",
        source="12345热线", external_ref="RX-2026-0001", context={"alert_type": "食品安全"},
    )  # fmt: skip
    assert w is not None
    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    facts = page[page.index('id="evidence-facts"') : page.index("</dl>", page.index('id="evidence-facts"'))]
    assert "推送系统" in facts and "12345热线" in facts and "食品安全" in facts and "RX-2026-0001" in facts
    assert "alert_type" not in facts


def test_an_overdue_rectification_and_a_list_hit(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _graded_inside(inspector)
    _fresh(s)
    due = timezone.localdate() - dt.timedelta(days=12)
    rec = _record(
        s,
        "rectification",
        due - dt.timedelta(days=30),
        "责令整改后厨",
        order_no="西整〔2026〕7号",
        deadline=due.isoformat(),
        completed=False,
    )
    w = fire(
        s, rule=WarningRule.objects.get(code="rectification_overdue"), context={"record_id": rec.pk, "deadline": due, "overdue_days": 12}
    )
    assert w is not None
    page = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    card = page[page.index('id="warning-evidence"') : page.index("处置工单")]
    assert "整改期限" in card and due.isoformat() in card and "12 天" in card
    assert f'href="/records/{rec.pk}/"' in card and "整改完成</span>：否" in card and "西整〔2026〕7号" in card

    tag = Tag.objects.get(code="serious_violation_list")
    SubjectTag.objects.create(subject=s, tag=tag, source="test", note="市局公告第3号")
    w = fire(s, rule=WarningRule.objects.get(code="serious_violation_list"), context={"list": tag.name})
    assert w is not None
    card = inspector_client.get(f"/warnings/{w.pk}/").content.decode()
    card = card[card.index('id="warning-evidence"') : card.index("处置工单")]
    assert "名单信息" in card and "严重违法失信名单" in card and "市局公告第3号" in card and "列入时间" in card
