"""The archived case file as PDF (reportlab), with an embedded CJK font when the machine has one.

reportlab's built-in STSong-Light is a CID font that is *not embedded*: a viewer without Adobe's
Asian font pack (many browsers' and phones' viewers, pdftotext on a bare server) shows blanks or
boxes.  WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by the deployment) is embedded
as a subset, so the file reads the same everywhere; STSong-Light stays the fallback.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import WorkOrder
from .timeline import timeline

# TrueType collections (.ttc) hold several faces; the first is the regular one.
EMBEDDED_FONTS = [
    ("WenQuanYiMicroHei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    ("WenQuanYiZenHei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]
FALLBACK_FONT = "STSong-Light"


def _register_font() -> str:
    for name, path in EMBEDDED_FONTS:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            return name
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


FONT = _register_font()


def _p(text: Any, size: int = 9) -> Paragraph:
    return Paragraph(
        escape(str(text if text is not None else "—")).replace("\n", "<br/>"),
        ParagraphStyle("c", fontName=FONT, fontSize=size, leading=size + 4),
    )


def _linked(text: str, url: str, size: int = 9) -> Paragraph:
    """A cell whose text links to ``url`` (an attachment's download address) in the PDF reader."""
    return Paragraph(
        f'<a href="{escape(url, {chr(34): "&quot;"})}" color="#1a5fb4"><u>{escape(text)}</u></a>',
        ParagraphStyle("l", fontName=FONT, fontSize=size, leading=size + 4),
    )


def case_pdf(order: WorkOrder, link: Callable[[Any], str] | None = None) -> bytes:
    """The case file; ``link(attachment)`` gives each attachment's download address, when known."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"案卷 {order.number}", leftMargin=40, rightMargin=40)
    title = ParagraphStyle("t", fontName=FONT, fontSize=18, leading=24, alignment=1, textColor=colors.HexColor("#c00000"))
    local = timezone.localtime
    meta = [
        [_p("工单编号"), _p(order.number), _p("工单类型"), _p(order.workflow)],
        [_p("标题"), _p(order.title), _p("状态"), _p(order.state_name)],
        [_p("主体"), _p(order.subject), _p("区划"), _p(order.region.full_name)],
        [
            _p("创建时间"),
            _p(f"{local(order.created_at):%Y-%m-%d %H:%M}"),
            _p("办结时间"),
            _p(f"{local(order.closed_at):%Y-%m-%d %H:%M}" if order.closed_at else "—"),
        ],
    ]
    steps = [[_p("时间"), _p("操作人"), _p("事项"), _p("内容")]]
    for e in timeline(order):
        body = "\n".join([e.body, *[f"{k}：{v}" for k, v in (e.fields or {}).items()]]).strip()
        seq = getattr(e.obj, "ledger_seq", None)
        what = e.title + (f"（存证#{seq}）" if seq else "")
        cell = _linked(what, link(e.obj)) if link and e.kind == "attachment" else _p(what)
        steps.append([_p(f"{local(e.at):%Y-%m-%d %H:%M:%S}"), _p(e.actor), cell, _p(body)])
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    t1, t2 = Table(meta, colWidths=[60, 180, 60, 210]), Table(steps, colWidths=[95, 70, 130, 215], repeatRows=1)
    t1.setStyle(style)
    t2.setStyle(style)
    doc.build([Paragraph("监管工单案卷", title), Spacer(1, 12), t1, Spacer(1, 12), _p("办理过程", 12), Spacer(1, 6), t2])
    return buf.getvalue()
