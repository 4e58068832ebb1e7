"""The PDF case file read back with a PDF text tool: Chinese labels present, no raw codes.

``pdftotext`` (poppler-utils) reads what any viewer would show; the file embeds a CJK font, so the
text extracts as characters, not boxes.  Without the tool the test is skipped, unless
``REGWATCH_REQUIRE_BROWSER=1`` (CI), where it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest

from regwatch.core.models import Organization
from regwatch.workorders.workflow import create_order, transition
from tests.rawtext import find_raw, labelled_codes

from .conftest import photo

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def pdftotext() -> str:
    if PDFTOTEXT is None:
        if os.environ.get("REGWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext (poppler-utils) is required here: .ci/run installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be read back")
    return PDFTOTEXT


@pytest.fixture
def closed_order(business_admin: Any, inspector: Any, warning: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Dispatched to one bureau, transferred to the inspector's, handled with a photo, closed."""
    other = Organization.objects.exclude(pk=inspector.organization_id).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(
            business_admin,
            workflow="risk_disposal",
            title="食品安全风险处置",
            region=warning.subject.region,
            subject=warning.subject,
            warning=warning,
            source="warning",
        )
        transition(order, business_admin, "dispatch", {"assignee_org": other.pk})
        transition(order, business_admin, "transfer", {"assignee_org": inspector.organization_id, "reason": "属地管辖"})
        transition(order, inspector, "sign")
        transition(order, inspector, "feedback", {"result": "已现场检查", "conclusion": "confirmed_risk"}, [photo()])
        transition(order, business_admin, "verify_close", {"verify_opinion": "整改到位"})
    order.refresh_from_db()
    return order


def _text(pdf: bytes, tool: str) -> str:
    done = subprocess.run([tool, "-enc", "UTF-8", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def test_case_file_pdf_text_has_labels_and_no_raw_codes(closed_order: Any, business_admin: Any, inspector: Any, pdftotext: str) -> None:
    from django.test import Client

    client = Client()
    client.force_login(business_admin)
    response = client.get(f"/workorders/{closed_order.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content, pdftotext)
    flat = "".join(text.split())  # table cells wrap: compare without the layout's spaces and breaks

    expected = [
        "监管工单案卷",
        closed_order.number,
        closed_order.subject.name,
        closed_order.state_name,  # the state's name (已办结), not its code
        "转至单位",  # the transfer's field label
        inspector.organization.name,  # the organisation's name, not its id
        "确认风险",  # the choice's label
        "核查结论",
        "现场照片.jpg",
    ]
    missing = [label for label in expected if "".join(str(label).split()) not in flat]
    assert not missing, f"PDF text lacks {missing}:\n{text}"

    problems = find_raw(text, labelled_codes())
    assert not problems, "raw values in the PDF case file:\n" + "\n".join(map(str, problems))
