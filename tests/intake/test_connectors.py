"""Pull connectors against a real local HTTP server and a real SQLite table."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from regwatch.intake.connectors import due_sources, pull
from regwatch.intake.models import Batch, FieldMapping, Source
from regwatch.intake.packsection import save_mapping
from regwatch.subjects.models import Record


class Api(BaseHTTPRequestHandler):
    items: list[dict[str, Any]] = []
    calls: list[str] = []
    fail_next = 0

    def do_GET(self) -> None:
        Api.calls.append(self.path)
        if Api.fail_next:
            Api.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        since = parse_qs(urlparse(self.path).query).get("since", [""])[0]
        data = [i for i in Api.items if i["meta"]["updated_at"] > since]
        body = json.dumps({"code": 0, "data": {"items": data}}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/complaints"
    server.shutdown()
    server.server_close()


def _complaint_mapping(source: Source) -> None:
    base = FieldMapping.objects.get(source__code="12315", is_current=True)
    save_mapping(source, "complaint", base.fields, base.rules)


def test_http_pull_extracts_by_jsonpath_is_incremental_and_retries(api: str, subjects: list[Any]) -> None:
    Api.items = [
        {"ent": {"code": s.uscc, "title": s.name}, "id": f"H-{i}", "meta": {"updated_at": f"2025-07-0{i + 1}T10:00:00"},
         "date": "2025-07-01", "channel": "12345", "type": "label", "status": "已受理"}
        for i, s in enumerate(subjects[:3])
    ]  # fmt: skip
    Api.calls, Api.fail_next = [], 1
    source = Source.objects.create(
        code="partner_api",
        name="合作方投诉接口",
        kind=Source.Kind.HTTP_PULL,
        config={
            "url": api,
            "records": "$.data.items[*]",
            "fields": {"uscc": "$.ent.code", "name": "$.ent.title", "ref": "$.id", "date": "$.date", "channel": "$.channel",
                       "type": "$.type", "status": "$.status"},
            "cursor_param": "since",
            "cursor_path": "$.meta.updated_at",
            "backoff": 0.01,
        },
    )  # fmt: skip
    _complaint_mapping(source)
    assert source in due_sources()
    first = pull(source)
    assert (first.rows_read, first.accepted) == (3, 3)
    assert len(Api.calls) == 2  # one 503, one retry
    source.refresh_from_db()
    assert source.cursor == "2025-07-03T10:00:00"
    Api.items.append({**Api.items[0], "id": "H-9", "meta": {"updated_at": "2025-07-09T00:00:00"}})
    second = pull(source)
    assert "since=2025-07-03T10%3A00%3A00" in Api.calls[-1]
    assert (second.rows_read, second.accepted) == (1, 1)
    assert Record.objects.filter(source="partner_api").count() == 4


def test_http_pull_gives_up_clearly(api: str, world: None) -> None:
    Api.fail_next = 10
    source = Source.objects.create(
        code="down_api", name="故障接口", kind=Source.Kind.HTTP_PULL, config={"url": api, "retries": 2, "backoff": 0.01}
    )
    _complaint_mapping(source)
    batch = pull(source)
    assert batch.status == Batch.Status.FAILED and "重试 2 次后仍不可用" in batch.error
    Api.fail_next = 0


def test_sql_pull_by_timestamp(tmp_path: Path, subjects: list[Any]) -> None:
    url = f"sqlite:///{tmp_path / 'partner.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE complaints (uscc TEXT, name TEXT, ref TEXT, date TEXT, channel TEXT, type TEXT, status TEXT, updated_at TEXT)"
            )
        )
        for i, s in enumerate(subjects[:4]):
            conn.execute(
                sa.text("INSERT INTO complaints VALUES (:u, :n, :r, '2025-08-01', 'letter', 'expired', '办结', :t)"),
                {"u": s.uscc, "n": s.name, "r": f"S-{i}", "t": f"2025-08-0{i + 1} 09:00:00"},
            )
    source = Source.objects.create(
        code="partner_db",
        name="合作方数据库",
        kind=Source.Kind.DB_PULL,
        config={"url": url, "table": "complaints", "timestamp": "updated_at"},
    )
    _complaint_mapping(source)
    assert pull(source).accepted == 4
    source.refresh_from_db()
    assert source.cursor == "2025-08-04 09:00:00"
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO complaints VALUES (:u, 'x', 'S-9', '2025-08-05', 'letter', 'expired', '办结', '2025-08-05 09:00:00')"),
            {"u": subjects[0].uscc},
        )
    again = pull(source)
    assert (again.rows_read, again.accepted) == (1, 1)
    engine.dispose()
    bad = Source.objects.create(
        code="bad_db", name="坏表", kind=Source.Kind.DB_PULL, config={"url": url, "table": "nope", "timestamp": "updated_at"}
    )
    _complaint_mapping(bad)
    assert "数据库读取失败" in pull(bad).error
