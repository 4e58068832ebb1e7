"""The allowed dependencies between apps (docs/architecture.md) are checked by import-linter.

The contracts live in pyproject.toml (``[tool.importlinter]``); function-local imports count too,
so a cycle cannot hide inside a function.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.argv[0] = 'lint-imports'; lint_imports_command()"


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_apps_keep_their_contracts(tmp_path: Path) -> None:
    result = _lint(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """A function-local import of workorders from warnings (the cycle we removed) is caught."""
    shutil.copytree(ROOT / "src" / "regwatch", tmp_path / "src" / "regwatch", ignore=shutil.ignore_patterns("__pycache__", "static"))
    views = tmp_path / "src" / "regwatch" / "warnings" / "views.py"
    views.write_text(views.read_text() + "\n\ndef _sneaky() -> None:\n    from regwatch.workorders.workflow import create_order  # noqa\n")
    result = _lint(tmp_path / "src", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "regwatch.warnings is not allowed to import regwatch.workorders" in result.stdout
    assert "regwatch.warnings.views -> regwatch.workorders.workflow" in result.stdout


def test_the_framework_names_no_domain_app(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "regwatch", tmp_path / "src" / "regwatch", ignore=shutil.ignore_patterns("__pycache__", "static"))
    registry = tmp_path / "src" / "regwatch" / "web" / "registry.py"
    registry.write_text(registry.read_text() + "\nfrom regwatch.subjects import models as _subjects  # noqa\n")
    result = _lint(tmp_path / "src", tmp_path)
    assert result.returncode == 1 and "regwatch.web is not allowed to import regwatch.subjects" in result.stdout, result.stdout


def test_a_new_app_must_take_its_place_in_the_layers(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "regwatch", tmp_path / "src" / "regwatch", ignore=shutil.ignore_patterns("__pycache__", "static"))
    (tmp_path / "src" / "regwatch" / "newapp").mkdir()
    (tmp_path / "src" / "regwatch" / "newapp" / "__init__.py").write_text("")
    result = _lint(tmp_path / "src", tmp_path)
    assert result.returncode == 1 and "regwatch.newapp" in result.stdout and "not listed as layers" in result.stdout, result.stdout
