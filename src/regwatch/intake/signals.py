"""What intake announces to the apps above it (quality, catalog); intake never imports them.

- ``batch_finished(source, batch)``: a batch is stored; the quality gate measures it.
- ``mapping_changed(pack)``: a field mapping got a new version outside a pack load; the catalog follows.
- ``section_loaded(pack, section, known)``: ``intake.yaml`` was loaded (``section`` is the validated
  ``IntakeSection``, ``known`` the dataset codes); each receiver loads its part and returns counts
  for the load summary.
"""

from __future__ import annotations

from django.dispatch import Signal

batch_finished = Signal()
mapping_changed = Signal()
section_loaded = Signal()
