"""``regwatch unlock USERNAME [--ip ADDRESS]``: lift login delays when nobody can sign in to do it."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regwatch.accounts.models import User
from regwatch.accounts.services import unlock_login
from regwatch.audit.context import system


class Command(BaseCommand):
    help = "解除用户（及可选的IP地址）的登录限制：延时、验证码与地址封禁"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="用户名")
        parser.add_argument("--ip", default="", help="同时解除该IP地址的登录封禁")

    def handle(self, *args: Any, username: str = "", ip: str = "", **options: Any) -> None:
        if not username and not ip:
            raise CommandError("请给出用户名或 --ip 地址")
        if ip:
            try:
                ip = str(ipaddress.ip_address(ip.strip()))
            except ValueError as exc:
                raise CommandError(f"IP地址格式不正确：{ip}") from exc
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户名为 {username} 的用户")
        with system("unlock"):
            unlock_login(None, user, ip)
        self.stdout.write(f"已解除登录限制：{' '.join(x for x in (username, ip) if x)}")
