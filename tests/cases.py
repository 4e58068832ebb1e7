"""A work order that has been through every kind of step, for the pages that show one (case file,
history, timeline).  It follows the food_credit pack's disposal workflow (its action codes), so
unlike ``tests.builders`` it names that pack."""

from __future__ import annotations

from regwatch.accounts.models import User
from regwatch.core.models import Organization
from regwatch.scoring.models import GradeScheme
from regwatch.subjects.models import Subject
from regwatch.warnings.models import WarningRule
from regwatch.workorders.models import WorkOrder

PACK = "food_credit"


def handled_order(*, close: bool = True) -> WorkOrder:
    """A work order from a grade-drop warning in the inspector's county: dispatched elsewhere,
    transferred back, signed, answered with a photo and (``close``) verified and closed — every
    kind of step a case file shows.  Needs the demo users of ``tests.conftest.build_world``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from regwatch.packs.installed import dispatch_workflow
    from regwatch.warnings.firing import fire
    from regwatch.workorders.workflow import create_order, transition

    inspector = User.objects.get(username="inspector")
    admin = User.objects.get(username="business_admin")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path, pack=PACK).order_by("pk").first()
    assert subject is not None
    rule = WarningRule.objects.filter(pack=subject.pack, kind="grade_drop").order_by("pk").first()
    scheme = GradeScheme.objects.filter(pack=subject.pack).order_by("pk").first()
    context = {"old_level": "B", "new_level": "C", "direction": "down", "scheme": scheme.code if scheme else ""}
    warning = fire(subject, rule=rule, context=context)
    order = create_order(
        admin,
        workflow=dispatch_workflow("warning", subject.pack),
        title="食品安全风险处置",
        region=subject.region,
        subject=subject,
        warning=warning,
        source="warning",
    )
    other = Organization.objects.exclude(pk=inspector.organization_id).filter(region=inspector.organization.region).first()
    transition(order, admin, "dispatch", {"assignee_org": (other or inspector.organization).pk})
    transition(order, admin, "transfer", {"assignee_org": inspector.organization_id, "reason": "属地管辖"})
    transition(order, inspector, "sign")
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8photo-bytes", content_type="image/jpeg")
    transition(order, inspector, "feedback", {"result": "已现场检查", "conclusion": "confirmed_risk"}, [photo])
    if close:
        transition(order, admin, "verify_close", {"verify_opinion": "整改到位"})
    order.refresh_from_db()
    return order
