"""Known vulnerabilities in the locked dependencies: pip-audit for requirements.lock, npm audit for package-lock.json.

Fails (exit 1) when an advisory with a fix is reported — upgrade the pin — and when a tool breaks.
Warns without failing when an advisory service cannot be reached (this sandbox, an offline CI):
the dependencies are then simply not audited, and the warning says so.  An advisory without a fix
is listed as a warning.  Run by ``.ci/audit-deps``; the parsing is unit-tested in
``tests/security/test_dependency_audit.py``.  Standard library only: it runs before the venv exists.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OK, VULNERABLE, UNREACHABLE, BROKEN = "ok", "vulnerable", "unreachable", "broken"
# What a failed connection to an advisory service looks like in pip-audit's output.
NETWORK = re.compile(
    r"ConnectionError|NameResolutionError|Max retries exceeded|Temporary failure in name resolution|timed out|"
    r"ProxyError|SSLError|HTTPError|ServiceError|could not be audited",
    re.IGNORECASE,
)
NPM_NETWORK_CODES = {"ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"}


@dataclass
class Verdict:
    tool: str
    status: str
    lines: list[str] = field(default_factory=list)

    @property
    def fails(self) -> bool:
        return self.status in (VULNERABLE, BROKEN)


def classify_pip(report: dict[str, Any] | None, returncode: int, output: str) -> Verdict:
    """pip-audit's JSON report (``None`` when it wrote none), its exit status and its stderr."""
    if report is None:
        if NETWORK.search(output):
            return Verdict("pip-audit", UNREACHABLE, ["the vulnerability service could not be reached; Python dependencies NOT audited"])
        return Verdict("pip-audit", BROKEN, [f"pip-audit failed (exit {returncode}) without a report:", *output.strip().splitlines()[-5:]])
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d]
    fixable, unfixed = [], []
    for d in audited:
        for v in d.get("vulns", []):
            text = f"{d['name']} {d.get('version', '')}: {v.get('id', '?')}"
            if v.get("fix_versions"):
                fixable.append(f"{text} (fixed in {', '.join(v['fix_versions'])})")
            else:
                unfixed.append(f"{text} (no fix yet)")
    if fixable:
        return Verdict("pip-audit", VULNERABLE, fixable + unfixed)
    if skipped and not audited:
        if all(NETWORK.search(d["skip_reason"]) for d in skipped):
            reason = f"the vulnerability service answered for none of {len(skipped)} packages; NOT audited"
            return Verdict("pip-audit", UNREACHABLE, [reason])
        return Verdict("pip-audit", BROKEN, [f"{d['name']}: {d['skip_reason']}" for d in skipped])
    if skipped:  # the service answered for the others: these are unknown to it (as --strict would fail)
        return Verdict("pip-audit", BROKEN, [f"{d['name']}: {d['skip_reason']}" for d in skipped])
    return Verdict("pip-audit", OK, unfixed or [f"{len(audited)} packages, no known vulnerability with a fix"])


def classify_npm(report: dict[str, Any] | None, returncode: int, output: str) -> Verdict:
    """``npm audit --json``'s report (``None`` when it printed none), its exit status and its stderr."""
    if report is None:
        if "audit endpoint" in output or any(code in output for code in NPM_NETWORK_CODES):
            return Verdict("npm audit", UNREACHABLE, ["the npm audit endpoint could not be reached; front-end dependencies NOT audited"])
        return Verdict("npm audit", BROKEN, [f"npm audit failed (exit {returncode}) without a report:", *output.strip().splitlines()[-5:]])
    if "vulnerabilities" not in report:
        error = report.get("error") or {}
        code = str(error.get("code", "")) if isinstance(error, dict) else ""
        if "statusCode" in report or code in NPM_NETWORK_CODES or "audit endpoint" in output:
            reason = report.get("message") or code or "no answer"
            return Verdict("npm audit", UNREACHABLE, [f"the npm audit endpoint failed ({reason}); front-end dependencies NOT audited"])
        return Verdict("npm audit", BROKEN, [f"npm audit failed: {json.dumps(error or report, ensure_ascii=False)[:300]}"])
    fixable, unfixed = [], []
    for name, v in sorted(report["vulnerabilities"].items()):
        text = f"{name} {v.get('range', '')}: {v.get('severity', '?')}"
        fix = v.get("fixAvailable")
        if fix:
            target = f" -> {fix['name']}@{fix['version']}" if isinstance(fix, dict) else ""
            fixable.append(f"{text} (fix available{target})")
        else:
            unfixed.append(f"{text} (no fix yet)")
    if fixable:
        return Verdict("npm audit", VULNERABLE, fixable + unfixed)
    return Verdict("npm audit", OK, unfixed or ["no known vulnerability with a fix"])


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def run_pip_audit(pip_audit: str, requirements: Path, timeout: int) -> Verdict:
    with tempfile.TemporaryDirectory() as tmp:
        return _pip_audit(pip_audit, requirements, timeout, Path(tmp) / "pip-audit.json")


def _pip_audit(pip_audit: str, requirements: Path, timeout: int, out: Path) -> Verdict:
    # Not --strict: a package the service does not answer for becomes a skip in the report, which is
    # classified above (all skipped: service unreachable; some: unknown package, a failure).
    cmd = [pip_audit, "-r", str(requirements), "--no-deps", "--progress-spinner", "off", "--timeout", "15"]
    cmd += ["--format", "json", "-o", str(out)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Verdict("pip-audit", UNREACHABLE, [f"no answer within {timeout} s; Python dependencies NOT audited"])
    report = _json(out.read_text()) if out.exists() else None
    return classify_pip(report, done.returncode, done.stderr)


def run_npm_audit(root: Path, timeout: int) -> Verdict:
    cmd = ["npm", "audit", "--omit=dev", "--audit-level=low", "--json"]
    try:
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Verdict("npm audit", UNREACHABLE, [f"no answer within {timeout} s; front-end dependencies NOT audited"])
    except FileNotFoundError:
        return Verdict("npm audit", BROKEN, ["npm is not installed"])
    return classify_npm(_json(done.stdout), done.returncode, done.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pip-audit", required=True, help="the pip-audit executable")
    parser.add_argument("--timeout", type=int, default=900, help="seconds each tool may take")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    verdicts = [run_pip_audit(args.pip_audit, root / "requirements.lock", args.timeout), run_npm_audit(root, args.timeout)]
    for v in verdicts:
        label = {OK: "ok", VULNERABLE: "FAILED: vulnerabilities with a fix", UNREACHABLE: "WARNING", BROKEN: "FAILED"}[v.status]
        print(f"[audit-deps] {v.tool}: {label}")
        for line in v.lines:
            print(f"[audit-deps]   {line}")
    if any(v.status == UNREACHABLE for v in verdicts):
        print("[audit-deps] WARNING: an advisory service was unreachable; run .ci/audit-deps where it can be reached.")
    return 1 if any(v.fails for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
