"""Garbage-collector helpers shared by the modules that build many objects at once (private).

The lowest layer beside :mod:`referral.errors`: it imports nothing of the package.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["no_gc"]


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects (loading a
    directory makes hundreds of thousands; collections during it only cost time).

    >>> import gc
    >>> with no_gc():
    ...     gc.isenabled()
    False
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
