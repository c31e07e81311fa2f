"""A per-user cache of the bundled directory, validated once (private; used by the CLI).

Every ``referral route`` is a new process, and validating the bundled directory (7 MB, 706
bodies, about 15,000 links) would more than double its start-up. The first run therefore keeps
the validated directory, with its route and area indexes and the concern matcher, in the user's
cache folder; later runs load it back if, and only if, the data file, the package's code and the
Python and pydantic versions are all unchanged.

Only the public bundled directory is cached: never a file a user passes (it may hold
confidential addresses) and never a note. Where: ``$REFERRAL_CACHE_DIR``, else
``$XDG_CACHE_HOME/referral``, else ``~/.cache/referral``; ``REFERRAL_CACHE_DIR=off`` turns it
off. A cache file is a pickle, so it is read only when it belongs to the current user and no
one else may write to it or to its folder: the same trust as the ``__pycache__`` folders Python
reads beside every module. Anything wrong with it (unreadable, stale, truncated) means it is
ignored and rebuilt; the cache can never make a command fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pydantic

from ._data import bundled_path, no_gc
from .cues import analyser_versions
from .directory import Directory, _set_bundled
from .editing import SaveError, atomic_write
from .matching import Matcher, _set_default_matcher, default_matcher

__all__ = ["cache_dir", "load_bundled"]

_PREFIX = "bundled-"
_FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is turned off."""
    env = os.environ.get("REFERRAL_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "referral"


def _key(data: Path) -> str:
    """What the cached objects depend on: the data, the code, the interpreter (files by
    path, size and modification time, as Python checks its ``__pycache__``)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in [data, *sorted(package.glob("*.py")), *sorted(package.glob("*.json"))]:
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
    h.update(f"{_FORMAT}|{sys.version}|{pydantic.VERSION}|{analyser_versions()}".encode())
    return h.hexdigest()[:32]


def _trusted(path: Path) -> bool:
    """Only the current user may have written the file (POSIX); elsewhere, own folders only."""
    if not hasattr(os, "getuid"):
        return True
    try:
        for p in (path, path.parent):
            st = p.stat()
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def _read(path: Path) -> tuple[Directory, Matcher] | None:
    if not path.is_file() or not _trusted(path):
        return None
    try:
        with no_gc():
            got: Any = pickle.loads(path.read_bytes())
        d, matcher = got
        if isinstance(d, Directory) and isinstance(matcher, Matcher):
            return d, matcher
    except Exception:
        pass
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def _write(folder: Path, path: Path, value: tuple[Directory, Matcher]) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in folder.glob(f"{_PREFIX}*.pickle"):  # one version kept
            old.unlink()
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, SaveError, pickle.PicklingError):
        pass  # a cache that cannot be written is simply not used


def load_bundled() -> Directory:
    """The bundled directory, from the cache when it is current (see the module notes).

    Also makes :meth:`Directory.load` and :func:`~referral.matching.default_matcher` return
    the cached objects for the rest of the process.
    """
    folder = cache_dir()
    if folder is None:
        return Directory.load()
    try:
        path = folder / f"{_PREFIX}{_key(bundled_path())}.pickle"
    except OSError:
        return Directory.load()
    got = _read(path)
    if got is not None:
        d, matcher = got
        _set_bundled(d)
        _set_default_matcher(matcher)
        return d
    d = Directory.load()
    d._route_index, d._area_index  # noqa: B018 - built now, so that they are cached too
    _write(folder, path, (d, default_matcher()))
    return d
