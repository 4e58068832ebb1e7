"""Database triggers that make the audit tables append-only (PostgreSQL and SQLite).

An UPDATE is refused unless it is one of the two the application makes: the sealing step filling
``seq`` and ``chain`` of a row not sealed yet (nothing else changed), or Django's ``SET NULL`` of
``actor_id`` when an account is deleted (the login name stays in ``actor_label``).  A DELETE is
refused for any row younger than the policy minimum of 180 days, so only the retention purge can
remove rows.  ``TRUNCATE`` (a whole-table wipe, PostgreSQL) fires no row trigger; on SQLite
Django's ``flush`` (used between transactional tests) is let through by a per-connection function.

The triggers stop the application and careless hands; a DBA can drop them, which is what the
MAC chain (``audit/chain.py``) is for.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from typing import Any

MIN_DAYS = 180  # chain.MIN_RETENTION_DAYS; kept here so migrations do not import models
TABLES = ("audit_auditevent", "audit_accessevent", "audit_auditcheckpoint")
SEAL_COLUMNS = ("seq", "chain")
ACTOR_COLUMN = "actor_id"
UPDATE_REFUSED = "审计记录只可追加，不可修改"
DELETE_REFUSED = "审计记录在保存期内不可删除"

_flushing: contextvars.ContextVar[bool] = contextvars.ContextVar("regwatch_audit_flushing", default=False)

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION regwatch_audit_guard() RETURNS trigger AS $$
DECLARE
  old_row jsonb := to_jsonb(OLD);
  new_row jsonb := to_jsonb(NEW);
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (old_row->>'seq') IS NULL AND (new_row - 'seq' - 'chain') = (old_row - 'seq' - 'chain') THEN
      RETURN NEW;
    END IF;
    IF (new_row->>'actor_id') IS NULL AND (new_row - 'actor_id') = (old_row - 'actor_id') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION USING MESSAGE = '{UPDATE_REFUSED}: ' || TG_TABLE_NAME, ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.at < now() - interval '{MIN_DAYS} days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION USING MESSAGE = '{DELETE_REFUSED}: ' || TG_TABLE_NAME, ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql
"""


def _same(columns: Iterable[str]) -> str:
    return " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns) or "1"


def _sqlite_statements(table: str, columns: list[str]) -> list[str]:
    others = [c for c in columns if c not in SEAL_COLUMNS]
    allowed = [f"(OLD.seq IS NULL AND {_same(others)})"] if "seq" in columns else []
    if ACTOR_COLUMN in columns:
        allowed.append(f"(NEW.{ACTOR_COLUMN} IS NULL AND {_same(c for c in columns if c != ACTOR_COLUMN)})")
    when = " OR ".join(allowed) or "0"
    return [
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE ON "{table}" WHEN NOT ({when}) '
        f"BEGIN SELECT RAISE(ABORT, '{UPDATE_REFUSED}'); END",
        f'CREATE TRIGGER "{table}_retention" BEFORE DELETE ON "{table}" '
        f"WHEN OLD.at >= datetime('now', '-{MIN_DAYS} days') AND regwatch_audit_flushing() = 0 "
        f"BEGIN SELECT RAISE(ABORT, '{DELETE_REFUSED}'); END",
    ]


def install(schema_editor: Any, tables: dict[str, list[str]]) -> None:
    """Create the triggers on ``tables`` (name -> column names, as the migration's models have them)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION)
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_guard" ON "{table}"')
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_guard" BEFORE UPDATE OR DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION regwatch_audit_guard()'
            )
    elif vendor == "sqlite":
        for table, columns in tables.items():
            uninstall_table(schema_editor, table)
            for sql in _sqlite_statements(table, columns):
                schema_editor.execute(sql)


def uninstall_table(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_guard" ON "{table}"')
    elif vendor == "sqlite":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only"')
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_retention"')


def uninstall(schema_editor: Any, tables: Iterable[str]) -> None:
    for table in tables:
        uninstall_table(schema_editor, table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS regwatch_audit_guard()")


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: the function the SQLite delete trigger asks whether a flush is running."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("regwatch_audit_flushing", 0, lambda: int(_flushing.get()), deterministic=False)


def allow_flush() -> None:
    """Let Django's ``flush`` (``DELETE FROM`` every table on SQLite) through the retention trigger."""
    from django.conf import settings

    if not any(db["ENGINE"].endswith("sqlite3") for db in settings.DATABASES.values()):
        return
    from django.db.backends.sqlite3 import base  # noqa: F401 - the backend first: its modules import each other
    from django.db.backends.sqlite3.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "_audit_flush", False):
        return

    def execute_sql_flush(self: Any, sql_list: Any) -> None:
        token = _flushing.set(True)
        try:
            original(self, sql_list)
        finally:
            _flushing.reset(token)

    execute_sql_flush._audit_flush = True  # type: ignore[attr-defined]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
