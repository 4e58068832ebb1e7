"""Scoring pages: grade distribution, overrides, version actions, weight/threshold editor, compare.

Every page that shows grades shows one grade scheme, names it, and offers the others (``?scheme=``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.core.dictionaries import industry_name
from regwatch.core.models import Region
from regwatch.subjects.models import Subject
from regwatch.web.services import require

from . import lifecycle
from . import overrides as ov
from .models import CurrentGrade, GradeOverride, ModelVersion
from .panels import grade_panel
from .read import choose_scheme


def _version_url(version: ModelVersion) -> str:
    return f"/model-versions/{version.pk}/"


@login_required
def distribution(request: Any) -> HttpResponse:
    require(request.user, "scoring.view_currentgrade")
    scheme, schemes = choose_scheme(visible(CurrentGrade.objects.all(), request.user), request.GET.get("scheme"))
    grades = visible(CurrentGrade.objects.filter(scheme=scheme), request.user)
    levels = [lv["code"] for lv in (scheme.levels if scheme else [])]

    def table(key: Any, label: Any) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, int]] = {}
        for k, level, n in grades.annotate(k=key).values_list("k", "level").annotate(n=Count("pk")).order_by("k"):
            rows.setdefault(k or "", dict.fromkeys(levels, 0))[level] = n
        return [{"name": label(k), "counts": [c.get(lv, 0) for lv in levels], "total": sum(c.values())} for k, c in rows.items()]

    county_names = {r.path: r.name for r in Region.objects.filter(level="county")}
    by_region = table(Substr("subject__region__path", 1, 22), lambda p: county_names.get(p, p or "—"))
    by_industry = table(F("subject__industry_code"), lambda c: industry_name(c) if c else "—")
    totals = dict(grades.values_list("level").annotate(n=Count("pk")).order_by())
    chart = {
        "levels": levels,
        "names": [lv["name"] for lv in scheme.levels] if scheme else [],
        "colors": [lv["color"] for lv in scheme.levels] if scheme else [],
        "counts": [totals.get(lv, 0) for lv in levels],
    }
    return render(
        request,
        "scoring/distribution.html",
        {
            "scheme": scheme,
            "schemes": schemes,
            "levels": levels,
            "by_region": by_region,
            "by_industry": by_industry,
            "chart": chart,
            "total": sum(totals.values()),
        },
    )


@login_required
def overrides(request: Any) -> HttpResponse:
    """提出等级调整 (GET: the form for one subject) and the approve/reject posted from an override's page.

    Listing, filtering and exporting overrides is the generic ``grade-overrides`` type.
    """
    require(request.user, "scoring.view_gradeoverride")
    if request.method == "POST":
        target: GradeOverride | None = None
        try:
            if request.POST.get("action") in ("approve", "reject"):
                target = get_object_or_404(visible(GradeOverride.objects.all(), request.user), pk=request.POST.get("override"))
                ov.decide(request.user, target, approve=request.POST["action"] == "approve")
                messages.success(request, "已处理等级调整")
            else:
                subject = get_object_or_404(visible(Subject.objects.all(), request.user), pk=request.POST.get("subject"))
                # The override belongs to a scheme the subject is graded in (the one chosen on the form).
                scheme, _ = choose_scheme(CurrentGrade.objects.filter(subject=subject), request.POST.get("scheme"))
                if scheme is None:
                    raise ValidationError("该主体尚无已发布的评分，无法调整等级")
                target = ov.propose(
                    request.user,
                    subject,
                    scheme,
                    request.POST.get("level", ""),
                    request.POST.get("reason", ""),
                    dt.date.fromisoformat(request.POST.get("expires_on", "")),
                    evidence=request.POST.get("evidence", ""),
                )
                messages.success(request, "已提交等级调整申请，等待另一名用户审批")
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            target = None
        if target is not None:
            return redirect("web:grade-overrides_detail", target.pk)
        back = request.POST.get("subject", "")
        return redirect(f"{reverse('scoring:overrides')}?subject={back}" if back.isdecimal() else reverse("web:grade-overrides_list"))
    subject_id = request.GET.get("subject", "")
    shown = visible(Subject.objects.all(), request.user).filter(pk=int(subject_id)).first() if subject_id.isdecimal() else None
    graded = visible(CurrentGrade.objects.filter(subject=shown) if shown else CurrentGrade.objects.all(), request.user)
    scheme, schemes = choose_scheme(graded, request.GET.get("scheme"))
    return render(
        request,
        "scoring/overrides.html",
        {"subject": shown, "scheme": scheme, "schemes": schemes, "levels": scheme.levels if scheme else []},
    )


# Actions that score every subject: background jobs with a progress card on the version page.
BACKGROUND_ACTIONS = {"dry_run": "试算", "publish": "发布并全量评分"}


def _start_in_background(request: Any, version: ModelVersion, action: str) -> None:
    from regwatch.ops.progress import running_job, start_job

    from .tasks import version_action_job

    label = BACKGROUND_ACTIONS[action]
    if action == "dry_run":
        lifecycle.check_dry_run(version)
    else:
        lifecycle.check_publish(version, request.user)
    if running_job(version) is not None:
        raise ValidationError("该版本已有试算或发布任务在进行中，请等待其完成")
    job = start_job(f"scoring.{action}", f"{label} {version}", total=2, user=request.user, unit="步", ref=version)
    version_action_job(job.pk, version.pk, action, request.user.pk)
    messages.info(request, f"{label}已在后台开始，进度见下方")


@login_required
def subject_grade(request: Any, pk: int) -> HttpResponse:
    """The subject page's grade panel for another scheme (``?scheme=``), swapped in by the scheme select."""
    require(request.user, "scoring.view_currentgrade")
    subject = get_object_or_404(visible(Subject.objects.all(), request.user), pk=pk)
    ctx = grade_panel(subject, request.user, request.GET.get("scheme"))
    return render(request, "scoring/_subject_panel.html", {"ctx": ctx, "subject": subject})


@login_required
@require_POST
def version_action(request: Any, pk: int, action: str) -> HttpResponse:
    version = get_object_or_404(ModelVersion.objects.select_related("model__scheme"), pk=pk)
    require(request.user, "scoring.change_modelversion")
    try:
        if action == "validate":
            lifecycle.mark_validated(version)
            messages.success(request, "校验通过")
        elif action in BACKGROUND_ACTIONS:
            _start_in_background(request, version, action)
        elif action == "retire":
            lifecycle.retire(version)
        elif action == "restore":
            new = lifecycle.restore(version, request.user)
            messages.success(request, f"已恢复为新草稿 v{new.number}")
            return redirect(_version_url(new))
        else:
            raise ValidationError("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect(_version_url(version))


@login_required
def compare(request: Any, a: int, b: int) -> HttpResponse:
    require(request.user, "scoring.view_modelversion")
    va, vb = get_object_or_404(ModelVersion, pk=a), get_object_or_404(ModelVersion, pk=b)
    return render(request, "scoring/compare.html", {"a": va, "b": vb, "diff": lifecycle.compare(va, vb)})


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _number(raw: str, label: str, errors: list[str]) -> float:
    try:
        return float(raw)
    except ValueError:
        errors.append(f"“{label}”应为数字（当前为“{raw}”）" if raw else f"请填写“{label}”")
        return 0.0


@login_required
def edit_weights(request: Any, pk: int) -> HttpResponse:
    """Weights (sliders, each on its own; the page shows what is left to assign), level thresholds and colours → a new draft.

    A refused form comes back with every typed value and each error beside its part: the weights,
    the levels, the change note.
    """
    require(request.user, "scoring.add_modelversion")
    base = get_object_or_404(ModelVersion.objects.select_related("model__scheme"), pk=pk)
    levels = [dict(lv) for lv in (base.levels or base.model.scheme.levels)]
    spec = {**base.spec, "categories": [dict(c) for c in base.spec["categories"]]}
    errors: dict[str, list[str]] = {"weights": [], "levels": [], "note": []}
    note = ""
    if request.method == "POST":
        p = request.POST
        # What is shown again is what was typed; what is checked is its number.
        shown_spec = {**spec, "categories": [{**c, "weight": p.get(f"weight_{c['code']}", "")} for c in spec["categories"]]}
        shown_levels = [
            {
                **lv,
                "min": p.get(f"min_{lv['code']}", "") if i else 0,
                "max": p.get(f"max_{lv['code']}", ""),
                "color": p.get(f"color_{lv['code']}", lv["color"]),
                "description": p.get(f"description_{lv['code']}", lv.get("description", "")),
            }
            for i, lv in enumerate(levels)
        ]
        checked_spec = {
            **spec,
            "categories": [
                {**c, "weight": _number(str(c["weight"]), f"{c['name']}权重", errors["weights"])} for c in shown_spec["categories"]
            ],
        }
        checked_levels = [
            {
                **lv,
                "min": _number(str(lv["min"]), f"{lv['name']}下限", errors["levels"]),
                "max": _number(str(lv["max"]), f"{lv['name']}上限", errors["levels"]),
            }
            for lv in shown_levels
        ]
        note = p.get("note", "").strip()
        if not note:
            errors["note"].append("请填写调整说明：写明为什么调整，供复核人审阅")
        from .spec import GradeSchemeSpec, ScorecardSpec

        if not errors["weights"]:
            try:
                ScorecardSpec.model_validate(checked_spec)
            except ValueError as exc:
                errors["weights"].append(lifecycle._message(exc))
        if not errors["levels"]:
            try:
                GradeSchemeSpec.model_validate({"code": base.model.scheme.code, "name": "x", "levels": checked_levels})
            except ValueError as exc:
                errors["levels"].append(lifecycle._message(exc))
        spec, levels = shown_spec, shown_levels
        if not any(errors.values()):
            draft = lifecycle.create_draft(base.model, checked_spec, request.user, note=note[:255], levels=checked_levels)
            messages.success(request, f"已保存为草稿 v{draft.number}，请校验、试算后由另一名用户发布")
            return redirect(_version_url(draft))
    else:
        # Shown as an official writes them: 30, not 30.0.
        spec["categories"] = [{**c, "weight": _plain(c["weight"])} for c in spec["categories"]]
        levels = [{**lv, "min": _plain(lv["min"]), "max": _plain(lv["max"])} for lv in levels]
    return render(
        request,
        "scoring/edit_weights.html",
        {"base": base, "spec": spec, "levels": levels, "errors": errors, "failed": any(errors.values()), "note": note},
    )
