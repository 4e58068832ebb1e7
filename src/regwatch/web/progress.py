"""Progress bars for long CLI operations (stderr, so ``--json`` output stays clean)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from tqdm import tqdm


@contextlib.contextmanager
def cli_progress(total: int, desc: str) -> Iterator[Callable[[int], None]]:
    bar = tqdm(total=total, desc=desc, unit="行", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)

    def advance(n: int) -> None:
        bar.update(n)

    try:
        yield advance
    finally:
        bar.close()
