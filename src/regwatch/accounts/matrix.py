"""The authorisation matrix: which roles may use each route and each API operation.

This is the declaration; the enforcement is the roles' permissions (``accounts/roles.py`` and every
``<app>/permissions.py``) checked by the views, the API's permission class and the services.
``tests/security/test_matrix.py`` requests every route of the URL resolver and every operation of
the OpenAPI schema as every role and as an anonymous visitor, and fails on any answer that differs
from what is declared here, on a route or operation declared nowhere, and on a declaration that
names no route.  ``regwatch access_matrix`` prints the whole matrix.

To declare a new route, add one line: in ``TYPES`` for a type of ``web/registry.py`` (its five
pages and its REST resource), in ``ROUTES`` for any other URL name (with its namespace), in
``OPERATIONS`` for any other OpenAPI operation id.  Use a role set below; a policy change is a
change of one set.  See docs/security.md, "Authorisation matrix".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANONYMOUS = "anonymous"  # not a role: a visitor who has not signed in

Roles = frozenset[str]


def roles(*codes: str) -> Roles:
    return frozenset(codes)


# ---- role sets -----------------------------------------------------------------------------------

NOBODY = roles()  # read-only pages of a type (its add/edit/delete), switched-off features
SYSTEM = roles("system_admin")
SECURITY = roles("security_admin")
AUDITORS = roles("auditor")
DATA = roles("data_admin")
MODEL = roles("model_admin")
BUSINESS_ADMIN = roles("business_admin")
API_CLIENT = roles("api_client")

SIGNED_IN = roles(
    "system_admin", "security_admin", "auditor", "data_admin", "model_admin", "business_admin", "inspector", "leader", "api_client"
)
PUBLIC = SIGNED_IN | {ANONYMOUS}
ADMINISTRATORS = roles("system_admin", "security_admin", "auditor")  # 三员

# Business data (subjects, records, grades, warnings): read by the business roles, never by the
# three administrators of 三员分立 (system, security, audit).
BUSINESS_READERS = roles("data_admin", "model_admin", "business_admin", "inspector", "leader")
BUSINESS_AND_API = BUSINESS_READERS | API_CLIENT
# Definitions (indicators, schemes, model versions, kinds, rules, workflows, the catalogue):
# configuration the system administrator reads as well.
CONFIG_READERS = BUSINESS_READERS | SYSTEM
REFERENCE_READERS = CONFIG_READERS | API_CLIENT  # dictionaries and tags
USER_MANAGERS = SYSTEM | SECURITY  # the system administrator edits accounts, the security one grants
JOB_READERS = SYSTEM | DATA | MODEL
DATA_OR_BUSINESS = DATA | BUSINESS_ADMIN
QUALITY_READERS = DATA | roles("leader")
# Work orders, clues, ledgers: the people who handle cases (not the model administrator).
CASE_READERS = roles("data_admin", "business_admin", "inspector", "leader")
CASE_HANDLERS = roles("business_admin", "inspector", "leader")  # change an order, comment, review a warning
DISPATCHERS = roles("business_admin", "leader")  # open an order
LEDGER_VERIFIERS = AUDITORS | DISPATCHERS  # check the ledger's hash chain
ALERT_SENDERS = BUSINESS_ADMIN | API_CLIENT  # push external alerts into the pool
CLUE_TAKERS = roles("business_admin", "inspector")  # register a clue


@dataclass(frozen=True)
class TypeAccess:
    """A registry type: who reads it (list, detail, GET of its resource) and who adds, changes, deletes."""

    view: Roles
    add: Roles = NOBODY
    change: Roles = NOBODY
    delete: Roles = NOBODY


def T(view: Roles, add: Roles = NOBODY, change: Roles = NOBODY, delete: Roles = NOBODY) -> TypeAccess:
    return TypeAccess(view, add, change, delete)


# ---- registry types: /<slug>/, /<slug>/add/, /<slug>/<pk>/, …/edit/, …/delete/ and /api/v1/<slug>/ ----

TYPES: dict[str, TypeAccess] = {
    # accounts and configuration
    "users": T(USER_MANAGERS, add=SYSTEM, change=USER_MANAGERS, delete=SYSTEM),
    "regions": T(CONFIG_READERS | SECURITY | API_CLIENT, add=SYSTEM, change=SYSTEM, delete=SYSTEM),
    "organizations": T(CONFIG_READERS | SECURITY, add=SYSTEM, change=SYSTEM, delete=SYSTEM),
    "dictionaries": T(REFERENCE_READERS, add=SYSTEM | DATA, change=SYSTEM | DATA, delete=SYSTEM),
    "dictionary-items": T(REFERENCE_READERS, add=SYSTEM | DATA, change=SYSTEM | DATA, delete=SYSTEM),
    "jobs": T(JOB_READERS),
    "messages": T(SIGNED_IN),  # each user's own inbox
    "approvals": T(BUSINESS_READERS),  # read-only type: requests are made and decided by the routes below
    # audit trail
    "audit-events": T(AUDITORS),
    "access-events": T(AUDITORS),
    # subjects
    "subjects": T(BUSINESS_AND_API, add=DATA, change=DATA_OR_BUSINESS, delete=DATA),
    "records": T(BUSINESS_AND_API, add=DATA | roles("inspector"), change=DATA, delete=DATA),
    "subject-tags": T(BUSINESS_AND_API),
    "subject-kinds": T(CONFIG_READERS),
    "record-types": T(CONFIG_READERS),
    "tags": T(REFERENCE_READERS, add=DATA_OR_BUSINESS, change=DATA_OR_BUSINESS, delete=DATA),
    # intake, quality, catalogue
    "intake-sources": T(SYSTEM | DATA_OR_BUSINESS, add=DATA, change=DATA, delete=DATA),
    "intake-mappings": T(SYSTEM | DATA),
    "intake-batches": T(DATA_OR_BUSINESS),
    "intake-quarantine": T(DATA),
    "quality-rules": T(SYSTEM | QUALITY_READERS, add=DATA, change=DATA, delete=DATA),
    "quality-measurements": T(QUALITY_READERS),
    "catalog-datasets": T(CONFIG_READERS, add=DATA, change=DATA, delete=DATA),
    "catalog-fields": T(CONFIG_READERS, add=DATA, change=DATA, delete=DATA),
    # indicators and scoring
    "indicators": T(CONFIG_READERS, add=MODEL, change=MODEL, delete=MODEL),
    "grade-schemes": T(CONFIG_READERS),
    "model-versions": T(CONFIG_READERS),
    "scoring-runs": T(BUSINESS_READERS),
    "scores": T(BUSINESS_READERS),
    "current-grades": T(BUSINESS_AND_API),
    "grade-overrides": T(BUSINESS_READERS),
    # warnings and work orders
    "warning-rules": T(CONFIG_READERS, add=MODEL | BUSINESS_ADMIN, change=MODEL | BUSINESS_ADMIN, delete=BUSINESS_ADMIN),
    "warnings": T(BUSINESS_AND_API),
    "workflows": T(CONFIG_READERS),
    "work-orders": T(CASE_READERS),
    "clues": T(CASE_READERS, add=CLUE_TAKERS, change=BUSINESS_ADMIN, delete=BUSINESS_ADMIN),
    "ledgers": T(CASE_READERS),
}

# ---- every other named URL route -------------------------------------------------------------------

ROUTES: dict[str, Roles] = {
    # signing in, open to everyone
    "login": PUBLIC,
    "logout": PUBLIC,
    "captcha-image": PUBLIC,
    "captcha-image-2x": PUBLIC,
    "captcha-refresh": PUBLIC,
    "captcha-audio": NOBODY,  # the spoken captcha is off (no flite): 404 for everyone
    "favicon": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # accounts
    "accounts:password_change": SIGNED_IN,
    "accounts:password_reset": USER_MANAGERS,
    "accounts:unlock": USER_MANAGERS,
    "accounts:otp_verify": SIGNED_IN,
    "accounts:otp_setup": SIGNED_IN,
    "accounts:otp_disable": SIGNED_IN - ADMINISTRATORS,  # two-factor is compulsory for the three administrators
    "accounts:otp_reset": SECURITY,
    # masking and approvals
    "web:reveal": roles("leader"),  # holders of approvals.view_unmasked
    "approvals:request_export": BUSINESS_READERS,
    "approvals:decide": roles("leader"),  # approve_export; a grade override's request also business_admin
    "ops:audit_verify": AUDITORS,
    # the framework
    "web:home": SIGNED_IN,
    "api-root": SIGNED_IN,
    "schema": SIGNED_IN,
    "api-docs": SIGNED_IN,
    # ops
    "ops:job_progress": JOB_READERS,
    # intake
    "intake:upload": DATA,
    "intake:upload_columns": DATA,
    "intake:import_template": SYSTEM | DATA,
    "intake:mapping_edit": DATA,
    "intake:return_file": DATA,
    "intake:fix_row": DATA,
    "intake:reviews": DATA,
    "intake:review_decide": DATA,
    "intake:merge_undo": DATA,
    "intake-push": DATA,
    # quality
    "quality:report": QUALITY_READERS,
    # scoring
    "scoring:distribution": BUSINESS_AND_API,
    "scoring:overrides": BUSINESS_READERS,
    "scoring:subject_grade": BUSINESS_AND_API,
    "scoring:edit_weights": MODEL,
    "scoring:version_action": MODEL,
    "scoring:compare": CONFIG_READERS,
    "scoring-explanation": BUSINESS_AND_API,
    # warnings
    "warnings:bulk": CASE_HANDLERS,
    "warnings:act": CASE_HANDLERS,
    "warnings-api-pool": BUSINESS_AND_API,
    "warnings-api-detail": BUSINESS_AND_API,
    "warnings-api-review": CASE_HANDLERS,
    "warnings-api-external": ALERT_SENDERS,
    # work orders, clues, ledgers
    "workorders:queue": CASE_READERS,
    "workorders:next": CASE_HANDLERS,
    "workorders:new": DISPATCHERS,
    "workorders:stats": CASE_READERS,
    "workorders:from_warning": DISPATCHERS,
    "workorders:detail": CASE_READERS,
    "workorders:transition": CASE_HANDLERS,
    "workorders:comment": CASE_HANDLERS,
    "workorders:print": CASE_READERS,
    "workorders:pdf": CASE_READERS,
    "workorders:attachment": CASE_READERS,
    "workorders:clues": CASE_READERS,
    "workorders:clue_review": BUSINESS_ADMIN,
    "workorders:ledgers": CASE_READERS,
    "workorders:ledger": CASE_READERS,
    "workorders-api-list": CASE_READERS,
    "workorders-api-detail": CASE_READERS,
    "workorders-api-transition": CASE_HANDLERS,
    "workorders-api-ledger-verify": LEDGER_VERIFIERS,
    # notifications
    "notifications:inbox": SIGNED_IN,
    "notifications:badge": SIGNED_IN,
    "notifications:read_all": SIGNED_IN,
    "notifications:open": SIGNED_IN,
    "notifications:outbox": SYSTEM,
    "notifications:retry": SYSTEM,
    "notifications:follow": BUSINESS_AND_API,
}

# ---- OpenAPI operations other than the registry types' ------------------------------------------------

OPERATIONS: dict[str, Roles] = {
    "intake_push_create": DATA,
    "scoring_subjects_explanation_retrieve": BUSINESS_AND_API,
    "warnings_pool_list": BUSINESS_AND_API,
    "warnings_pool_retrieve": BUSINESS_AND_API,
    "warnings_pool_review_create": CASE_HANDLERS,
    "warnings_external_create": ALERT_SENDERS,
    "workorders_orders_list": CASE_READERS,
    "workorders_orders_retrieve": CASE_READERS,
    "workorders_orders_transition_create": CASE_HANDLERS,
    "workorders_ledger_verify_retrieve": LEDGER_VERIFIERS,
}


# ---- lookups ---------------------------------------------------------------------------------------

_PAGE_ACTIONS = {"list": "view", "detail": "view", "add": "add", "edit": "change", "delete": "delete"}
_API_ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


def route_roles(name: str) -> Roles | None:
    """The roles that may use the URL route ``name`` (``namespace:name``); None if undeclared."""
    if name in ROUTES:
        return ROUTES[name]
    page = re.fullmatch(r"web:(.+)_(list|add|detail|edit|delete)", name)
    if page and page.group(1) in TYPES:
        return getattr(TYPES[page.group(1)], _PAGE_ACTIONS[page.group(2)])  # type: ignore[no-any-return]
    resource = re.fullmatch(r"(.+)-(list|detail)", name)
    if resource and resource.group(1) in TYPES:
        return TYPES[resource.group(1)].view
    return None


def operation_roles(operation_id: str) -> Roles | None:
    """The roles that may call the OpenAPI operation ``operation_id``; None if undeclared."""
    if operation_id in OPERATIONS:
        return OPERATIONS[operation_id]
    for slug, access in TYPES.items():
        prefix = slug.replace("-", "_") + "_"
        action = operation_id.removeprefix(prefix)
        if operation_id.startswith(prefix) and action in _API_ACTIONS:
            return getattr(access, _API_ACTIONS[action])  # type: ignore[no-any-return]
    return None


def all_declarations() -> dict[str, Roles]:
    """Every declaration by its key, for the tests and ``regwatch access_matrix``."""
    out: dict[str, Roles] = {}
    for slug, access in TYPES.items():
        for action in ("view", "add", "change", "delete"):
            out[f"{slug} ({action})"] = getattr(access, action)
    return {**out, **ROUTES, **OPERATIONS}


def stale_declarations(route_names: set[str], operation_ids: set[str]) -> list[str]:
    """Declarations that name no existing route or operation."""
    stale = [f"TYPES[{slug!r}]" for slug in TYPES if f"web:{slug}_list" not in route_names]
    stale += [f"ROUTES[{name!r}]" for name in ROUTES if name not in route_names]
    stale += [f"OPERATIONS[{op!r}]" for op in OPERATIONS if op not in operation_ids]
    return stale


def table(columns: list[tuple[str, str]]) -> list[list[str]]:
    """The matrix as rows of text: a header, then one row per declaration; ``columns`` are (code, label)."""
    rows = [["", *(label for _, label in columns)]]
    for key, allowed in all_declarations().items():
        rows.append([key, *("✓" if code in allowed else "" for code, _ in columns)])
    return rows
