"""Following a warning rule: the 关注 button, and new warnings reach followers who may see the subject."""

from __future__ import annotations

from typing import Any

from django.core import mail

from regwatch.notifications.models import Message, RuleFollow
from regwatch.subjects.models import Subject
from regwatch.warnings.firing import fire
from regwatch.warnings.models import WarningRule


def _rule() -> WarningRule:
    return WarningRule.objects.get(code="failed_inspection")


def test_follow_button_on_the_rule_page(inspector: Any, inspector_client: Any) -> None:
    rule = _rule()
    page = inspector_client.get(f"/warning-rules/{rule.pk}/").content.decode()
    assert 'id="follow-button"' in page and "☆ 关注" in page
    r = inspector_client.post(f"/notifications/follow/rule/{rule.pk}/", {"on": "1"}, follow=True)
    body = r.content.decode()
    assert r.redirect_chain[-1][0] == f"/warning-rules/{rule.pk}/" and "★ 已关注" in body and "已关注规则" in body
    assert RuleFollow.objects.filter(user=inspector, rule=rule).count() == 1
    inspector_client.post(f"/notifications/follow/rule/{rule.pk}/", {"on": "1"})  # twice is still one follow
    assert RuleFollow.objects.filter(user=inspector, rule=rule).count() == 1
    inspector_client.post(f"/notifications/follow/rule/{rule.pk}/", {"on": "0"})
    assert not RuleFollow.objects.filter(user=inspector, rule=rule).exists()
    r = inspector_client.post(f"/notifications/follow/rule/{rule.pk}/", {"on": "1", "next": "https://evil.example/"})
    assert r["Location"] == f"/warning-rules/{rule.pk}/"  # no open redirect


def test_new_warning_reaches_followers_who_may_see_its_subject(
    inspector: Any, leader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rule = _rule()
    inspector.email, leader.email = "insp@example.cn", "leader@example.cn"
    inspector.save()
    leader.save()
    for u in (inspector, leader):
        RuleFollow.objects.create(user=u, rule=rule)
    xihu = inspector.organization.region.path
    city = leader.organization.region.path
    subjects = Subject.objects.filter(region__path__startswith=city).select_related("kind", "region")
    inside = next(s for s in subjects if s.region.path.startswith(xihu) and rule.applies_to(s.kind.code))
    elsewhere = next(s for s in subjects if not s.region.path.startswith(xihu) and rule.applies_to(s.kind.code))

    with django_capture_on_commit_callbacks(execute=True):
        w_out = fire(elsewhere, rule=rule, context={"occurred_on": "2026-11-01"})
    assert w_out is not None
    # The 西湖区 inspector follows the rule but may not see a subject of another county: nothing at all.
    assert not Message.objects.filter(recipient=inspector).exists()
    assert not [m for m in mail.outbox if "insp@example.cn" in m.to]
    told = Message.objects.get(recipient=leader, kind="warning_new")
    assert elsewhere.name in told.title and told.url == f"/warnings/{w_out.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        w_in = fire(inside, rule=rule, context={"occurred_on": "2026-11-01"})
    assert w_in is not None
    msg = Message.objects.get(recipient=inspector, kind="warning_new")
    assert inside.name in msg.title and msg.url == f"/warnings/{w_in.pk}/"
    assert [m.subject for m in mail.outbox if "insp@example.cn" in m.to] == [msg.title]  # and by e-mail

    with django_capture_on_commit_callbacks(execute=True):
        assert fire(inside, rule=rule, context={"occurred_on": "2026-11-02"}) is None  # a repeat hit is no new warning
    assert Message.objects.filter(recipient=inspector, kind="warning_new").count() == 1
