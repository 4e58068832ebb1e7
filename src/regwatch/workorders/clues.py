"""Clues (线索) and ledger task packages (台账): review, bundle, dispatch, carry over."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.core.models import Organization
from regwatch.packs.installed import dispatch_workflow
from regwatch.web.services import require, require_in_scope

from .models import Clue, Ledger, LedgerItem
from .workflow import create_order


@transaction.atomic
def review_clue(user: Any, clue: Clue, accept: bool, reason: str = "") -> Clue:
    require(user, "workorders.change_clue")
    require_in_scope(user, clue)
    if clue.status != Clue.Status.NEW:
        raise ValidationError("该线索已审核")
    if not accept and not reason.strip():
        raise ValidationError("不予受理必须填写理由")
    clue.status = Clue.Status.ACCEPTED if accept else Clue.Status.REJECTED
    clue.review_reason, clue.reviewed_by = reason.strip(), user
    clue.save()
    return clue


def receiving_org(clue: Clue, fallback: Organization) -> Organization:
    """The organisation of the clue's county (else township, else the creator's)."""
    region: Any = clue.region
    while region is not None:
        org = Organization.objects.filter(region=region).order_by("path").first()
        if org is not None and region.level in ("county", "township"):
            return org
        region = region.parent
    return fallback


@transaction.atomic
def build_ledger(user: Any, name: str, period: str) -> Ledger:
    """A new ledger: accepted clues not yet bundled, plus the previous ledger's unfinished items."""
    require(user, "workorders.add_ledger")
    org = user.organization
    previous = Ledger.objects.filter(region=org.region).order_by("-created_at", "-id").first()
    ledger = Ledger.objects.create(name=name, period=period, region=org.region, previous=previous, created_by=user)

    fresh = visible(Clue.objects.filter(status=Clue.Status.ACCEPTED, ledger_items__isnull=True), user).select_related("region__parent")
    items = [LedgerItem(ledger=ledger, clue=c, organization=receiving_org(c, org)) for c in fresh]
    if previous is not None:
        for it in previous.items.select_related("work_order", "clue"):
            if it.work_order is None or it.work_order.closed_at is None:
                items.append(
                    LedgerItem(ledger=ledger, clue=it.clue, organization=it.organization, carried_over=True, work_order=it.work_order)
                )
    LedgerItem.objects.bulk_create(items)
    return ledger


@transaction.atomic
def dispatch_ledger(user: Any, ledger: Ledger, workflow: str | None = None, organizations: dict[int, Organization] | None = None) -> int:
    """Create one order per undispatched item, in ``workflow`` or else the one its subject's pack declares for clues.

    ``organizations`` (item id → organisation) re-routes items; ``create_order`` refuses an
    organisation outside the clue's region unless the user may dispatch across regions.
    """
    require(user, "workorders.add_workorder")
    require_in_scope(user, ledger)
    created = 0
    for it in ledger.items.select_related("clue__region", "clue__subject", "organization").filter(work_order__isnull=True):
        chosen = (organizations or {}).get(it.pk)
        if chosen is not None and chosen.pk != it.organization_id:
            it.organization = chosen
            it.save(update_fields=["organization"])
        order = create_order(
            user,
            workflow=workflow or dispatch_workflow("clue", it.clue.subject.pack if it.clue.subject else None),
            title=f"【{ledger.period}台账】{it.clue.title}",
            description=it.clue.content,
            region=it.clue.region,
            subject=it.clue.subject,
            source="clue",
            clue=it.clue,
            assignee_org=it.organization,
        )
        it.work_order = order
        it.save(update_fields=["work_order"])
        Clue.objects.filter(pk=it.clue_id).update(status=Clue.Status.DISPATCHED)
        created += 1
    ledger.dispatched_at = timezone.now()
    ledger.save(update_fields=["dispatched_at"])
    return created
