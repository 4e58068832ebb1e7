"""Pack sections owned by other apps.

A pack folder holds ``manifest.yaml`` (kinds, record types, dictionaries, tags) and, beside
it, one YAML file per section that another app owns: ``indicators.yaml`` for indicators,
``rules.yaml`` for warning rules, ``workflows.yaml`` for work-order types, ``intake.yaml``
for sources and mappings...  The owning app validates and loads its file:

    # in regwatch/indicators/apps.py ready():
    register_section("indicators.yaml", load_indicators, order=20)

    def load_indicators(pack: str, data: Any) -> dict[str, int]:
        ...  # validate with pydantic, upsert; return counts for the load summary

Sections load in ``order`` inside the pack-load transaction, after the core manifest,
and the pack's checksum covers them, so editing any section file reloads the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SectionLoader = Callable[[str, Any], dict[str, int]]


@dataclass(frozen=True)
class Section:
    filename: str
    loader: SectionLoader
    order: int


SECTIONS: dict[str, Section] = {}


def register_section(filename: str, loader: SectionLoader, order: int = 50) -> None:
    SECTIONS[filename] = Section(filename, loader, order)


def ordered() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.filename))
