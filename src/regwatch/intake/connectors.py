"""Scheduled pull connectors: an HTTP JSON API (JSONPath extraction) and a SQL table (by timestamp).

Both are incremental: the source keeps a ``cursor`` (the largest timestamp/cursor value seen) and
the next pull asks only for newer rows.  Source ``config``:

    http_pull: {"url": "...", "records": "$.data[*]", "fields": {"统一社会信用代码": "$.uscc", ...},
                "cursor_param": "since", "cursor_path": "$.meta.updated_at", "retries": 3, "backoff": 1.0,
                "timeout": 10, "every_minutes": 60}
    db_pull:   {"url": "postgresql://... | sqlite:///...", "table": "penalties", "timestamp": "updated_at",
                "limit": 50000, "every_minutes": 60}
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.utils import timezone
from jsonpath_ng.ext import parse as jsonpath

from .models import Batch, Source
from .pipeline import IntakeError, fail_batch, ingest_records

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PullError(Exception):
    pass


def _get_json(url: str, retries: int, backoff: float, timeout: float) -> Any:
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            last = exc
            if exc.code < 500 and exc.code != 429:
                raise PullError(f"接口返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last = exc
        except json.JSONDecodeError:
            raise PullError("接口返回的不是 JSON") from None
        except RecursionError:
            raise PullError("接口返回的 JSON 嵌套层数过深，无法解析") from None
        if attempt < retries:
            time.sleep(backoff * (2**attempt))
    raise PullError(f"接口在重试 {retries} 次后仍不可用：{last}")


def _extract(record: Any, fields: dict[str, str]) -> dict[str, Any]:
    if not fields:
        return record if isinstance(record, dict) else {"value": record}
    out = {}
    for name, path in fields.items():
        found = [m.value for m in jsonpath(path).find(record)]
        out[name] = found[0] if found else None
    return out


def pull_http(source: Source) -> Batch:
    cfg = source.config
    url = cfg["url"]
    if cfg.get("cursor_param") and source.cursor:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({cfg["cursor_param"]: source.cursor})
    try:
        doc = _get_json(url, int(cfg.get("retries", 3)), float(cfg.get("backoff", 1.0)), float(cfg.get("timeout", 10)))
    except PullError as exc:
        return fail_batch(source, str(exc), filename=url[:255], channel=Source.Kind.HTTP_PULL)
    raw = [m.value for m in jsonpath(cfg.get("records", "$[*]")).find(doc)]
    rows = [_extract(r, cfg.get("fields", {})) for r in raw]
    cursors = [_extract(r, {"c": cfg["cursor_path"]})["c"] for r in raw] if cfg.get("cursor_path") else []
    return _ingest(source, rows, cursors)


def pull_sql(source: Source) -> Batch:
    import sqlalchemy as sa

    cfg = source.config
    table, ts = cfg["table"], cfg["timestamp"]
    if not (IDENT.match(table) and IDENT.match(ts)):
        raise IntakeError("表名和时间戳列名只能包含字母、数字和下划线")
    engine = sa.create_engine(cfg["url"])
    try:
        query = f'SELECT * FROM "{table}"' + (f' WHERE "{ts}" > :cursor' if source.cursor else "") + f' ORDER BY "{ts}" LIMIT :limit'
        with engine.connect() as conn:
            result = conn.execute(sa.text(query), {"cursor": source.cursor, "limit": int(cfg.get("limit", 50_000))})
            rows = [dict(r._mapping) for r in result]
    except sa.exc.SQLAlchemyError as exc:
        return fail_batch(source, f"数据库读取失败：{str(exc).splitlines()[0][:200]}", filename=table, channel=Source.Kind.DB_PULL)
    finally:
        engine.dispose()
    return _ingest(source, [{k: _plain(v) for k, v in r.items()} for r in rows], [r.get(ts) for r in rows])


def _plain(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _ingest(source: Source, rows: list[dict[str, Any]], cursors: list[Any]) -> Batch:
    if not rows:
        batch = Batch.objects.create(
            source=source, channel=source.kind, filename="（无新数据）", status=Batch.Status.DONE, finished_at=timezone.now()
        )
        Source.objects.filter(pk=source.pk).update(last_received_at=timezone.now())
        return batch
    batch = ingest_records(source, rows, channel=source.kind)
    values = [str(_plain(c)) for c in cursors if c not in (None, "")]
    if values:
        source.cursor = max([*values, source.cursor])[:100] if source.cursor else max(values)[:100]
        Source.objects.filter(pk=source.pk).update(cursor=source.cursor)
    return batch


def pull(source: Source) -> Batch:
    if source.kind == Source.Kind.HTTP_PULL:
        return pull_http(source)
    if source.kind == Source.Kind.DB_PULL:
        return pull_sql(source)
    raise IntakeError(f"数据源“{source.name}”不是拉取方式")


def due_sources() -> list[Source]:
    now = timezone.now()
    due = []
    for s in Source.objects.filter(status=Source.Status.ACTIVE, kind__in=[Source.Kind.HTTP_PULL, Source.Kind.DB_PULL]):
        every = timedelta(minutes=int(s.config.get("every_minutes", 60)))
        if s.config.get("url") and (s.last_received_at is None or now - s.last_received_at >= every):
            due.append(s)
    return due
