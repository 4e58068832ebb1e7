"""Intake pages: upload, batch progress, return-to-source export, fixing rows, match review, undo."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.audit.services import record_access
from regwatch.subjects.models import RecordType, Subject
from regwatch.web.forms import style_form
from regwatch.web.services import require
from regwatch.web.uploads import megabytes, upload_limit

from .explain import column_help, quarantine_rows, subject_note, target_name
from .mapping import RULE_NAMES, column_label, source_columns
from .models import Batch, FieldMapping, MatchReview, MergeLog, QuarantinedRow, Source
from .pipeline import decide_review, resubmit, undo_merge
from .returns import import_template_xlsx, return_to_source_xlsx

UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".json", ".jsonl")


def rule_label(key: str, batch: Batch) -> str:
    rule, _, target = key.partition(":")
    names = RULE_NAMES
    labels: dict[str, str] = {}
    columns: dict[str, str] = {}
    if batch.mapping_id and batch.mapping:
        columns = source_columns(batch.mapping.fields)  # the file's own column names (检查日期), not the field's (发生日期)
        if batch.mapping.target != "subject":
            rt = RecordType.objects.filter(code=batch.mapping.target).first()
            labels = {f["name"]: f.get("label", f["name"]) for f in (rt.fields if rt else [])}
    return f"{names.get(rule, rule)}" + (f" · {column_label(target, columns, labels)}" if target and target != "subject" else "")


HELD = [QuarantinedRow.Status.PENDING, QuarantinedRow.Status.REVIEW]


def batch_context(batch: Batch, user: Any) -> dict[str, Any]:
    failures = sorted(batch.rule_failures.items(), key=lambda kv: -kv[1])
    held = visible(batch.quarantine.filter(status__in=HELD), user)
    return {
        "failures": [(rule_label(k, batch), n) for k, n in failures],
        "pending": batch.quarantine.filter(status__in=HELD).count(),
        "can_export": user.has_perm("intake.view_quarantinedrow"),
        "can_fix": user.has_perm("intake.change_quarantinedrow"),
        "held": quarantine_rows(held, HELD_SHOWN) if user.has_perm("intake.view_quarantinedrow") else [],
        "held_shown": HELD_SHOWN,
        "merges": MergeLog.objects.filter(batch=batch).select_related("subject")[:50],
        "can_undo": user.has_perm("intake.change_mergelog"),
    }


HELD_SHOWN = 50  # rows listed on the batch page; the quarantine list and the Excel file have them all


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(Source.objects.filter(status=Source.Status.ACTIVE), label="数据源")
    target = forms.ChoiceField(label="目标记录类型", required=False, choices=[])
    file = forms.FileField(label="数据文件", help_text="CSV（UTF-8 或 GBK）、Excel（xlsx，可含多个工作表）、JSON 或 JSON Lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = sorted(set(FieldMapping.objects.filter(is_current=True).values_list("target", flat=True)))
        choices = [("", "（数据源唯一的映射）"), *[(t, target_name(t)) for t in targets]]
        self.fields["target"].choices = choices  # type: ignore[attr-defined]
        self.fields["file"].help_text += f"；不超过 {megabytes(settings.REGWATCH_INTAKE_MAX_BYTES)}"
        # Picking a source or a record type reloads the column explanation below the form (HTMX).
        for name in ("source", "target"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("intake:upload_columns"),
                    "hx-trigger": "change",
                    "hx-target": "#column-help",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_source, #id_target",
                }
            )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("只支持 CSV、xlsx、JSON、JSON Lines 文件")
        return f


def columns_context(source_id: Any, target: str, user: Any) -> dict[str, Any]:
    """The expected columns of a source's current mapping (for one record type), or why there are none."""
    source = Source.objects.filter(pk=source_id, status=Source.Status.ACTIVE).first() if str(source_id or "").isdecimal() else None
    if source is None:
        return {"problem": "请选择数据源，下方将列出该数据源文件应包含的列。"}
    mappings = list(FieldMapping.objects.filter(source=source, is_current=True).order_by("target"))
    chosen = [m for m in mappings if m.target == target] if target else mappings
    if not chosen:
        offered = "、".join(target_name(m.target) for m in mappings)
        wanted = f"“{target_name(target)}”的" if target else ""
        return {"source": source, "problem": f"数据源“{source.name}”没有{wanted}字段映射" + (f"，可选：{offered}" if offered else "")}
    if len(chosen) > 1:
        return {"source": source, "problem": "该数据源有多个映射，请选择目标记录类型：" + "、".join(target_name(m.target) for m in chosen)}
    mapping = chosen[0]
    return {
        "source": source,
        "mapping": mapping,
        "target_name": target_name(mapping.target),
        "columns": column_help(mapping),
        "subject_note": subject_note(mapping),
        "can_template": user.has_perm("intake.view_fieldmapping"),
    }


def _recent_batch(user: Any) -> Batch | None:
    """The user's last upload, so the page shows what became of it (counts and held-back rows)."""
    return visible(Batch.objects.filter(created_by=user, channel=Source.Kind.FILE), user).select_related("source", "mapping").first()


def _default_source(recent: Batch | None) -> int | None:
    """Preselect the source of the user's last upload, else the first file source."""
    if recent is not None and recent.source.status == Source.Status.ACTIVE:
        return recent.source_id
    active = Source.objects.filter(status=Source.Status.ACTIVE)
    return active.filter(kind=Source.Kind.FILE).values_list("pk", flat=True).first() or active.values_list("pk", flat=True).first()


@upload_limit("REGWATCH_INTAKE_MAX_BYTES")
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    require(request.user, "intake.add_batch")
    form = UploadForm(request.POST or None, request.FILES or None)
    style_form(form)
    if request.method == "POST" and form.is_valid():
        from .pipeline import IntakeError, current_mapping
        from .tasks import ingest_uploaded

        source = form.cleaned_data["source"]
        target = form.cleaned_data["target"] or None
        try:
            current_mapping(source, target)
        except IntakeError as exc:
            form.add_error("target", str(exc))
        else:
            f = form.cleaned_data["file"]
            folder = Path(settings.MEDIA_ROOT) / "intake"
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, suffix=Path(f.name).suffix.lower(), delete=False) as tmp:
                for chunk in f.chunks():
                    tmp.write(chunk)
            batch = Batch.objects.create(source=source, filename=f.name[:255], created_by=request.user)  # type: ignore[misc]
            ingest_uploaded(batch.pk, tmp.name, target)
            return redirect(reverse("web:intake-batches_detail", args=[batch.pk]))
    data = request.POST if request.method == "POST" else request.GET
    recent = _recent_batch(request.user)
    source_id = data.get("source") or _default_source(recent)
    if request.method == "GET" and "source" not in data:
        form.initial["source"] = source_id
    ctx = {
        "form": form,
        "limit": megabytes(settings.REGWATCH_INTAKE_MAX_BYTES),
        "help": columns_context(source_id, data.get("target", ""), request.user),
        "recent": recent,
        "held": quarantine_rows(visible(recent.quarantine.filter(status__in=HELD), request.user), HELD_SHOWN) if recent else [],
        "held_shown": HELD_SHOWN,
        "pending": recent.quarantine.filter(status__in=HELD).count() if recent else 0,
        "can_fix": request.user.has_perm("intake.change_quarantinedrow"),
    }
    return render(request, "intake/upload.html", ctx, status=400 if form.errors else 200)


@login_required
def upload_columns(request: HttpRequest) -> HttpResponse:
    """HTMX: the column explanation for the source and record type picked on the upload page."""
    require(request.user, "intake.add_batch")
    ctx = {"help": columns_context(request.GET.get("source"), request.GET.get("target", ""), request.user)}
    return render(request, "intake/_columns.html", ctx)


@login_required
def return_file(request: HttpRequest, pk: int) -> FileResponse:
    """问题数据反馈: the quarantined rows of a batch with their reasons, to send back to the source."""
    require(request.user, "intake.view_quarantinedrow")
    batch = get_object_or_404(Batch, pk=pk)
    rows = batch.quarantine.exclude(status=QuarantinedRow.Status.FIXED).order_by("sheet", "row_number")
    tmp = return_to_source_xlsx(batch, rows)
    record_access("export", f"问题数据反馈 批次{batch.pk}", rows=rows.count())
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=f"问题数据反馈-{batch.source.code}-批次{batch.pk}-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def fix_row(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "intake.change_quarantinedrow")
    row = get_object_or_404(visible(QuarantinedRow.objects.select_related("batch__source", "batch__mapping"), request.user), pk=pk)
    keys = [k for k in row.raw if not k.startswith("_")]
    mapping = row.batch.mapping
    helps = {c.column: c for c in column_help(mapping)} if mapping else {}
    keys += [c for c in helps if c not in keys]  # a column the file lacked can be filled in here
    if request.method == "POST":
        values = {k: request.POST.get(f"f_{i}", "") for i, k in enumerate(keys)}
        # A column the file lacked and the form left empty stays missing, so the mapping's default applies.
        row_values = {k: v for k, v in values.items() if v != "" or k in row.raw}
        ok, reasons = resubmit(row, row_values, request.user)
        if ok:
            messages.success(request, f"第{row.row_number}行已修正入库")
            return redirect(reverse("web:intake-batches_detail", args=[row.batch_id]))
        ctx = _fix_context(row, keys, values, reasons, helps) | {"retried": True}
        return render(request, "intake/fix_row.html", ctx, status=400)
    values = {k: "" if row.raw.get(k) is None else row.raw[k] for k in keys}
    return render(request, "intake/fix_row.html", _fix_context(row, keys, values, row.reasons, helps))


def _fix_context(
    row: QuarantinedRow, keys: list[str], values: dict[str, Any], reasons: list[dict[str, str]], helps: dict[str, Any]
) -> dict[str, Any]:
    """Each reason beside the field (file column) it is about; the others (subject, row format) above the form."""
    by_column: dict[str, list[str]] = {}
    general: list[str] = []
    for r in reasons:
        column = r.get("column", "")
        if column in values and r.get("severity", "block") == "block":
            by_column.setdefault(column, []).append(r["message"])
        elif r.get("severity", "block") == "block":
            general.append(r["message"])
    items = [{"index": i, "key": k, "value": values[k], "errors": by_column.get(k, []), "help": helps.get(k)} for i, k in enumerate(keys)]
    return {"row": row, "items": items, "reasons": general, "failed": bool(by_column or general)}


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    require(request.user, "intake.change_matchreview")
    qs = MatchReview.objects.filter(status=MatchReview.Status.PENDING).select_related("row__batch__source", "candidate__region")
    qs = qs.filter(candidate__in=visible(_subjects(), request.user))
    return render(request, "intake/reviews.html", {"reviews": qs[:200]})


def _subjects() -> Any:
    return Subject.objects.all()


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "intake.change_matchreview")
    review = get_object_or_404(MatchReview.objects.filter(candidate__in=visible(_subjects(), request.user)), pk=pk)
    if review.status != MatchReview.Status.PENDING:
        messages.warning(request, "该匹配已处理")
        return redirect("intake:reviews")
    confirm = request.POST.get("decision") == "confirm"
    ok, reasons = decide_review(review, confirm, request.user)
    if confirm and ok:
        messages.success(request, f"已确认为“{review.candidate.name}”，数据已入库")
    elif confirm:
        messages.error(request, "确认后入库失败：" + "；".join(r["message"] for r in reasons))
    else:
        messages.info(request, "已驳回，该行回到隔离区待修正")
    return redirect("intake:reviews")


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "intake.change_mergelog")
    log = get_object_or_404(MergeLog.objects.filter(subject__in=visible(_subjects(), request.user), undone_at=None), pk=pk)
    undo_merge(log, request.user)
    messages.success(request, "合并已撤销，该行回到隔离区")
    return redirect(reverse("web:intake-batches_detail", args=[log.batch_id]))


@login_required
def import_template(request: HttpRequest, pk: int) -> FileResponse:
    """导入模板: the columns a source's current mapping reads, with required columns marked and code lists."""
    require(request.user, "intake.view_fieldmapping")
    mapping = get_object_or_404(FieldMapping.objects.select_related("source"), pk=pk)
    return FileResponse(
        import_template_xlsx(mapping),
        as_attachment=True,
        filename=f"导入模板-{mapping.source.code}-{mapping.target}-v{mapping.version}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class MappingForm(forms.Form):
    fields_json = forms.CharField(label="字段映射（JSON）", widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}))
    rules_json = forms.CharField(
        label="校验规则（JSON）", required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"})
    )
    note = forms.CharField(label="修改说明", max_length=255, required=False)

    def _parse(self, name: str, spec: Any) -> list[dict[str, Any]]:
        import json

        from pydantic import ValidationError

        text = self.cleaned_data.get(name) or "[]"
        try:
            items = json.loads(text)
            if not isinstance(items, list):
                raise ValueError
        except ValueError:
            raise forms.ValidationError("应为 JSON 数组") from None
        try:
            return [spec.model_validate(i).model_dump(exclude_defaults=True) for i in items]
        except ValidationError as exc:
            raise forms.ValidationError("；".join(f"第{e['loc'][0] if e['loc'] else ''}项：{e['msg']}" for e in exc.errors()[:5])) from None

    def clean_fields_json(self) -> list[dict[str, Any]]:
        from .packsection import FieldSpec

        return self._parse("fields_json", FieldSpec)

    def clean_rules_json(self) -> list[dict[str, Any]]:
        from .packsection import RuleSpec

        return self._parse("rules_json", RuleSpec)


@login_required
def mapping_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a mapping: the result is stored as a new version; batches keep pointing at the version they used."""
    import json

    from .packsection import save_mapping

    require(request.user, "intake.add_fieldmapping")
    mapping = get_object_or_404(FieldMapping.objects.select_related("source"), pk=pk)
    initial = {
        "fields_json": json.dumps(mapping.fields, ensure_ascii=False, indent=1),
        "rules_json": json.dumps(mapping.rules, ensure_ascii=False, indent=1),
    }
    form = MappingForm(request.POST or None, initial=initial)
    style_form(form)
    if request.method == "POST" and form.is_valid():
        new = save_mapping(
            mapping.source, mapping.target, form.cleaned_data["fields_json"], form.cleaned_data["rules_json"], form.cleaned_data["note"]
        )
        messages.success(request, f"已保存为 v{new.version}")
        return redirect(reverse("web:intake-mappings_detail", args=[new.pk]))
    latest = FieldMapping.objects.filter(source=mapping.source, target=mapping.target).order_by("-version").first()
    ctx = {"form": form, "mapping": mapping, "next_version": (latest.version if latest else 0) + 1}
    return render(request, "intake/mapping_form.html", ctx, status=400 if form.errors else 200)
