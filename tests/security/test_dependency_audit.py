"""``.ci/audit-deps`` fails on advisories with a fix and only warns when the advisory service is unreachable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

_path = Path(__file__).resolve().parents[2] / ".ci" / "audit_deps.py"
_spec = importlib.util.spec_from_file_location("audit_deps", _path)
assert _spec is not None and _spec.loader is not None
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit_deps"] = audit
_spec.loader.exec_module(audit)


def pip_dep(name: str, *vulns: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "version": "1.0", "vulns": list(vulns)}


def test_pip_audit_fails_on_a_vulnerability_with_a_fix_and_warns_on_one_without() -> None:
    report = {"dependencies": [pip_dep("django", {"id": "PYSEC-1", "fix_versions": ["5.2.20"]}), pip_dep("rich")], "fixes": []}
    verdict = audit.classify_pip(report, 1, "")
    assert verdict.status == audit.VULNERABLE and verdict.fails
    assert verdict.lines == ["django 1.0: PYSEC-1 (fixed in 5.2.20)"]
    unfixed = audit.classify_pip({"dependencies": [pip_dep("x", {"id": "GHSA-2", "fix_versions": []})]}, 1, "")
    assert unfixed.status == audit.OK and not unfixed.fails and unfixed.lines == ["x 1.0: GHSA-2 (no fix yet)"]


def test_pip_audit_without_an_advisory_service_warns_and_passes() -> None:
    # What this sandbox gives: the PyPI JSON API answers 404 for every package.
    skipped = [{"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n} (1.0)"} for n in ("django", "rich")]
    verdict = audit.classify_pip({"dependencies": skipped, "fixes": []}, 0, "")
    assert verdict.status == audit.UNREACHABLE and not verdict.fails
    # OSV unreachable: pip-audit crashes with a connection error and writes no report.
    crash = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded"
    assert audit.classify_pip(None, 1, crash).status == audit.UNREACHABLE


def test_pip_audit_that_breaks_otherwise_fails() -> None:
    assert audit.classify_pip(None, 2, "error: unrecognized arguments: --bogus").fails
    # The service answered for some packages and not for this one: as --strict, a failure.
    unknown = {"name": "ourpkg", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    report = {"dependencies": [pip_dep("django"), unknown]}
    assert audit.classify_pip(report, 0, "").status == audit.BROKEN


def npm_vuln(fix: Any) -> dict[str, Any]:
    return {"name": "echarts", "severity": "low", "range": "<6.1.1", "fixAvailable": fix}


def test_npm_audit_fails_on_a_fixable_advisory_and_warns_on_the_rest() -> None:
    fix = {"name": "echarts", "version": "6.1.1"}
    fixed = audit.classify_npm({"auditReportVersion": 2, "vulnerabilities": {"echarts": npm_vuln(fix)}}, 1, "")
    assert fixed.status == audit.VULNERABLE and fixed.lines == ["echarts <6.1.1: low (fix available -> echarts@6.1.1)"]
    assert audit.classify_npm({"vulnerabilities": {"echarts": npm_vuln(True)}}, 1, "").fails
    unfixed = audit.classify_npm({"vulnerabilities": {"echarts": npm_vuln(False)}}, 1, "")
    assert unfixed.status == audit.OK and unfixed.lines == ["echarts <6.1.1: low (no fix yet)"]
    assert audit.classify_npm({"auditReportVersion": 2, "vulnerabilities": {}}, 0, "").status == audit.OK


def test_npm_audit_endpoint_unreachable_warns_and_other_errors_fail() -> None:
    # What this sandbox gives: the registry refuses the bulk advisory POST.
    refused = {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", "statusCode": 405}
    assert audit.classify_npm(refused, 1, "npm error audit endpoint returned an error").status == audit.UNREACHABLE
    assert audit.classify_npm({"error": {"code": "ENOTFOUND", "summary": "getaddrinfo"}}, 1, "").status == audit.UNREACHABLE
    assert audit.classify_npm(None, 1, "npm error code ECONNREFUSED").status == audit.UNREACHABLE
    assert audit.classify_npm({"error": {"code": "ENOLOCK", "summary": "no lockfile"}}, 1, "").fails
    assert audit.classify_npm(None, 127, "npm: command not found").fails


@given(st.lists(st.tuples(st.sampled_from(["low", "moderate", "high", "critical"]), st.booleans()), max_size=6))
def test_npm_audit_fails_exactly_when_some_advisory_has_a_fix(vulns: list[tuple[str, bool]]) -> None:
    report = {"vulnerabilities": {f"p{i}": {"severity": s, "fixAvailable": f} for i, (s, f) in enumerate(vulns)}}
    assert audit.classify_npm(report, 1 if vulns else 0, "").fails == any(f for _, f in vulns)
