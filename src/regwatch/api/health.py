from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database reachable and migrated, cache answering."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        checks["database"] = "ok" if not pending else f"{len(pending)} 个迁移未执行"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; report it
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("regwatch:readyz", "1", 5)
        checks["cache"] = "ok" if cache.get("regwatch:readyz") == "1" else "error"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )
