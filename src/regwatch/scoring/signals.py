"""What scoring tells the rest of the platform (the warnings app listens).

``grade_changed``: sent once per subject whose grade changed, after the run or re-score
that changed it is committed and in force.  kwargs:
    subject_id: int, scheme: str (grade scheme code), old_level: str | None (None = first grade),
    new_level: str, old_score: float | None, new_score: float, as_of: datetime.date,
    run_id: int | None, direction: "up" | "down" | "same-level" ("down" = riskier)

``run_published``: sent after a scoring run's results are in force.  kwargs:
    run_id: int, scheme: str, as_of: datetime.date, subject_count: int
"""

from __future__ import annotations

from django.dispatch import Signal

grade_changed = Signal()
run_published = Signal()
