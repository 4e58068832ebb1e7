"""Grades reproducible as of a date: later corrections, status changes and attribute edits leave a
past as-of run's grades unchanged; newest wins on publish; bursts are debounced; killed runs fail.

Runs on SQLite and, with DATABASE_URL set, on PostgreSQL (the extract's SQL differs per vendor).
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from regwatch.intake.models import Source
from regwatch.intake.pipeline import ingest_file
from regwatch.ops.models import Job
from regwatch.scoring import runs, tasks
from regwatch.scoring.data import end_of_day
from regwatch.scoring.models import CurrentGrade, GradeChange, ModelVersion, PendingRegrade, Score, ScoringRun
from regwatch.subjects.models import Record, RecordType, Subject, SubjectVersion
from tests.conftest import TODAY
from tests.intake.conftest import inspection_rows, write_csv

pytestmark = pytest.mark.django_db

D = TODAY - dt.timedelta(days=30)


def published() -> ModelVersion:
    return ModelVersion.objects.select_related("model__scheme").get(model__code="food_credit", status="published")


def pack_subjects(version: ModelVersion) -> Any:
    return Subject.objects.filter(pack=version.model.pack).order_by("pk")


def grades(run: ScoringRun) -> dict[int, tuple[str, float, Any]]:
    return {s.subject_id: (s.level, s.score, s.detail) for s in Score.objects.filter(run=run)}


def dry_run(version: ModelVersion, as_of: dt.date = D, **kw: Any) -> ScoringRun:
    return runs.run_scoring(version, as_of=as_of, publish=False, **kw)


# --- (a) corrections --------------------------------------------------------------------------


def test_a_past_run_keeps_its_grades_after_a_record_is_corrected(world: None) -> None:
    version = published()
    before = dry_run(version)
    cutoff = end_of_day(D)
    rec = next(
        r
        for r in Record.objects.filter(subject__pack=version.model.pack, record_type__code="penalty", known_at__lt=cutoff).order_by("pk")
        if not r.data.get("serious") and grades(before)[r.subject_id][0] != "D"
    )
    known = rec.known_at
    rec.data = {**rec.data, "serious": True}  # the penalty turns out to have been a serious violation
    rec.save()

    rec.refresh_from_db()
    assert rec.known_at > cutoff and rec.data["serious"] is True
    old = Record.all_versions.get(current=rec)
    assert (old.known_at, old.superseded_at, old.data["serious"]) == (known, rec.known_at, False)
    assert not Record.objects.filter(pk=old.pk).exists()  # everything but as-of runs sees the record once

    assert grades(dry_run(version)) == grades(before)
    now = Score.objects.get(run=dry_run(version, as_known_now=True), subject_id=rec.subject_id)
    assert now.level == "D" and "serious_list" in now.detail["f"]


def test_an_intake_correction_is_known_from_its_own_time(world: None, tmp_path: Path) -> None:
    version = published()
    source = Source.objects.get(code="samr_inspection")
    subjects = list(pack_subjects(version).exclude(uscc=None)[:3])
    ids = [s.pk for s in subjects]
    rows = inspection_rows(subjects, prefix="ASOF")
    ingest_file(source, write_csv(tmp_path / "a.csv", rows))
    # as if the file had come in before D's cut-off
    Record.objects.filter(source=source.code, source_ref__startswith="ASOF").update(known_at=end_of_day(D) - dt.timedelta(days=5))
    before = dry_run(version, subject_ids=ids)
    fails = grades(before)[subjects[1].pk][2]["v"]["inspection_fail_60m"]

    rows[1][4], rows[1][5] = "不符合", "4"  # the corrected file: that inspection failed
    fixed = ingest_file(source, write_csv(tmp_path / "b.csv", rows))
    assert fixed.updated == 1
    assert Record.all_versions.filter(source=source.code, source_ref="ASOF-00001").count() == 2

    assert grades(dry_run(version, subject_ids=ids)) == grades(before)
    now = grades(dry_run(version, subject_ids=ids, as_known_now=True))
    assert now[subjects[1].pk][2]["v"]["inspection_fail_60m"] == fails + 1


# --- (b) status changes, (c) attribute edits ---------------------------------------------------


def test_a_licence_revoked_after_d_does_not_change_ds_grade(world: None) -> None:
    version = published()
    before = dry_run(version)
    active = [s for s in pack_subjects(version).filter(status="active") if grades(before)[s.pk][0] != "D"]
    later, backdated = active[0], active[1]
    later.status = "revoked"
    later.save()  # in force from today, after D
    backdated.status = "revoked"
    backdated.save(valid_from=D - dt.timedelta(days=3))  # in force before D, but only learned of now
    assert SubjectVersion.objects.filter(subject=later).count() == 2

    assert grades(dry_run(version)) == grades(before)  # as known at D's cut-off: neither counts
    known_now = grades(dry_run(version, as_known_now=True))
    assert known_now[later.pk] == grades(before)[later.pk]  # revoked after D: not in force on D
    assert known_now[backdated.pk][0] == "D" and known_now[backdated.pk][2]["v"]["licence_revoked"] == 1
    today = grades(dry_run(version, as_of=timezone.localdate(), subject_ids=[later.pk]))
    assert today[later.pk][0] == "D" and "revoked" in today[later.pk][2]["f"]


def test_attribute_edits_after_d_do_not_change_ds_grade(world: None) -> None:
    version = published()
    before = dry_run(version)
    old = [s for s in pack_subjects(version) if grades(before)[s.pk][2]["v"]["established_years"] >= 5]
    edited, backdated = old[0], old[1]
    for s in (edited, backdated):
        s.established_on = D - dt.timedelta(days=100)
        s.industry_code = "9999"
        s.attributes = {**s.attributes, "note": "更正"}
    edited.save()
    backdated.save(valid_from=D - dt.timedelta(days=1))
    unchanged = SubjectVersion.objects.count()
    edited.save()  # nothing graded changed: no new version
    assert SubjectVersion.objects.count() == unchanged

    assert grades(dry_run(version)) == grades(before)
    known_now = grades(dry_run(version, as_known_now=True))
    assert known_now[edited.pk] == grades(before)[edited.pk]
    assert known_now[backdated.pk][2]["v"]["established_years"] == 0


def test_a_subject_without_history_is_graded_with_its_current_values(world: None) -> None:
    version = published()
    subject = pack_subjects(version).first()
    assert subject is not None
    before = grades(dry_run(version, subject_ids=[subject.pk]))
    SubjectVersion.objects.filter(subject=subject).delete()
    assert grades(dry_run(version, subject_ids=[subject.pk])) == before


# --- newest wins ---------------------------------------------------------------------------------


def test_a_full_run_publishing_after_a_newer_regrade_keeps_the_newer_grade(world: None, monkeypatch: Any) -> None:
    version = published()
    today = timezone.localdate()
    runs.run_scoring(version, as_of=today)
    scheme = version.model.scheme
    subject = next(s for s in pack_subjects(version) if CurrentGrade.objects.get(subject=s, scheme=scheme).level == "A")
    real = runs.write_batch
    state: dict[str, Any] = {}

    def meanwhile(rows: Any) -> None:
        # while the full run writes its staging rows, a revocation comes in and is re-graded at once
        if not state:
            state["incremental"] = None  # the incremental run below writes its rows through here too
            Record.objects.create(
                subject=subject,
                record_type=RecordType.objects.get(code="penalty"),
                occurred_on=today,
                source="ui",
                source_ref="newest-wins",
                data={"decision_no": "x", "penalty_type": "revoke_licence", "amount": 50000, "serious": True},
            )
            state["incremental"] = runs.run_scoring(version, as_of=today, subject_ids=[subject.pk])
        real(rows)

    monkeypatch.setattr(runs, "write_batch", meanwhile)
    full = runs.run_scoring(version, as_of=today)
    incremental = state["incremental"]
    assert full.status == incremental.status == "published"
    assert Score.objects.get(run=full, subject=subject).level == "A"  # the full run read before the penalty
    grade = CurrentGrade.objects.get(subject=subject, scheme=scheme)
    assert (grade.run_id, grade.level) == (incremental.pk, "D")
    assert ScoringRun.objects.get(pk=full.pk).kept_newer == 1
    assert not GradeChange.objects.filter(run=full, subject=subject).exists()
    assert CurrentGrade.objects.exclude(subject=subject).filter(run=full).count() == pack_subjects(version).count() - 1


def test_publishing_an_older_as_of_date_never_replaces_newer_grades(world: None) -> None:
    version = published()
    newer = runs.run_scoring(version, as_of=TODAY)
    older = runs.run_scoring(version, as_of=D)
    assert older.status == "published" and ScoringRun.objects.get(pk=older.pk).kept_newer == older.subject_count
    assert set(CurrentGrade.objects.filter(scheme=version.model.scheme).values_list("run_id", flat=True)) == {newer.pk}


# --- debounce ------------------------------------------------------------------------------------


def test_a_burst_of_single_record_writes_is_one_incremental_run(
    world: None, django_capture_on_commit_callbacks: Any, scheduled_tasks: Any
) -> None:
    version = published()
    burst = list(pack_subjects(version)[:6])
    penalty = RecordType.objects.get(code="penalty")
    last = ScoringRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for i, subject in enumerate(burst):  # six separate writes, each committed on its own
        with django_capture_on_commit_callbacks(execute=True):
            Record.objects.create(
                subject=subject,
                record_type=penalty,
                occurred_on=timezone.localdate(),
                source="ui",
                source_ref=f"burst-{i}",
                data={"decision_no": f"b{i}", "penalty_type": "fine", "amount": 1000, "serious": False},
            )
    assert not ScoringRun.objects.filter(pk__gt=last).exists()  # nothing ran yet: the writes are collected
    assert set(PendingRegrade.objects.values_list("subject_id", flat=True)) == {s.pk for s in burst}
    assert scheduled_tasks() == 1  # one flush was scheduled for the whole burst
    new = list(ScoringRun.objects.filter(pk__gt=last))
    assert len(new) == 1
    run = new[0]
    assert run.mode == "incremental" and run.trigger.startswith("event") and run.status == "published"
    assert set(Score.objects.filter(run=run).values_list("subject_id", flat=True)) == {s.pk for s in burst}
    assert not PendingRegrade.objects.exists()
    assert scheduled_tasks() == 0


# --- killed runs -----------------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_killed_run_is_marked_failed_by_the_next_run_and_by_the_worker(world: None) -> None:
    version = published()
    host = socket.gethostname()
    job = Job.objects.create(kind="scoring", title="评分", status=Job.Status.RUNNING)

    def running(**kw: Any) -> ScoringRun:
        return ScoringRun.objects.create(
            version=version, scheme=version.model.scheme, as_of=D, known_cutoff=end_of_day(D), status="running", **kw
        )

    killed = running(host=host, pid=_dead_pid(), heartbeat_at=timezone.now(), job=job)
    elsewhere = running(host="other-host", pid=1, heartbeat_at=timezone.now() - dt.timedelta(hours=2))
    with subprocess.Popen(["sleep", "60"]) as alive_proc:
        try:
            alive = running(host=host, pid=alive_proc.pid, heartbeat_at=timezone.now())
            runs.run_scoring(version, as_of=D, publish=False)
            killed.refresh_from_db(), elsewhere.refresh_from_db(), alive.refresh_from_db()
            assert killed.status == "failed" and "已不存在" in killed.error and "此前的等级仍然有效" in killed.error
            assert elsewhere.status == "failed" and "无响应" in elsewhere.error
            assert alive.status == "running"  # its process still computes
            job.refresh_from_db()
            assert job.status == Job.Status.FAILED and "已中止" in job.error
        finally:
            alive_proc.kill()
    tasks.worker_started()  # the worker's start-up hook
    alive.refresh_from_db()
    assert alive.status == "failed" and str(alive.pid) in alive.error


def test_the_worker_start_up_hook_schedules_pending_regrades(world: None, scheduled_tasks: Any) -> None:
    subject = Subject.objects.first()
    assert subject is not None
    PendingRegrade.objects.create(subject=subject, source="ui")  # left over by a worker that died
    tasks.worker_started()
    assert scheduled_tasks() == 1
    assert not PendingRegrade.objects.exists()


def test_status_changes_and_record_corrections_queue_a_regrade(
    world: None, django_capture_on_commit_callbacks: Any, scheduled_tasks: Any
) -> None:
    version = published()
    active = list(pack_subjects(version).filter(status="active")[:2])
    revoked, planned = active
    rec = Record.objects.filter(subject__pack=version.model.pack).exclude(subject__in=active).order_by("pk").first()
    assert rec is not None
    with django_capture_on_commit_callbacks(execute=True):
        revoked.status = "revoked"
        revoked.save()
    with django_capture_on_commit_callbacks(execute=True):
        planned.status = "closed"
        planned.save(valid_from=timezone.localdate() + dt.timedelta(days=10))  # takes effect later: nothing to re-grade today
    with django_capture_on_commit_callbacks(execute=True):
        rec.summary = f"{rec.summary}（更正）"
        rec.save()
    assert set(PendingRegrade.objects.values_list("subject_id", flat=True)) == {revoked.pk, rec.subject_id}
    assert scheduled_tasks() == 1
    grade = CurrentGrade.objects.get(subject=revoked, scheme=version.model.scheme)
    assert grade.level == "D"
