"""Attachments: hashed while they stream in, limited before the body is read, and never stalling the site."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from typing import Any

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from regwatch.audit.ledger import Hasher, digest, verify
from regwatch.web.uploads import StreamingUploadHandler
from regwatch.workorders.models import Attachment, WorkOrder
from regwatch.workorders.workflow import create_order, transition

PASSWORD = "Regwatch#2026"


def _signed_order(business_admin: Any, inspector: Any, subject: Any) -> WorkOrder:
    """An order waiting for the inspector's feedback, which needs one attachment."""
    order = create_order(business_admin, workflow="risk_disposal", title="附件测试", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    return order


def _feedback(files: Any) -> dict[str, Any]:
    return {"action": "feedback", "result": "已核查", "conclusion": "false_alarm", "comment": "", "files": files}


def test_upload_is_hashed_on_the_way_in_and_recorded(business_admin: Any, inspector: Any, subject: Any) -> None:
    order = _signed_order(business_admin, inspector, subject)
    content = b"evidence " * 400_000  # 3.6 MB: past the in-memory threshold, so it streams to a temporary file
    client = Client()
    client.force_login(inspector)
    response = client.post(f"/workorders/{order.pk}/transition/", _feedback(SimpleUploadedFile("现场记录.pdf", content)))
    assert response.status_code == 302
    att = Attachment.objects.get(order=order)
    assert att.digest == digest(content) and att.size == len(content) and att.name == "现场记录.pdf"
    with att.file.open("rb") as fh:
        assert fh.read() == content
    assert verify().ok


def test_an_upload_over_the_limit_is_refused_before_it_is_read(settings: Any, business_admin: Any, inspector: Any, subject: Any) -> None:
    settings.REGWATCH_UPLOAD_MAX_BYTES = 100_000
    order = _signed_order(business_admin, inspector, subject)
    client = Client()
    client.force_login(inspector)
    big = SimpleUploadedFile("大文件.zip", b"z" * 200_000)
    response = client.post(f"/workorders/{order.pk}/transition/", _feedback(big), HTTP_REFERER=f"http://testserver/workorders/{order.pk}/")
    page = response.content.decode()
    assert response.status_code == 413 and "上传的文件超过大小上限 98 KB" in page and "返回上一页" in page
    order.refresh_from_db()
    assert order.state == "handling" and not Attachment.objects.filter(order=order).exists()

    too_big = {"action": "feedback", "files": SimpleUploadedFile("a", b"z" * 200_000)}
    api = client.post(f"/api/v1/workorders/orders/{order.pk}/transition/", too_big)
    assert api.status_code == 413 and api["Content-Type"] == "application/problem+json"
    body = api.json()
    assert body["status"] == 413 and body["title"] == "请求数据过大" and "上限" in body["detail"] and body["limit_bytes"] == 100_000


def test_intake_files_have_their_own_limit(settings: Any, data_admin_client: Client) -> None:
    settings.REGWATCH_UPLOAD_MAX_BYTES = 1_000
    settings.REGWATCH_INTAKE_MAX_BYTES = 1_000_000
    small_for_intake = SimpleUploadedFile("rows.csv", b"a,b\n" + b"1,2\n" * 1000)
    response = data_admin_client.post("/intake/upload/", {"source": "", "file": small_for_intake})
    assert response.status_code == 400  # reaches the form (no source chosen), not refused for size
    settings.REGWATCH_INTAKE_MAX_BYTES = 1_000
    response = data_admin_client.post("/intake/upload/", {"source": "", "file": SimpleUploadedFile("rows.csv", b"1,2\n" * 1000)})
    assert response.status_code == 413 and "上传的文件超过大小上限" in response.content.decode()


def test_the_streaming_counter_stops_a_body_past_the_limit(rf: Any) -> None:
    """Beyond the Content-Length check: file bytes are counted as they arrive."""
    request = rf.post("/x/", {"files": SimpleUploadedFile("a.bin", b"x" * 5000)})
    handler = StreamingUploadHandler(request, limit=1000)
    request.upload_handlers = [handler]
    assert not request.FILES and handler.too_large


def test_the_handler_digest_matches_hashing_the_whole_file(rf: Any) -> None:
    content = bytes(range(256)) * 20_000
    request = rf.post("/x/", {"files": SimpleUploadedFile("a.bin", content)})
    request.upload_handlers = [StreamingUploadHandler(request, limit=10**9)]
    upload = request.FILES["files"]
    assert upload.digest == digest(content) and upload.digest_algorithm == "sm3"


def _login(base: str, username: str) -> tuple[requests.Session, int]:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=60)
    response = session.post(
        f"{base}/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=60,
    )
    return session, response.status_code


class SlowUpload(threading.Thread):
    """POSTs a multipart body of ``size`` bytes in small pieces with pauses, like a slow uplink."""

    def __init__(self, base: str, path: str, session: requests.Session, size: int) -> None:
        super().__init__(daemon=True)
        self.url = urllib.parse.urlsplit(base)
        self.path, self.session, self.size = path, session, size
        self.status: int | None = None
        self.error: BaseException | None = None
        self.hasher = Hasher()

    def run(self) -> None:
        try:
            boundary = "regwatch-slow-upload"
            csrf = self.session.cookies["csrftoken"]
            fields = _feedback(None)
            fields.pop("files")
            fields["csrfmiddlewaretoken"] = csrf
            head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items())
            head += f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="录像.mp4"\r\n'
            head += "Content-Type: application/octet-stream\r\n\r\n"
            tail = f"\r\n--{boundary}--\r\n".encode()
            first = head.encode()
            conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=300)
            conn.putrequest("POST", self.path)
            conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
            conn.putheader("Content-Length", str(len(first) + self.size + len(tail)))
            conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in self.session.cookies.items()))
            conn.putheader("Referer", f"{self.url.scheme}://{self.url.netloc}/")
            conn.endheaders()
            conn.send(first)
            piece = bytes(range(256)) * 1024  # 256 KB
            sent = 0
            while sent < self.size:
                chunk = piece[: self.size - sent]
                conn.send(chunk)
                self.hasher.update(chunk)
                sent += len(chunk)
                time.sleep(0.01)
            conn.send(tail)
            self.status = conn.getresponse().status
            conn.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


@pytest.mark.django_db(transaction=True)
def test_logins_and_pages_succeed_while_a_50_mb_attachment_uploads(live_server: Any, settings: Any) -> None:
    """The demo's failure: one large upload made every login a 500.  Runs on SQLite (a file) and PostgreSQL."""
    from tests.conftest import build_world

    build_world()
    from regwatch.accounts.models import User
    from regwatch.subjects.models import Subject

    settings.REGWATCH_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    business_admin, inspector = User.objects.get(username="business_admin"), User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    order = _signed_order(business_admin, inspector, subject)
    base = live_server.url

    uploader, status = _login(base, "inspector")
    assert status == 302
    upload = SlowUpload(base, f"/workorders/{order.pk}/transition/", uploader, 50 * 1024 * 1024)
    upload.start()
    rounds: list[tuple[int, int, int]] = []
    while upload.is_alive() or not rounds:
        session, login_status = _login(base, "leader")
        queue = session.get(f"{base}/workorders/", timeout=60).status_code
        subjects = session.get(f"{base}/subjects/", timeout=60).status_code
        rounds.append((login_status, queue, subjects))
    upload.join()

    assert upload.error is None and upload.status == 302
    assert all(r == (302, 200, 200) for r in rounds), rounds
    assert len(rounds) >= 2  # the other user really worked while the upload was in flight
    att = Attachment.objects.get(order=order)
    assert att.size == 50 * 1024 * 1024 and att.digest == upload.hasher.hexdigest()
    order.refresh_from_db()
    assert order.state == "pending_verify"
