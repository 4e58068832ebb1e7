"""Demo organisations and one user per role, so every screen can be tried at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from regwatch.accounts.models import User
from regwatch.audit.context import system
from regwatch.core.models import Organization, Region

from .manifest import read_manifest

DEMO_PASSWORD = "Regwatch#2026"


@dataclass
class DemoLogin:
    username: str
    role: str
    organization: str
    scope: str
    token: str = ""


def ensure_organizations(pack: str) -> dict[str, Organization]:
    manifest = read_manifest(pack)
    assert manifest.demo is not None
    suffix = manifest.demo.organization
    orgs: dict[str, Organization] = {}

    def org(code: str, name: str, region: Region, parent: Organization | None, kind: str) -> Organization:
        obj, _ = Organization.objects.get_or_create(code=code, defaults={"name": name, "region": region, "parent": parent, "kind": kind})
        orgs[code] = obj
        return obj

    for city_code in manifest.demo.regions:
        city = Region.objects.get(code=city_code)
        bureau = org(f"SAMR-{city.code}", f"{city.name}{suffix}", city, None, "bureau")
        for i, dept in enumerate(manifest.demo.departments, start=1):
            org(f"SAMR-{city.code}-D{i}", dept, city, bureau, "department")
        for county in city.children.filter(level="county"):
            cb = org(f"SAMR-{county.code}", f"{county.name}{suffix}", county, bureau, "bureau")
            for town in county.children.filter(level="township"):
                org(f"SAMR-{town.code}", f"{town.name}市场监管所", town, cb, "office")
    return orgs


@transaction.atomic
def ensure_demo_users(pack: str) -> list[DemoLogin]:
    manifest = read_manifest(pack)
    assert manifest.demo is not None
    city = manifest.demo.regions[0]
    county = Region.objects.get(code=manifest.demo.county)
    with system("demo-users"):
        ensure_organizations(pack)
        city_org = Organization.objects.get(code=f"SAMR-{city}")
        data_org = Organization.objects.get(code=f"SAMR-{city}-D4")
        credit_org = Organization.objects.get(code=f"SAMR-{city}-D3")
        county_org = Organization.objects.get(code=f"SAMR-{county.code}")
        plan = [
            ("admin", "system_admin", "系统管理员", city_org, True),
            # Three-role separation: roles and scopes are granted by the security administrator;
            # the auditor reads the audit trail.  Neither sees business data.
            ("security_admin", "security_admin", "安全管理员", city_org, False),
            ("auditor", "auditor", "安全审计员", city_org, False),
            ("data_admin", "data_admin", "数据管理员", data_org, True),
            ("model_admin", "model_admin", "模型管理员", credit_org, True),
            # A second one, because a model version is published by two different people.
            ("model_admin2", "model_admin", "模型复核员", credit_org, True),
            ("business_admin", "business_admin", "业务管理员", credit_org, False),
            ("inspector", "inspector", f"{county.name}监管员", county_org, False),
            ("leader", "leader", "分管领导", city_org, False),
            ("api_client", "api_client", "共享接口调用方", city_org, False),
        ]
        logins = []
        for username, role, display, org, scope_all in plan:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, display_name=display, organization=org, scope_all=scope_all)
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role))
            token = Token.objects.get_or_create(user=user)[0].key if role == "api_client" else ""
            scope = "全部区划" if scope_all else org.region.full_name
            logins.append(DemoLogin(username, display, org.name, scope, token))
    return logins
