"""``regwatch rotate-keys``: re-encrypt every encrypted column with the current key (docs/security.md).

Batches of ``--batch-size`` rows, one transaction each, with progress per column.  Idempotent and
resumable: only values not under the current key are touched, so an interrupted run is simply run
again.  ``--check`` changes nothing and exits 1 while any value is not under the current key — run
it before removing an old key from ``REGWATCH_FIELD_KEYS``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from regwatch.core import crypto


class Command(BaseCommand):
    help = "用当前密钥重新加密所有加密字段（分批、可中断后重跑）；--check 只检查是否还有旧密钥或明文的值。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批行数（每批一个事务），默认 500")
        parser.add_argument("--check", action="store_true", help="只检查，不修改；仍有未用当前密钥加密的值时退出码为 1")

    def handle(self, *args: Any, batch_size: int, check: bool, **opts: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数")
        ring = crypto.keyring()
        self.stdout.write(f"当前密钥：{ring.current.id}（{ring.current.cipher.upper()}-GCM）；密钥环：{', '.join(ring.keys)}")
        left = 0
        for col in crypto.encrypted_columns():
            total = crypto.count_stale(connection, col, ring)
            if check or total == 0:
                self.stdout.write(f"{col}：{total} 个值未用当前密钥加密")
                left += total
                continue
            done = 0
            for done in crypto.reencrypt_column(connection, col, batch_size, ring):
                self.stdout.write(f"{col}：已重新加密 {done}/{total}")
            self.stdout.write(self.style.SUCCESS(f"{col}：完成，{done} 个值"))
        if check and left:
            raise CommandError(f"仍有 {left} 个值未用当前密钥 {ring.current.id} 加密：先运行 regwatch rotate-keys，再移除旧密钥。")
        if check:
            self.stdout.write(self.style.SUCCESS("所有加密字段均已使用当前密钥，可以移除旧密钥。"))
