"""A progress bar on stderr for long runs, drawn only when stderr is a terminal (private)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(
    items: Iterable[T], *, total: int, label: str, enabled: bool | None = None
) -> Iterator[T]:
    """Yield ``items``, drawing ``label [####....] i/total`` on stderr as it goes.

    ``enabled=None`` (the default) draws only when stderr is a terminal, so pipes, logs, CI
    and notebooks stay clean.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    step = max(1, total // 50)
    i = 0
    for i, item in enumerate(items):
        if show and i % step == 0:
            done = i * 40 // max(total, 1)
            sys.stderr.write(f"\r{label} [{'#' * done}{'.' * (40 - done)}] {i:,}/{total:,}")
            sys.stderr.flush()
        yield item
    if show:
        sys.stderr.write(f"\r{label} [{'#' * 40}] {total:,}/{total:,}\n")
        sys.stderr.flush()
