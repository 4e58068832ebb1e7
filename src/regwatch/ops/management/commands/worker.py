"""``regwatch worker``: the huey task worker and scheduler (``run_huey``), restarted whenever it dies."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from regwatch.ops.supervisor import supervise


class Command(BaseCommand):
    help = "Run the task worker and scheduler (`regwatch run_huey`) under a supervisor that restarts it with back-off."

    def handle(self, *args: Any, **opts: Any) -> None:
        supervise([sys.executable, "-m", "regwatch.cli", "run_huey"])
