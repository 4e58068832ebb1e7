"""What the alert pool does beyond the generic list and detail (objects.py): bulk review and the
review/snooze/suppress/merge actions posted from a warning's page (dispatch: workorders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.core.text import error_text
from regwatch.web.redirects import safe_next
from regwatch.web.services import require

from . import services
from .models import Warning
from .services import scoped

# Context that apps above us add to the warning page (workorders: the workflows to dispatch to).
DETAIL_CONTEXT: list[Callable[[Any, Warning], dict[str, Any]]] = []


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    require(request.user, "warnings.change_warning")
    chosen = list(scoped(request.user).filter(pk__in=_ids(request.POST.getlist("ids"))))
    if not chosen:
        messages.error(request, "请先勾选预警")
        return redirect(_back(request))
    done, errors = services.bulk_review(request.user, chosen, request.POST.get("decision", ""), request.POST.get("reason", ""))
    if done:
        messages.success(request, f"已研判 {done} 条预警")
    for e in errors[:10]:
        messages.error(request, e)
    return redirect(_back(request))


# Snoozing or suppressing for longer than ten years is a mistake, and a huge number overflows the date.
MAX_DAYS = 3650


def _ids(values: list[str]) -> list[int]:
    """Ids posted by a form; one no row could have (not digits, past bigint) is simply not chosen."""
    return [int(i) for i in values if i.isascii() and i.isdigit() and int(i) < 2**63]


def _days(value: str | None, what: str) -> int:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_DAYS:
        raise ValidationError(f"{what}天数应为 1 至 {MAX_DAYS} 之间的整数")
    return int(text)


def _back(request: HttpRequest) -> str:
    """Back to the filtered list the form was posted from, never to another site."""
    return safe_next(request, reverse("web:warnings_list"), request.POST.get("next", ""))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require(request.user, "warnings.change_warning")
    w = get_object_or_404(scoped(request.user), pk=pk)
    p = request.POST
    try:
        if action == "review":
            services.review(request.user, w, p.get("decision", ""), p.get("reason", ""))
            messages.success(request, "研判结论已保存")
        elif action == "snooze":
            days = _days(p.get("days"), "暂缓")
            services.snooze(request.user, w, timezone.now() + dt.timedelta(days=days), p.get("reason", ""))
            messages.success(request, f"已暂缓 {days} 天")
        elif action == "suppress":
            days = _days(p.get("days"), "屏蔽")
            services.suppress(request.user, w.subject, w.rule_key, timezone.now() + dt.timedelta(days=days), p.get("reason", ""))
            messages.success(request, f"已对该主体屏蔽此规则 {days} 天")
        elif action == "merge":
            others = list(scoped(request.user).filter(pk__in=_ids(p.getlist("ids"))))
            services.merge(request.user, w, others)
            messages.success(request, f"已合并 {len(others)} 条预警")
        else:
            raise ValidationError("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect("web:warnings_detail", w.pk)
