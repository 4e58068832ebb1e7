"""Find raw values in what a user reads: Python reprs, codes that have a label, bare ids, formula source.

Shared by the page walk (``tests/web/test_no_raw_values.py``) and the PDF case-file test.  The
detector works on visible text only (tags, attribute values, scripts and styles are not read), so
an id in a link or a code in a form value is fine; what is printed on the screen is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

# Elements whose content is not shown as page text (or is a value the user is editing).
_HIDDEN = {"script", "style", "template", "head", "textarea", "noscript", "svg"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    def __init__(self, identifiers: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.identifiers = identifiers
        self.parts: list[str] = []
        self.hidden = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _VOID:
            self.parts.append(" ")
            return
        # translate="no" marks an identifier shown as itself (a code in its own 编码 column).
        hides = tag in _HIDDEN or (not self.identifiers and ("translate", "no") in attrs)
        self.stack.append((tag, hides))
        self.hidden += hides
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in (t for t, _ in self.stack):
            return
        while self.stack:
            top, hides = self.stack.pop()
            self.hidden -= hides
            if top == tag:
                break
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str, identifiers: bool = True) -> str:
    """The text a reader sees; without ``identifiers``, less what is marked ``translate="no"``."""
    parser = _Text(identifiers)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


REPR = re.compile(r"\{'|\[\{|\['|(?<![\w.])(?:None|True|False)(?![\w])|\bsystem:[\w:-]+")  # and internal actor labels
FORMULA = re.compile(r"\b(?:least|greatest|coalesce|nullif|ifnull)\s*\(|\bvalue\s*[*/+\-]|\bcase\s+when\b", re.IGNORECASE)
# A noun naming an object, then a number and nothing after it: "转至单位 20", "单位：12", "用户 #3".
BARE_ID = re.compile(
    r"(?:单位|机构|组织|部门|用户|主体|企业|区划|数据源)\s*[:：]?\s*[#＃]?\d{1,7}"
    r"(?![\d\w.%％])(?!\s*[\u4e00-\u9fff\d])"
)
# A code-shaped token: snake_case, kind:sub, or one lowercase word; not part of a file name, path or mail.
TOKEN = re.compile(r"(?<![\w./\\@:-])([a-z][a-z0-9]*(?:[_:][a-z0-9]+)*)(?![\w/@:-]|\.\w)")


@dataclass(frozen=True)
class Finding:
    kind: str
    snippet: str

    def __str__(self) -> str:
        return f"{self.kind}: …{self.snippet}…"


def _around(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 25) : end + 25].split())


def find_raw(text: str, codes: Iterable[str] | dict[str, str], allowed: Iterable[str] = ()) -> list[Finding]:
    """Every raw value in ``text``; ``codes`` are the codes that have a label, ``allowed`` tokens a page may show."""
    known = set(codes) - set(allowed)
    found: list[Finding] = []
    for kind, pattern in (("Python repr", REPR), ("formula source", FORMULA), ("bare id", BARE_ID)):
        found += [Finding(kind, _around(text, m.start(), m.end())) for m in pattern.finditer(text)]
    for m in TOKEN.finditer(text):
        token = m.group(1)
        # Chinese prose has no snake_case: such a word is a field name or code, labelled or not.
        if token in known or (known and "_" in token and token not in allowed):
            found.append(Finding(f"code {token!r}", _around(text, m.start(), m.end())))
    return found


def find_raw_html(html: str, codes: Iterable[str] | dict[str, str], allowed: Iterable[str] = ()) -> list[Finding]:
    """``find_raw`` over a page: reprs, ids and formulas anywhere, codes outside marked identifiers."""
    text, words = visible_text(html), visible_text(html, identifiers=False)
    return [f for f in find_raw(text, ()) if not f.kind.startswith("code")] + [
        f for f in find_raw(words, codes, allowed) if f.kind.startswith("code")
    ]


def _labelled(code: Any, label: Any) -> bool:
    """Only codes a user could be shown instead of their label: ASCII lower-case, and not the label itself."""
    return isinstance(code, str) and bool(re.fullmatch(r"[a-z][a-z0-9]*(?:[_:][a-z0-9]+)*", code)) and len(code) >= 3 and code != str(label)


def _walk(node: Any, out: dict[str, str]) -> None:
    """Every ``{code|name: ..., name|label|title: ...}`` pair in a pack's YAML, and every choices mapping."""
    if isinstance(node, dict):
        for key, label_key in (("code", "name"), ("code", "label"), ("code", "title"), ("name", "label")):
            if key in node and label_key in node and _labelled(node[key], node[label_key]):
                out[node[key]] = str(node[label_key])
        if isinstance(node.get("choices"), dict):
            out.update({k: str(v) for k, v in node["choices"].items() if _labelled(k, v)})
        for value in node.values():
            _walk(value, out)
    elif isinstance(node, list):
        for value in node:
            _walk(value, out)


def labelled_codes() -> dict[str, str]:
    """Every code the database and the installed packs give a label: what a page must never show raw."""
    from django.apps import apps

    from regwatch.accounts.roles import ROLES
    from regwatch.core.models import DictionaryItem
    from regwatch.ops.models import Job
    from regwatch.packs.manifest import pack_dir
    from regwatch.packs.models import PackInstall
    from regwatch.scoring.models import ScoringRun
    from regwatch.workorders.models import WorkflowDefinition

    codes: dict[str, str] = {}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for key, label in getattr(f, "flatchoices", None) or []:
                if _labelled(key, label):
                    codes[key] = str(label)
        names = {f.name for f in model._meta.get_fields()}
        if model.__module__.startswith("regwatch.") and "code" in names and "name" in names:
            codes.update({c: n for c, n in model._default_manager.values_list("code", "name") if _labelled(c, n)})
    codes.update({c: n for c, n in DictionaryItem.objects.values_list("code", "name") if _labelled(c, n)})
    codes.update({r.code: r.label for r in ROLES.values()})
    for wf in WorkflowDefinition.objects.all():
        _walk(wf.definition, codes)
    for pack in PackInstall.objects.values_list("name", flat=True):
        codes[pack] = pack
        for path in sorted(Path(pack_dir(pack)).glob("*.yaml")):
            _walk(yaml.safe_load(path.read_text(encoding="utf-8")), codes)
    # Free-form codes without a choices list: job kinds and scoring engines.
    codes.update({k: k for k in Job.objects.values_list("kind", flat=True).distinct() if _labelled(k, "")})
    codes.update({e: e for e in ScoringRun.objects.values_list("engine", flat=True).distinct() if _labelled(e, "")})
    for word in ("duckdb", "spark", "cli", "publish"):
        codes.setdefault(word, word)
    return codes
