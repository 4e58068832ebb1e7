"""Roles are Django groups whose permissions are declared here, kept in step after every migrate.

Permission strings are ``app_label.codename``; ``app_label.*`` grants every
permission of an app, ``app_label.view_*`` every view permission of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    grants: tuple[str, ...]


_READ_ALL = ("core.view_*", "subjects.view_*", "packs.view_*")
# Definitions in the subjects app, not subjects or records: configuration the system administrator reads.
_SUBJECT_CONFIG = ("subjects.view_subjectkind", "subjects.view_recordtype", "subjects.view_tag")
_MANAGE_USERS = ("accounts.view_user", "accounts.change_user", "accounts.view_listpreference")

ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        # Three-role separation (三员分立, docs/security.md): the system administrator manages
        # accounts and configuration but reads no business data and no audit trail, and never
        # grants roles or scopes (accounts.grant_access); the security administrator grants them;
        # the auditor only reads the audit trail.  Apps add configuration views in permissions.py.
        Role(
            "system_admin",
            "系统管理员",
            ("core.*", *_MANAGE_USERS, "accounts.add_user", "accounts.delete_user", "packs.*", *_SUBJECT_CONFIG),
        ),
        Role("security_admin", "安全管理员", (*_MANAGE_USERS, "accounts.grant_access", "core.view_region", "core.view_organization")),
        Role("auditor", "审计员", ("audit.view_*",)),
        Role(
            "data_admin",
            "数据管理员",
            (
                *_READ_ALL,
                "subjects.*",
                "core.add_dictionary",
                "core.change_dictionary",
                "core.add_dictionaryitem",
                "core.change_dictionaryitem",
            ),
        ),
        Role("model_admin", "模型管理员", (*_READ_ALL,)),
        Role(
            "business_admin",
            "业务管理员",
            (
                *_READ_ALL,
                "subjects.change_subject",
                "subjects.add_subjecttag",
                "subjects.change_subjecttag",
                "subjects.delete_subjecttag",
                "subjects.add_tag",
                "subjects.change_tag",
            ),
        ),
        Role("inspector", "监管人员", (*_READ_ALL, "subjects.add_record")),
        Role("leader", "领导", (*_READ_ALL,)),
        Role(
            "api_client",
            "接口调用方",
            (
                "subjects.view_subject",
                "subjects.view_record",
                "subjects.view_tag",
                "subjects.view_subjecttag",
                "core.view_region",
                "core.view_dictionary",
                "core.view_dictionaryitem",
            ),
        ),
    ]
}


def role_label(code: str) -> str:
    """A group's Chinese name; a group made by hand outside ROLES is shown by its own name."""
    role = ROLES.get(code)
    return role.label if role else code


# Apps add to roles from their own ``permissions.py`` (autodiscovered): grant("data_admin", "intake.*").
EXTRA_GRANTS: dict[str, list[str]] = {}


def grant(role: str, *perms: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")
    EXTRA_GRANTS.setdefault(role, []).extend(perms)


def grants_of(role: Role) -> tuple[str, ...]:
    return (*role.grants, *EXTRA_GRANTS.get(role.code, ()))


def _matches(grant: str, app_label: str, codename: str) -> bool:
    g_app, _, g_code = grant.partition(".")
    if g_app != app_label:
        return False
    if g_code.endswith("*"):
        return codename.startswith(g_code[:-1])
    return codename == g_code


def sync_roles(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.code)
        wanted = [p for p in perms if any(_matches(g, p.content_type.app_label, p.codename) for g in grants_of(role))]
        group.permissions.set(wanted)
