"""The core never names a pack's codes.

Every code a pack declares (subject kinds, record types, identifier schemes, dictionaries, grade
schemes and their models, workflows, intake sources) is searched for as a
string literal in ``src/regwatch/**/*.py`` outside ``src/regwatch/packs/<pack>/``.  The only
allowed hit is the CLI's demo default (``regwatch demo --pack food_credit``).  Codes are also
unique across packs, since several tables key on them alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from regwatch.packs.manifest import available_packs, pack_dir, read_manifest

SRC = Path(__file__).resolve().parents[2] / "src" / "regwatch"
ALLOWED = {
    ("packs/management/commands/demo.py", "food_credit"),
    # Renames the legacy match method "licence" (once named after food_credit's licence scheme).
    ("intake/migrations/0003_match_method_labels.py", "licence"),
}


def _yaml(name: str, filename: str) -> Any:
    path = pack_dir(name) / filename
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def declared_codes(name: str) -> dict[str, set[str]]:
    """What pack ``name`` declares, by kind of code."""
    m = read_manifest(name)
    scoring, workflows, intake = _yaml(name, "scoring.yaml"), _yaml(name, "workflows.yaml"), _yaml(name, "intake.yaml")
    schemes = {i.code for d in m.dictionaries if d.kind == "identifier_scheme" for i in d.items}
    return {
        "pack": {m.name},
        "subject kind": {k.code for k in m.subject_kinds},
        "record type": {r.code for r in m.record_types},
        "identifier scheme": schemes,
        "dictionary": {d.code for d in m.dictionaries},
        "grade scheme": {s["code"] for s in scoring.get("grade_schemes", [])} | {x["code"] for x in scoring.get("models", [])},
        "workflow": {w["code"] for w in workflows.get("workflows", [])},
        "intake source": {s["code"] for s in intake.get("sources", [])},
    }


def core_files() -> list[Path]:
    packs = {pack_dir(n).resolve() for n in available_packs()}
    return [p for p in SRC.rglob("*.py") if not any(p.resolve().is_relative_to(d) for d in packs)]


def test_the_test_pack_is_found_beside_the_shipped_one() -> None:
    assert {"food_credit", "eco_watch"} <= set(available_packs())
    assert pack_dir("eco_watch").parent.name == "fixture_packs"


def test_codes_are_unique_across_packs() -> None:
    per_pack = [set().union(*declared_codes(n).values()) for n in available_packs()]
    shared = set.intersection(*per_pack) if len(per_pack) > 1 else set()
    assert not shared, f"codes declared by more than one pack: {sorted(shared)}"


def test_dispatch_workflows_name_workflows_of_the_same_pack() -> None:
    for name in available_packs():
        dispatch = read_manifest(name).dispatch
        own = declared_codes(name)["workflow"]
        for target in (dispatch.warning, dispatch.clue):
            assert target is None or target in own, (name, target)


def test_the_core_names_no_code_of_any_pack() -> None:
    codes = {code: (name, kind) for name in available_packs() for kind, cs in declared_codes(name).items() for code in cs}
    literal = re.compile(r"""(["'])([A-Za-z0-9_.]+)\1""")
    hits = []
    for path in core_files():
        rel = path.relative_to(SRC).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in literal.finditer(line):
                code = match.group(2)
                if code in codes and (rel, code) not in ALLOWED:
                    name, kind = codes[code]
                    hits.append(f"{rel}:{lineno}: {kind} {code!r} of {name}")
    assert not hits, "the core names pack codes:\n" + "\n".join(hits)


def test_grep_for_food_finds_only_the_demo_default() -> None:
    hits = [
        f"{p.relative_to(SRC).as_posix()}:{n}"
        for p in core_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if "food_" in line
    ]
    allowed = {"packs/management/commands/demo.py"}
    assert [h for h in hits if h.split(":")[0] not in allowed] == []


def test_pack_dirs_are_searched_after_the_shipped_packs(settings: Any, tmp_path: Path) -> None:
    import shutil

    from regwatch.packs.manifest import load_generator

    shutil.copytree(pack_dir("eco_watch"), tmp_path / "eco_copy")
    manifest = (tmp_path / "eco_copy" / "manifest.yaml").read_text(encoding="utf-8").replace("name: eco_watch", "name: eco_copy")
    (tmp_path / "eco_copy" / "manifest.yaml").write_text(manifest, encoding="utf-8")
    shutil.copytree(pack_dir("eco_watch"), tmp_path / "food_credit")  # a shadow of a shipped pack never wins
    settings.REGWATCH_PACK_DIRS = [*settings.REGWATCH_PACK_DIRS, str(tmp_path)]
    assert "eco_copy" in available_packs() and pack_dir("eco_copy") == tmp_path / "eco_copy"
    assert pack_dir("food_credit").parent.name == "packs" and read_manifest("food_credit").name == "food_credit"
    generate = load_generator(read_manifest("eco_copy"))  # a generator named by file, outside any package
    assert callable(generate) and generate.__module__ == "regwatch_pack_eco_copy_generator"
