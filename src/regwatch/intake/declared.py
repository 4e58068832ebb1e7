"""What a pack's installed manifest declares for intake: matchable identifier schemes, the default subject kind.

Read from ``PackInstall.manifest`` (the version actually loaded), so intake never names a pack's codes.
"""

from __future__ import annotations

from typing import Any

from regwatch.packs.models import PackInstall


def _manifests(pack: str | None) -> list[dict[str, Any]]:
    installed = PackInstall.objects.filter(name=pack) if pack else PackInstall.objects.all()
    return list(installed.values_list("manifest", flat=True))


def matchable_schemes(pack: str | None) -> dict[str, str]:
    """Identifier schemes (code → name) the pack declares ``matchable``; those of every installed pack when none."""
    schemes: dict[str, str] = {}
    for manifest in _manifests(pack):
        for dictionary in manifest.get("dictionaries", []):
            if dictionary.get("kind") == "identifier_scheme":
                schemes.update({i["code"]: i["name"] for i in dictionary.get("items", []) if i.get("matchable")})
    return schemes


def default_kind(pack: str | None) -> str:
    """The subject kind the pack declares for rows whose mapping gives none ("" when it declares none)."""
    if not pack:
        return ""
    manifests = _manifests(pack)
    return str(manifests[0].get("default_kind") or "") if manifests else ""
