"""Work-order side of ledger verification: every step and attachment still has its entry.

The hash chain detects altered, removed or reordered entries inside the chain; this check
also detects entries cut off the chain's end and steps/attachments altered in our own tables.
"""

from __future__ import annotations

from regwatch.audit.ledger import Problem
from regwatch.audit.models import LedgerEntry

from .models import Attachment, WorkOrderStep


def check_references() -> list[Problem]:
    problems: list[Problem] = []
    entries = {e.seq: e for e in LedgerEntry.objects.filter(kind__in=["workorder_step", "attachment"])}
    for step in WorkOrderStep.objects.select_related("order").exclude(ledger_seq=None).iterator(chunk_size=2000):
        e = entries.get(step.ledger_seq or 0)
        if e is None or e.object_id != str(step.pk):
            problems.append(Problem(step.ledger_seq, f"工单{step.order.number}第{step.seq}步的存证记录缺失"))
        elif (
            e.payload.get("action") != step.action
            or e.payload.get("to") != step.to_state
            or e.payload.get("fields") != step.fields
            or e.payload.get("comment") != step.comment
        ):
            problems.append(Problem(step.ledger_seq, f"工单{step.order.number}第{step.seq}步与存证记录不一致（环节被篡改）"))
    for att in Attachment.objects.exclude(ledger_seq=None).iterator(chunk_size=2000):
        e = entries.get(att.ledger_seq or 0)
        if e is None or e.object_id != str(att.pk):
            problems.append(Problem(att.ledger_seq, f"附件“{att.name}”的存证记录缺失"))
        elif e.payload.get("digest") != att.digest or e.payload.get("file") != att.file.name:
            problems.append(Problem(att.ledger_seq, f"附件“{att.name}”与存证记录不一致"))
    return problems
