from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from regwatch.ops.progress import track
from regwatch.packs.demo import DEMO_PASSWORD, ensure_demo_users
from regwatch.packs.generate import generate_pack_data
from regwatch.subjects.models import Subject


class Command(BaseCommand):
    help = "Migrate, load a pack with synthetic data, create demo users, and serve. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pack", default="food_credit")
        parser.add_argument("--subjects", type=int, default=settings.REGWATCH_DEMO_SUBJECTS)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="set up and exit")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移")
        have = Subject.objects.filter(pack=opts["pack"]).count()
        if have >= opts["subjects"]:
            self.stdout.write(f"已有 {have} 个主体，跳过数据生成")
        else:
            try:
                with track("generate", "生成演示数据", total=opts["subjects"], echo=True) as job:
                    counts = generate_pack_data(opts["pack"], opts["subjects"], opts["seed"], progress=job.advance)
            except (FileNotFoundError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"新增主体 {counts['subjects']}，记录 {counts['records']}")
        call_command("score", "--pack", opts["pack"], "--first", stdout=self.stdout, stderr=self.stderr)
        logins = ensure_demo_users(opts["pack"])
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            token = f"  API Token: {login.token}" if login.token else ""
            self.stdout.write(f"  {login.username:<16} {login.role:<10} {login.organization}（数据范围：{login.scope}）{token}")
        if not opts["no_serve"]:
            call_command("serve", bind=opts["bind"])
