from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve regwatch with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-tasks", action="store_true", help="do not start the task worker and scheduler (`regwatch worker`)")

    def handle(self, *args: Any, bind: str, workers: int, no_tasks: bool = False, **opts: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from regwatch.wsgi import application

        options = {"bind": bind, "workers": workers, "accesslog": "-", "timeout": 120}

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        # One task worker + scheduler beside the web workers (never a scheduler inside each web worker),
        # restarted by its supervisor if it dies (`regwatch worker`, ops.supervisor).
        tasks = None if no_tasks else subprocess.Popen([sys.executable, "-m", "regwatch.cli", "worker"])
        self.stdout.write(f"regwatch 已启动：http://{bind}/  （Ctrl+C 停止）")
        try:
            Server().run()
        finally:
            if tasks is not None:
                tasks.terminate()
                tasks.wait(timeout=10)
