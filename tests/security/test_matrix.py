"""The authorisation matrix (docs/security.md): every route and API operation, every role, one request each.

Routes come from the URL resolver, operations from the OpenAPI schema; what each role may do comes
from ``regwatch.accounts.matrix``.  Each role's test signs in as that role's demo user (the
anonymous one signs in as nobody), builds a concrete URL for every route with objects inside the
西湖区 (the narrowest demo scope, so every allowed user sees them), requests it — GET, or an empty
POST where GET is not allowed; the operation's own method for schema operations — each inside a
savepoint rolled back afterwards, and compares the outcome with the declaration:

- allowed: anything but 401, 403, 404, a 5xx or a redirect to the login page;
- denied: 403 or 404; for the anonymous user also 401 or a redirect to the login page.

A route or an operation without a declaration fails the test naming it; so does a declaration that
names no route (``test_every_declaration_names_a_route``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from regwatch.accounts import matrix
from regwatch.accounts.models import User
from regwatch.accounts.roles import ROLES
from regwatch.web.registry import REGISTRY
from tests.builders import build, make_world

ANONYMOUS = matrix.ANONYMOUS
ROLE_CODES = [*ROLES, ANONYMOUS]


# ---- what there is to request ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the resolver: its name (with namespace) and the kwargs its path takes."""

    name: str
    pattern: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield Route(name, prefix + str(p.pattern), tuple(p.pattern.regex.groupindex))


def resolver_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


@dataclass(frozen=True)
class Operation:
    """One operation of the OpenAPI schema."""

    operation_id: str
    method: str
    path: str  # with {placeholders}


def schema_operations() -> list[Operation]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        Operation(op["operationId"], method.upper(), path)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


# ---- concrete URLs: objects every allowed user sees ------------------------------------------------


class Targets:
    """Objects inside the 西湖区 for every route parameter, made once per test."""

    def __init__(self) -> None:
        from regwatch.intake.models import Batch, FieldMapping, MatchReview, MergeLog, QuarantinedRow, Source
        from regwatch.notifications.models import OutboxItem
        from regwatch.ops.models import Job
        from regwatch.scoring.models import CurrentGrade, ModelVersion
        from regwatch.subjects.models import Subject
        from regwatch.warnings.models import Warning, WarningRule
        from regwatch.workorders.models import Attachment, Clue, Ledger, WorkOrder

        inspector = User.objects.get(username="inspector")
        world = make_world(inspector, User.objects.get(username="leader"))
        self.inside: dict[str, Any] = {slug: build(otype.model, world)[0] for slug, otype in REGISTRY.items()}

        def inside(model: type[Any]) -> Any:
            for obj in self.inside.values():
                if isinstance(obj, model):
                    return obj
            raise AssertionError(f"no {model.__name__} inside the county")

        self.subject: Subject = world.inside
        self.warning: Warning = inside(Warning)
        self.order: WorkOrder = inside(WorkOrder)
        self.clue: Clue = inside(Clue)
        self.ledger: Ledger = inside(Ledger)
        self.batch: Batch = inside(Batch)
        self.row: QuarantinedRow = inside(QuarantinedRow)
        self.job = Job.objects.create(kind="test", title="矩阵测试任务", created_by=None)
        self.review = MatchReview.objects.create(row=self.row, candidate=self.subject, score=0.8)
        self.merge = MergeLog.objects.create(batch=self.batch, row_number=1, subject=self.subject, method="fuzzy")
        self.attachment = Attachment.objects.create(
            order=self.order, file=ContentFile(b"matrix", name="matrix.txt"), name="矩阵.txt", size=6, digest="d", algorithm="sm3"
        )
        self.outbox = OutboxItem.objects.create(channel="email", address="someone@example.com", title="矩阵测试", body="正文")
        self.rule: WarningRule = WarningRule.objects.order_by("pk").first()  # type: ignore[assignment]
        versions = list(ModelVersion.objects.order_by("pk")[:2])
        self.versions = versions
        self.source: Source = self.batch.source
        self.mapping = inside(FieldMapping)
        self.target_user = inspector
        from regwatch.approvals.models import ApprovalRequest

        self.approval = ApprovalRequest.objects.create(  # asked by the inspector: the leader may decide it
            kind="export",
            title="矩阵测试导出",
            requester=inspector,
            region=self.subject.region,
            target={"list": "subjects"},
            reason="矩阵测试",
        )
        self.graded = (
            CurrentGrade.objects.filter(subject__region__path__startswith=inspector.organization.region.path).order_by("pk").first().subject
        )  # type: ignore[union-attr]

    def messages_for(self, user: Any) -> int:
        """A message in the user's own inbox: nobody else's is ever visible."""
        from regwatch.notifications.models import Message

        if user is None:
            return Message.objects.order_by("pk").first().pk  # type: ignore[union-attr]
        return Message.objects.create(recipient=user, kind="test", title="矩阵测试消息").pk


def _route_kwargs(t: Targets, name: str, user: Any) -> dict[str, Any]:
    """The kwargs for a route's path: registry routes by their type, the others by name."""
    if name in ("web:messages_detail", "messages-detail"):  # an inbox is personal
        return {"pk": t.messages_for(user)}
    slug = _registry_slug(name)
    if slug is not None:
        return {"pk": t.inside[slug].pk}
    bespoke: dict[str, Callable[[], dict[str, Any]]] = {
        "accounts:password_reset": lambda: {"pk": t.target_user.pk},
        "accounts:unlock": lambda: {"pk": t.target_user.pk},
        "accounts:otp_reset": lambda: {"pk": t.target_user.pk},
        "web:reveal": lambda: {"slug": "subjects", "pk": t.subject.pk},
        "approvals:decide": lambda: {"pk": t.approval.pk},
        "ops:job_progress": lambda: {"pk": t.job.pk},
        "intake:import_template": lambda: {"pk": t.mapping.pk},
        "intake:mapping_edit": lambda: {"pk": t.mapping.pk},
        "intake:return_file": lambda: {"pk": t.batch.pk},
        "intake:fix_row": lambda: {"pk": t.row.pk},
        "intake:review_decide": lambda: {"pk": t.review.pk},
        "intake:merge_undo": lambda: {"pk": t.merge.pk},
        "scoring:subject_grade": lambda: {"pk": t.subject.pk},
        "scoring:edit_weights": lambda: {"pk": t.versions[0].pk},
        "scoring:version_action": lambda: {"pk": t.versions[0].pk, "action": "validate"},
        "scoring:compare": lambda: {"a": t.versions[0].pk, "b": t.versions[-1].pk},
        "warnings:act": lambda: {"pk": t.warning.pk, "action": "review"},
        "workorders:from_warning": lambda: {"warning_pk": t.warning.pk},
        "workorders:attachment": lambda: {"pk": t.attachment.pk},
        "workorders:clue_review": lambda: {"pk": t.clue.pk},
        "workorders:ledger": lambda: {"pk": t.ledger.pk},
        "notifications:open": lambda: {"pk": t.messages_for(user)},
        "notifications:retry": lambda: {"pk": t.outbox.pk},
        "notifications:follow": lambda: {"pk": t.rule.pk},
        "intake-push": lambda: {"code": t.source.code},
        "scoring-explanation": lambda: {"subject_id": t.graded.pk},
        "warnings-api-detail": lambda: {"pk": t.warning.pk},
        "warnings-api-review": lambda: {"pk": t.warning.pk},
        "captcha-image": lambda: {"key": _captcha_key()},
        "captcha-image-2x": lambda: {"key": _captcha_key()},
        "captcha-audio": lambda: {"key": _captcha_key()},
    }
    if name in bespoke:
        return bespoke[name]()
    if name.startswith("workorders"):  # workorders:detail, :print, workorders-api-detail ...
        return {"pk": t.order.pk}
    raise AssertionError(f"tests/security/test_matrix.py does not know how to fill the path of {name}")


def _registry_slug(name: str) -> str | None:
    m = re.fullmatch(r"web:(.+)_(?:list|add|detail|edit|delete)", name) or re.fullmatch(r"(.+)-(?:list|detail)", name)
    return m.group(1) if m and m.group(1) in REGISTRY else None


def _captcha_key() -> str:
    from captcha.models import CaptchaStore

    return CaptchaStore.generate_key()


def route_url(t: Targets, route: Route, user: Any) -> str:
    kwargs = _route_kwargs(t, route.name, user) if set(route.params) - {"format"} else {}
    kwargs = {k: v for k, v in kwargs.items() if k in route.params}
    if "format" in route.params:
        kwargs["format"] = "json"
    return reverse(route.name, kwargs=kwargs) if route.name else "/" + route.pattern


def operation_url(t: Targets, op: Operation, user: Any) -> str:
    placeholders = re.findall(r"{(\w+)}", op.path)
    if not placeholders:
        return op.path
    probe = re.sub(r"{\w+}", "1", op.path)
    kwargs = _route_kwargs(t, resolve(probe).view_name, user)
    return re.sub(r"{(\w+)}", lambda m: str(kwargs.get(m.group(1), kwargs.get("pk"))), op.path)


# ---- requests and outcomes ---------------------------------------------------------------------


def _outcome(response: Any) -> str:
    """allowed, denied, login (sent to sign in) or error, with the status."""
    status = response.status_code
    if status in (401,):
        return "login"
    if status in (403, 404):
        return "denied"
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308) and response["Location"].split("?")[0] == resolve_url(settings.LOGIN_URL):
        return "login"
    return "allowed"


# Headers a route needs to answer at all: the captcha refresh answers only scripts.
HEADERS = {"captcha-refresh": {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}}
# The least a POST-only form names for a permitted user to get past "not found": which field, which list.
POST_DATA = {"web:reveal": {"field": "legal_representative"}, "approvals:request_export": {"list": "subjects"}}


def _request(client: Client, method: str, url: str, name: str = "") -> Any:
    headers = HEADERS.get(name, {})
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url, **headers)
                if response.status_code == 405:  # POST-only: an empty form
                    response = client.post(url, POST_DATA.get(name, {}), **headers)
            else:
                response = getattr(client, method.lower())(url, data={}, content_type="application/json")
        except Exception as exc:  # noqa: BLE001 - a crash is a mismatch to report, not the end of the table
            response = type("Crashed", (), {"status_code": 599, "reason": repr(exc)})()
        transaction.set_rollback(True)
    return response


# A route whose allowed answer is a redirect to the login page: signing out.
ENDS_AT_LOGIN = {"logout"}


def _verdict(role: str, key: str, allowed: frozenset[str], response: Any, ends_at_login: bool = False) -> str | None:
    outcome = _outcome(response)
    if outcome == "error":
        return f"server error {response.status_code}"
    if role in allowed:
        if outcome == "allowed" or (outcome == "login" and ends_at_login and response.status_code != 401):
            return None
        return f"declared allowed, got {response.status_code}"
    if outcome == "denied" or (outcome == "login" and role == ANONYMOUS):
        return None
    return f"declared denied, got {response.status_code}"


def _user_of(role: str) -> Any:
    """The demo user who holds exactly this role."""
    if role == ANONYMOUS:
        return None
    for user in User.objects.filter(groups__name=role).order_by("pk"):
        if {g.name for g in user.groups.all()} == {role} and not user.is_superuser:
            return user
    raise AssertionError(f"no demo user holds only the role {role}")


def _table(rows: list[tuple[str, str, str]]) -> str:
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"  {what.ljust(width)}  {url}  {why}" for what, url, why in rows)


@pytest.mark.parametrize("role", ROLE_CODES)
def test_every_route_answers_each_role_as_declared(role: str, world: None, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Thousands of calls in a minute: the rate limits (tests/security/test_rate_limits.py) would answer 429.
    settings.REGWATCH_API_RATE = settings.REGWATCH_API_ANON_RATE = "1000000/min"
    targets = Targets()
    user = _user_of(role)
    client = Client()
    if user is not None:
        client.force_login(user)
    mismatches: list[tuple[str, str, str]] = []
    for route in resolver_routes():
        allowed = matrix.route_roles(route.name)
        if allowed is None:
            mismatches.append((route.name or route.pattern, "", "no declaration in regwatch/accounts/matrix.py"))
            continue
        url = route_url(targets, route, user)
        why = _verdict(role, route.name, allowed, _request(client, "GET", url, route.name), ends_at_login=route.name in ENDS_AT_LOGIN)
        if route.name in ENDS_AT_LOGIN and user is not None:
            client.force_login(user)
        if why:
            mismatches.append((route.name, url, why))
    for op in schema_operations():
        allowed = matrix.operation_roles(op.operation_id)
        if allowed is None:
            mismatches.append((f"{op.method} {op.operation_id}", op.path, "no declaration in regwatch/accounts/matrix.py"))
            continue
        url = operation_url(targets, op, user)
        why = _verdict(role, op.operation_id, allowed, _request(client, op.method, url))
        if why:
            mismatches.append((f"{op.method} {op.operation_id}", url, why))
    assert not mismatches, f"{len(mismatches)} routes answer {role} otherwise than declared:\n{_table(mismatches)}"


def test_every_declaration_names_a_route(world: None) -> None:
    names = {r.name for r in resolver_routes()}
    operations = {op.operation_id for op in schema_operations()}
    stale = matrix.stale_declarations(names, operations)
    assert not stale, "declarations in regwatch/accounts/matrix.py name no route:\n" + "\n".join(f"  {s}" for s in stale)


def test_every_role_set_names_real_roles() -> None:
    for key, roles in matrix.all_declarations().items():
        unknown = roles - set(ROLE_CODES)
        assert not unknown, f"{key} names unknown roles {sorted(unknown)}"


# ---- three-role separation, at the level of permissions --------------------------------------------

BUSINESS_DATA = [
    "subjects.view_subject",
    "subjects.view_record",
    "subjects.view_subjecttag",
    "scoring.view_currentgrade",
    "scoring.view_score",
    "scoring.view_scoringrun",
    "scoring.view_gradeoverride",
    "warnings.view_warning",
    "workorders.view_workorder",
    "workorders.view_clue",
    "workorders.view_ledger",
    "intake.view_batch",
    "intake.view_quarantinedrow",
    "quality.view_measurement",
]
AUDIT_TRAIL = ["audit.view_auditevent", "audit.view_accessevent", "audit.view_ledgerentry"]


def _perms(role: str) -> set[str]:
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_system_admin_reads_configuration_but_no_business_data_and_no_audit_trail(world: None) -> None:
    perms = _perms("system_admin")
    assert not perms & {*BUSINESS_DATA, *AUDIT_TRAIL}, sorted(perms & {*BUSINESS_DATA, *AUDIT_TRAIL})
    assert "accounts.grant_access" not in perms
    for config in ("core.change_region", "core.change_dictionary", "accounts.add_user", "ops.view_job", "warnings.view_warningrule"):
        assert config in perms, config


def test_only_the_security_admin_grants_and_the_auditor_only_reads_the_audit_trail(world: None) -> None:
    assert [code for code in ROLES if "accounts.grant_access" in _perms(code)] == ["security_admin"]
    assert not _perms("security_admin") & {*BUSINESS_DATA, *AUDIT_TRAIL}
    auditor = _perms("auditor") - {"notifications.view_message"}  # everyone reads their own inbox
    assert auditor and all(p.startswith("audit.view_") for p in auditor), sorted(auditor)
    assert not _perms("auditor") & set(BUSINESS_DATA)


def test_the_matrix_command_prints_every_declaration_with_chinese_role_names() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("access_matrix", "--markdown", stdout=out)
    lines = out.getvalue().splitlines()
    assert "系统管理员" in lines[0] and "审计员" in lines[0] and "未登录" in lines[0]
    assert len(lines) == 2 + len(matrix.all_declarations())
    audit_row = next(line for line in lines if line.startswith("| `audit-events (view)`"))
    assert audit_row.count("✓") == 1  # the auditor's alone


def test_the_system_admin_reads_a_warning_rule_without_its_warning_counts(admin: Any, leader: Any) -> None:
    from regwatch.warnings.models import WarningRule
    from tests.conftest import login

    rule = WarningRule.objects.order_by("pk").first()
    assert rule is not None
    as_admin = login(admin).get(f"/warning-rules/{rule.pk}/")
    assert as_admin.status_code == 200 and rule.name in as_admin.content.decode()
    assert "规则效果" not in as_admin.content.decode() and "累计预警" not in as_admin.content.decode()
    assert "累计预警" in login(leader).get(f"/warning-rules/{rule.pk}/").content.decode()
