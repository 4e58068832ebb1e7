"""Reloading a pack keeps what users edited locally, reports it, and gives way only to --force.

Each test copies the installed pack's folder, edits its section files as a pack author would, and
points the loader at the copy.  The objects are picked from the pack's own files, so the tests
name no pack codes beyond the pack itself.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from regwatch.audit.models import AuditEvent
from regwatch.indicators.models import Indicator
from regwatch.intake.models import FieldMapping
from regwatch.packs import loader
from regwatch.packs.loader import load_pack
from regwatch.packs.manifest import pack_dir
from regwatch.packs.models import PackInstall
from regwatch.scoring import lifecycle
from regwatch.scoring.models import GradeScheme, ModelVersion, ScoreModel
from regwatch.warnings.models import WarningRule
from regwatch.workorders.models import WorkflowDefinition
from tests.conftest import _user, login

PACK = "food_credit"


class PackCopy:
    """A writable copy of the pack folder that the loader reads instead of the shipped one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, filename: str) -> Any:
        return yaml.safe_load((self.folder / filename).read_text(encoding="utf-8"))

    def write(self, filename: str, data: Any) -> None:
        (self.folder / filename).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def pack(world: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackCopy:
    folder = tmp_path / PACK
    shutil.copytree(pack_dir(PACK), folder)
    monkeypatch.setattr(loader, "pack_dir", lambda name: folder if name == PACK else pack_dir(name))
    return PackCopy(folder)


def _model_admin() -> Any:
    return _user("model_admin")


def _edit_rule_in_the_ui(rule: WarningRule, **changes: Any) -> None:
    form = {
        "name": rule.name,
        "level": rule.level,
        "message": rule.message,
        "subject_kinds": json.dumps(rule.subject_kinds, ensure_ascii=False),
        "params": json.dumps(rule.params, ensure_ascii=False),
        "cooldown_days": rule.cooldown_days,
        "description": rule.description,
        **({"enabled": "on"} if rule.enabled else {}),
        **changes,
    }
    response = login(_model_admin()).post(f"/warning-rules/{rule.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]


def _load(*args: str) -> str:
    out = io.StringIO()
    call_command("pack", "load", PACK, *args, stdout=out)
    return out.getvalue()


def test_a_freshly_loaded_pack_has_nothing_locally_modified(world: None) -> None:
    for model in (WarningRule, GradeScheme, ScoreModel, ModelVersion, FieldMapping, Indicator, WorkflowDefinition):
        rows = model.objects.filter(pack=PACK) if hasattr(model, "pack") else model.objects.all()  # type: ignore[attr-defined]
        assert rows.exists() and not rows.filter(locally_modified=True).exists(), model
        assert not rows.filter(pack_checksum="").exists(), model


def test_untouched_objects_follow_the_changed_pack(pack: PackCopy) -> None:
    rules = pack.read("rules.yaml")
    rules["rules"][0]["message"] = "{subject}：业务包新版提示"
    pack.write("rules.yaml", rules)
    flows = pack.read("workflows.yaml")
    flows["workflows"][0]["name"] += "（新版）"
    pack.write("workflows.yaml", flows)
    before = WorkflowDefinition.objects.get(code=flows["workflows"][0]["code"], is_current=True)

    result = load_pack(PACK)

    assert result.changed and result.conflicts == []
    assert WarningRule.objects.get(code=rules["rules"][0]["code"]).message == "{subject}：业务包新版提示"
    after = WorkflowDefinition.objects.get(code=before.code, is_current=True)
    assert after.version == before.version + 1 and after.name.endswith("（新版）") and not after.locally_modified
    assert result.created["预警规则更新"] == 1 and result.created["工单流程版本"] == 1


def test_a_rule_edited_in_the_ui_is_kept_reported_and_given_up_only_with_force(pack: PackCopy) -> None:
    rules = pack.read("rules.yaml")
    spec = rules["rules"][0]
    rule = WarningRule.objects.get(code=spec["code"])
    _edit_rule_in_the_ui(rule, cooldown_days=30)
    rule.refresh_from_db()
    assert rule.locally_modified and rule.cooldown_days == 30
    listing = login(_model_admin()).get("/warning-rules/", {"q": rule.code}).content.decode()
    assert "本地已修改" in listing  # the mark is a column of the list

    spec["message"] = "{subject}：业务包新版提示"
    pack.write("rules.yaml", rules)
    out = _load()

    rule.refresh_from_db()
    assert rule.cooldown_days == 30 and rule.message != spec["message"] and rule.locally_modified
    assert "1 项本地修改与业务包冲突，已保留本地版本" in out
    assert "类型" in out and "预警规则" in out and rule.name in out and "保留本地" in out
    assert "冷却期（天）" in out and "消息模板" in out and "业务包新版提示" in out  # what the pack would change
    assert PackInstall.objects.get(name=PACK).conflicts

    # Loading again (the pack unchanged) still reports the conflict instead of "已是最新".
    assert "已保留本地版本" in _load()

    out = _load("--force")
    rule.refresh_from_db()
    assert rule.message == spec["message"] and rule.cooldown_days == spec.get("cooldown_days", 0) and not rule.locally_modified
    assert "已被业务包覆盖" in out and "以业务包覆盖" in out
    event = AuditEvent.objects.filter(object_type="warnings.warningrule", object_id=str(rule.pk)).latest("at")
    assert event.actor_label == f"system:pack-load:{PACK}:force" and event.before["cooldown_days"] == 30  # type: ignore[index]
    assert not PackInstall.objects.get(name=PACK).conflicts
    assert "已是最新" in _load()


def test_a_local_edit_stays_silently_when_the_pack_did_not_change_that_object(pack: PackCopy) -> None:
    rules = pack.read("rules.yaml")
    edited, other = (WarningRule.objects.get(code=r["code"]) for r in rules["rules"][:2])
    _edit_rule_in_the_ui(edited, cooldown_days=45)
    rules["rules"][1]["message"] = "{subject}：另一条规则的新提示"
    pack.write("rules.yaml", rules)

    result = load_pack(PACK)

    edited.refresh_from_db()
    other.refresh_from_db()
    assert result.conflicts == [] and edited.cooldown_days == 45 and edited.locally_modified
    assert other.message == "{subject}：另一条规则的新提示"


def test_reverting_an_edit_clears_the_mark_and_status_changes_are_not_edits(world: None) -> None:
    rule = WarningRule.objects.filter(pack=PACK).first()
    assert rule is not None
    original = rule.cooldown_days
    _edit_rule_in_the_ui(rule, cooldown_days=original + 7)
    rule.refresh_from_db()
    assert rule.locally_modified
    _edit_rule_in_the_ui(rule, cooldown_days=original)
    rule.refresh_from_db()
    assert not rule.locally_modified

    version = ModelVersion.objects.filter(model__pack=PACK, status="published").first()
    assert version is not None
    lifecycle.retire(version)  # a lifecycle step of the pack's version, not an edit of its scorecard
    version.refresh_from_db()
    assert not version.locally_modified


def test_a_mapping_version_saved_in_the_ui_is_never_replaced_silently(pack: PackCopy) -> None:
    intake = pack.read("intake.yaml")
    source = next(s for s in intake["sources"] if s.get("mappings"))
    spec = source["mappings"][0]
    mapping = FieldMapping.objects.get(source__code=source["code"], target=spec["target"], is_current=True)
    fields = [*mapping.fields, {"target": "data.local_note", "source": "本地备注"}]
    form = {"fields_json": json.dumps(fields, ensure_ascii=False), "rules_json": "[]", "note": "本地加列"}
    response = login(_user("data_admin")).post(f"/intake/mappings/{mapping.pk}/edit/", form)
    assert response.status_code == 302
    local = FieldMapping.objects.get(source__code=source["code"], target=spec["target"], is_current=True)
    assert local.version == mapping.version + 1 and local.locally_modified

    spec["fields"].append({"target": "data.pack_note", "source": "业务包备注"})
    pack.write("intake.yaml", intake)
    result = load_pack(PACK)

    current = FieldMapping.objects.get(source__code=source["code"], target=spec["target"], is_current=True)
    assert current.pk == local.pk
    (conflict,) = result.conflicts
    assert conflict.kind == "字段映射" and not conflict.overwritten
    assert any("业务包备注" in pack_value for _, _, pack_value in conflict.changes)

    result = load_pack(PACK, force=True)
    current = FieldMapping.objects.get(source__code=source["code"], target=spec["target"], is_current=True)
    assert current.version == local.version + 1 and current.fields[-1]["source"] == "业务包备注" and not current.locally_modified
    assert FieldMapping.objects.filter(pk=local.pk).exists()  # the local version stays in the history
    assert result.conflicts[0].overwritten


def test_a_scorecard_draft_from_the_weights_page_is_kept_until_forced(pack: PackCopy) -> None:
    scoring = pack.read("scoring.yaml")
    spec = scoring["models"][0]
    model = ScoreModel.objects.get(code=spec["code"])
    base = model.published()
    assert base is not None
    form = {f"weight_{c['code']}": c["weight"] for c in base.spec["categories"]}
    form |= {f"{k}_{lv['code']}": lv[k] for lv in base.levels for k in ("min", "max", "color")}
    response = login(_model_admin()).post(f"/scoring/versions/{base.pk}/edit/", form | {"note": "本地调整"})
    assert response.status_code == 302
    draft = model.versions.order_by("-number").first()
    assert draft is not None and draft.number == base.number + 1 and draft.locally_modified

    categories = spec["scorecard"]["categories"]
    categories[0]["weight"], categories[1]["weight"] = categories[0]["weight"] + 1, categories[1]["weight"] - 1
    pack.write("scoring.yaml", scoring)
    result = load_pack(PACK)

    assert model.versions.order_by("-number").first() == draft
    (conflict,) = result.conflicts
    assert conflict.kind == "模型版本" and any("weight" in what for what, _, _ in conflict.changes)

    load_pack(PACK, force=True)
    newest = model.versions.order_by("-number").first()
    assert newest is not None and newest.number == draft.number + 1 and not newest.locally_modified
    assert newest.spec["categories"][0]["weight"] == categories[0]["weight"]
    assert newest.status == "draft" and model.published() == base  # publishing stays a reviewed step


def test_a_locally_changed_grade_scheme_and_workflow_are_kept(pack: PackCopy) -> None:
    scoring = pack.read("scoring.yaml")
    scheme = GradeScheme.objects.get(code=scoring["grade_schemes"][0]["code"])
    scheme.name = "本地改名"
    scheme.levels = [{**scheme.levels[0], "color": "#000000"}, *scheme.levels[1:]]
    scheme.save()
    versions = ModelVersion.objects.filter(model__scheme=scheme).count()
    scoring["grade_schemes"][0]["name"] += "（新版）"
    pack.write("scoring.yaml", scoring)

    flows = pack.read("workflows.yaml")
    current = WorkflowDefinition.objects.get(code=flows["workflows"][0]["code"], is_current=True)
    WorkflowDefinition.objects.filter(pk=current.pk).update(is_current=False)
    local = WorkflowDefinition.objects.create(  # a locally made newer version, e.g. through the API
        code=current.code, name="本地流程", version=current.version + 1, definition=current.definition, checksum=current.checksum
    )
    flows["workflows"][0]["name"] += "（新版）"
    pack.write("workflows.yaml", flows)

    result = load_pack(PACK)

    assert {c.kind for c in result.conflicts} == {"等级方案", "工单流程定义"}
    scheme.refresh_from_db()
    assert scheme.name == "本地改名" and scheme.levels[0]["color"] == "#000000"
    assert ModelVersion.objects.filter(model__scheme=scheme).count() == versions  # the scorecard did not change
    assert WorkflowDefinition.objects.get(code=current.code, is_current=True) == local


def test_an_indicator_edited_locally_is_kept(pack: PackCopy) -> None:
    data = pack.read("indicators.yaml")
    spec = data["indicators"][0]
    indicator = Indicator.objects.get(pack=PACK, code=spec["code"])
    indicator.owner_department = "本地责任处室"
    indicator.save()
    spec["owner_department"] = "业务包责任处室"
    pack.write("indicators.yaml", data)

    result = load_pack(PACK)

    indicator.refresh_from_db()
    assert indicator.owner_department == "本地责任处室"
    assert [c.kind for c in result.conflicts] == ["风险指标"]
    load_pack(PACK, force=True)
    indicator.refresh_from_db()
    assert indicator.owner_department == "业务包责任处室" and not indicator.locally_modified


def test_the_upgrade_finds_earlier_edits_in_the_audit_trail(world: None) -> None:
    from django.apps import apps

    from regwatch.packs.tracking import mark_earlier_edits

    edited, untouched = WarningRule.objects.filter(pack=PACK)[:2]
    _edit_rule_in_the_ui(edited, cooldown_days=edited.cooldown_days + 3)
    WarningRule.objects.update(locally_modified=False, pack_checksum="")  # as just after the migration added the fields

    mark_earlier_edits("warnings", {"WarningRule": ("message", "cooldown_days")})(apps, None)

    assert WarningRule.objects.get(pk=edited.pk).locally_modified
    assert not WarningRule.objects.get(pk=untouched.pk).locally_modified  # only ever written by pack loads
