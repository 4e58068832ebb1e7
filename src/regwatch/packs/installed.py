"""What the core reads from the packs loaded in this database (their validated manifests)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import PackInstall


def dispatch_workflow(source: str, pack: str | None = None) -> str:
    """The workflow code a pack declares under ``dispatch`` for ``source`` (``warning`` or ``clue``).

    Without a pack (a clue about no known subject) the first pack loaded that declares one answers:
    such an item belongs to no pack, and the operator can still pick another workflow by hand.
    """
    installs = PackInstall.objects.order_by("pk")
    if pack:
        installs = installs.filter(name=pack)
    for install in installs:
        code = (install.manifest.get("dispatch") or {}).get(source)
        if code:
            return str(code)
    raise ValidationError(f"业务包{f' {pack} ' if pack else ''}未声明用于处置的工单流程（清单中的 dispatch.{source}）")
