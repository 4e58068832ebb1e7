"""``{% follow_button rule %}``: the 关注 / 取消关注 button of a warning rule for the current user."""

from __future__ import annotations

from typing import Any

from django import template

from regwatch.notifications.services import follows

register = template.Library()


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context: dict[str, Any], rule: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    allowed = user.is_authenticated and user.has_perm("warnings.view_warning")
    return {"rule": rule, "allowed": allowed, "following": allowed and follows(user, rule), "csrf_token": context.get("csrf_token")}
