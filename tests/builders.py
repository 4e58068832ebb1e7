"""Data builders for every registered object type: the hook the registry-wide tests run over.

``@builds(Model, ...)`` registers a function ``(model, world) -> (inside, outside)`` that returns
one populated object in the test county (the inspector's, 西湖区) and one outside it.  For
reference data, which has no region, both are simply rows every user may see.  A registered type
without a builder fails ``tests/accounts/test_scope.py::test_every_registered_type_has_a_builder``.

Builders are generic over packs: kinds, record types, workflows, schemes and sources are picked
from the database (whatever packs ``tests/conftest.py`` installed), never named by code.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.approvals.models import ApprovalRequest
from regwatch.audit.models import AccessEvent, AuditEvent
from regwatch.catalog.models import Dataset, DatasetField
from regwatch.core.models import Dictionary, DictionaryItem, Organization, Region
from regwatch.indicators.models import Indicator
from regwatch.intake.models import Batch, FieldMapping, QuarantinedRow, Source
from regwatch.notifications.models import Message
from regwatch.ops.models import Job
from regwatch.quality.models import Measurement, QualityRule
from regwatch.scoring.models import CurrentGrade, GradeOverride, GradeScheme, ModelVersion, Score, ScoringRun
from regwatch.subjects.models import Record, RecordType, Subject, SubjectKind, SubjectTag, Tag
from regwatch.warnings.models import Warning, WarningRule
from regwatch.workorders.models import Clue, Ledger, WorkflowDefinition, WorkOrder

Builder = Callable[[type[models.Model], "World"], tuple[Any, Any]]
BUILDERS: dict[type[models.Model], Builder] = {}
_seq = itertools.count(1)


def builds(*model_classes: type[models.Model]) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for m in model_classes:
            BUILDERS[m] = fn
        return fn

    return register


@dataclass
class World:
    """The two sides of the scope line, and the county user the tests look through."""

    user: Any  # a 西湖区 user (the tests' point of view)
    other: Any  # a user elsewhere
    inside: Any  # a subject in the user's county
    outside: Any  # a subject outside it

    @property
    def mark(self) -> str:
        return f"测{next(_seq):05d}"


def build(model: type[models.Model], world: World) -> tuple[Any, Any]:
    return BUILDERS[model](model, world)


def make_world(user: Any, other: Any) -> World:

    prefix = user.organization.region.path
    # Subjects with records, so record builders and scoring find data of the same pack.
    inside = Subject.objects.filter(region__path__startswith=prefix, records__isnull=False).order_by("pk").first()
    outside = Subject.objects.exclude(region__path__startswith=prefix).filter(records__isnull=False).order_by("pk").first()
    assert inside is not None and outside is not None, "the world needs subjects inside and outside the county"
    return World(user, other, inside, outside)


def _both(fn: Callable[[Any, str], Any], world: World) -> tuple[Any, Any]:
    return fn(world.inside, world.mark), fn(world.outside, world.mark)


# ---- reference data: rows every user sees ------------------------------------------------------


def _two(qs: models.QuerySet[Any]) -> tuple[Any, Any]:
    first, last = qs.order_by("pk").first(), qs.order_by("pk").last()
    assert first is not None, f"the world has no {qs.model._meta.verbose_name}"
    return first, last


@builds(
    Region,
    Organization,
    Dictionary,
    DictionaryItem,
    SubjectKind,
    RecordType,
    Tag,
    Indicator,
    GradeScheme,
    ModelVersion,
    Source,
    FieldMapping,
    WarningRule,
    WorkflowDefinition,
)
def _reference(model: type[models.Model], world: World) -> tuple[Any, Any]:
    return _two(model._default_manager.all())


@builds(User)
def _users(model: type[models.Model], world: World) -> tuple[Any, Any]:
    return world.user, world.other


@builds(Job)
def _jobs(model: type[models.Model], world: World) -> tuple[Any, Any]:

    return tuple(Job.objects.create(kind="test", title=f"测试任务{world.mark}", created_by=u) for u in (world.user, world.other))  # type: ignore[return-value]


@builds(AuditEvent)
def _audit(model: type[models.Model], world: World) -> tuple[Any, Any]:

    s = world.inside
    s.save()  # an audited save writes an event
    return _two(AuditEvent.objects.all())


@builds(AccessEvent)
def _access(model: type[models.Model], world: World) -> tuple[Any, Any]:

    for u in (world.user, world.other):
        AccessEvent.objects.create(actor=u, actor_label=u.username, action="export", target=f"测试导出{world.mark}")
    return _two(AccessEvent.objects.all())


@builds(Dataset, DatasetField)
def _catalog(model: type[models.Model], world: World) -> tuple[Any, Any]:

    if not Dataset.objects.exists():
        from regwatch.catalog.services import sync_catalog

        sync_catalog()
    return _two(model._default_manager.all()) if model is not DatasetField else _two(DatasetField.objects.all())


@builds(QualityRule)
def _quality_rules(model: type[models.Model], world: World) -> tuple[Any, Any]:

    if not QualityRule.objects.exists():
        for i in range(2):
            QualityRule.objects.create(
                code=f"test_rule_{i}", name=f"测试质量规则{i}", dataset="subject", dimension="completeness", metric="必填通过率"
            )
    return _two(QualityRule.objects.all())


@builds(ScoringRun)
def _runs(model: type[models.Model], world: World) -> tuple[Any, Any]:
    run = _run()
    return run, run


def _run() -> Any:

    version = ModelVersion.objects.order_by("pk").first()
    assert version is not None
    return ScoringRun.objects.create(
        version=version,
        scheme=version.model.scheme,
        as_of=dt.date(2026, 11, 1),
        known_cutoff=timezone.now(),
        status="published",
        trigger="test",
    )


# ---- scoped objects: one in the county, one outside ---------------------------------------------


@builds(Subject)
def _subjects(model: type[models.Model], world: World) -> tuple[Any, Any]:
    return world.inside, world.outside


@builds(Record)
def _records(model: type[models.Model], world: World) -> tuple[Any, Any]:
    def one(subject: Any, mark: str) -> Any:
        rtype = subject.records.order_by("pk").first().record_type
        return subject.records.create(record_type=rtype, occurred_on=dt.date(2026, 10, 1), source="manual", summary=f"测试记录{mark}")

    return _both(one, world)


@builds(SubjectTag)
def _subject_tags(model: type[models.Model], world: World) -> tuple[Any, Any]:

    tag, _ = Tag.objects.get_or_create(code="scope_test", defaults={"name": "范围测试"})
    return _both(lambda s, m: SubjectTag.objects.get_or_create(subject=s, tag=tag)[0], world)


@builds(Warning)
def _warnings(model: type[models.Model], world: World) -> tuple[Any, Any]:

    def one(subject: Any, mark: str) -> Any:
        return Warning.objects.create(
            subject=subject, rule_key=f"test:{mark}", source="test", level="red", title=f"测试预警{mark}", message=f"测试预警内容{mark}"
        )

    return _both(one, world)


@builds(WorkOrder)
def _work_orders(model: type[models.Model], world: World) -> tuple[Any, Any]:

    wf = WorkflowDefinition.objects.filter(is_current=True).order_by("pk").first()
    assert wf is not None

    def one(subject: Any, mark: str) -> Any:
        return WorkOrder.objects.create(
            number=f"T{mark[1:]}",
            title=f"测试工单{mark}",
            workflow=wf,
            state=wf.definition["initial"],
            region=subject.region,
            subject=subject,
        )

    return _both(one, world)


@builds(Clue)
def _clues(model: type[models.Model], world: World) -> tuple[Any, Any]:

    return _both(lambda s, m: Clue.objects.create(region=s.region, subject=s, title=f"测试线索{m}", content="群众反映"), world)


@builds(Ledger)
def _ledgers(model: type[models.Model], world: World) -> tuple[Any, Any]:

    return _both(lambda s, m: Ledger.objects.create(name=f"测试台账{m}", period="2026-11", region=s.region), world)


@builds(Score)
def _scores(model: type[models.Model], world: World) -> tuple[Any, Any]:

    run = _run()
    code = run.scheme.levels[0]["code"]
    return _both(lambda s, m: Score.objects.create(run=run, subject=s, score=10.0, level=code, score_level=code), world)


@builds(CurrentGrade)
def _current_grades(model: type[models.Model], world: World) -> tuple[Any, Any]:

    run = _run()
    code = run.scheme.levels[-1]["code"]

    def one(subject: Any, mark: str) -> Any:
        grade, _ = CurrentGrade.objects.update_or_create(
            subject=subject, scheme=run.scheme, defaults={"run": run, "score": 80.0, "level": code, "as_of": run.as_of}
        )
        return grade

    return _both(one, world)


@builds(GradeOverride)
def _overrides(model: type[models.Model], world: World) -> tuple[Any, Any]:

    scheme = GradeScheme.objects.order_by("pk").first()
    assert scheme is not None

    def one(subject: Any, mark: str) -> Any:
        return GradeOverride.objects.create(
            subject=subject,
            scheme=scheme,
            level=scheme.levels[0]["code"],
            reason=f"测试调整{mark}",
            expires_on=dt.date(2027, 1, 1),
            proposed_by=world.other,
        )

    return _both(one, world)


@builds(ApprovalRequest)
def _approvals(model: type[models.Model], world: World) -> tuple[Any, Any]:

    def one(subject: Any, mark: str) -> Any:
        return ApprovalRequest.objects.create(
            kind="export",
            title=f"监管主体 导出 9000 行{mark}",
            requester=world.other,
            region=subject.region,
            target={"list": "subjects", "filters": {"status": ["active"]}, "rows": 9000},
            reason=f"测试申请{mark}",
        )

    return _both(one, world)


@builds(Message)
def _messages(model: type[models.Model], world: World) -> tuple[Any, Any]:

    return tuple(Message.objects.create(recipient=u, kind="test", title=f"测试消息{world.mark}") for u in (world.user, world.other))  # type: ignore[return-value]


def _batch(subject: Any, mark: str) -> Any:

    source = Source.objects.order_by("pk").first()
    return Batch.objects.create(source=source, filename=f"测试批次{mark}.csv", status="done", region=subject.region)


@builds(Batch)
def _batches(model: type[models.Model], world: World) -> tuple[Any, Any]:
    return _both(_batch, world)


@builds(QuarantinedRow)
def _quarantine(model: type[models.Model], world: World) -> tuple[Any, Any]:

    def one(subject: Any, mark: str) -> Any:
        batch = _batch(subject, mark)
        return QuarantinedRow.objects.create(
            batch=batch, row_number=2, sheet=f"测试表{mark}", raw={"名称": subject.name}, reasons=[], region=batch.region
        )

    return _both(one, world)


@builds(Measurement)
def _measurements(model: type[models.Model], world: World) -> tuple[Any, Any]:

    rule = _quality_rules(model, world)[0]

    def one(subject: Any, mark: str) -> Any:
        batch = _batch(subject, mark)
        return Measurement.objects.create(
            rule=rule,
            source=batch.source,
            batch=batch,
            period=dt.date(2026, 11, 1),
            total=10,
            passed=9,
            value=0.9,
            ok=False,
            region=batch.region,
        )

    return _both(one, world)
