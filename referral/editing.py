"""Safe edits: change a directory without ever breaking it, and save without ever losing it.

Every edit returns a *new* document, validated (the record itself, then the integrity of the
whole); the original is untouched. :func:`save` writes atomically: a temporary file in the same
folder, flushed and fsynced, then renamed over the old file (and the folder fsynced), so a crash
at any step leaves either the old file or the new one, never a partial file. Nothing else in
the library writes to disk.

Concurrent editors lose nothing: every save holds the file's lock (:func:`locked`, an
``flock`` on POSIX), and :func:`edit_file` reads, changes and saves under it; a save given a
:func:`snapshot` taken before reading refuses (:class:`SaveConflictError`) to overwrite a
change it did not see. A save writes only regular files: through a symlink to its
regular-file target, never over a device, pipe, directory or dangling link. New files are
owner-only (0600) unless made public; an existing file keeps its mode. A killed save's
temporary file, ``.NAME.referral-PID-XXXXXXXX.tmp``, is removed by the next save of the file.

Examples
--------
>>> from referral import Directory
>>> from referral.editing import update_agency
>>> d = Directory.load()
>>> doc = update_agency(d.document, "nishi.ward_office", notes="checked by phone")
>>> [a.notes for a in doc.agencies if a.id == "nishi.ward_office"]
['checked by phone']
>>> d.agency("nishi.ward_office").notes.startswith("Houses")   # the original is untouched
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

import pydantic

from ._data import iter_dump
from ._diff import unified_diff
from .errors import (
    DataError,
    SaveConflictError,
    SaveError,
    UnknownAgencyError,
    ValidationError,
)
from .models import Agency, Document, Link
from .validation import check_integrity, load_document

__all__ = [
    "CAN_LOCK",
    "LOCK_TIMEOUT",
    "STALE_SECONDS",
    "Snapshot",
    "add_agency",
    "add_link",
    "atomic_write",
    "diff",
    "edit_file",
    "locked",
    "remove_agency",
    "remove_link",
    "save",
    "snapshot",
    "update_agency",
]


STALE_SECONDS = 3600.0
"""A temporary file of a save older than this (an hour), or whose process is no longer
running on this machine, is a killed save's leftover, removed by the next save of the file."""

LOCK_TIMEOUT = 300.0
"""Seconds a save waits for another process's save of the same file before giving up."""

CAN_LOCK = fcntl is not None
"""Whether saves are serialised across processes (POSIX ``flock``); else only across
threads, with :class:`SaveConflictError` still refusing to overwrite an unseen change."""


def _checked(doc: Document, **changes: Any) -> Document:
    """A new document with ``changes``, re-validated as a whole (raises ValidationError)."""
    try:
        new = Document.model_validate(
            {**{k: getattr(doc, k) for k in Document.model_fields}, **changes}
        )
    except pydantic.ValidationError as exc:
        raise DataError(f"invalid edit: {exc.errors(include_url=False)[0]['msg']}") from None
    problems = check_integrity(new)
    if problems:
        raise ValidationError("edit", problems)
    return new


def _index(doc: Document, agency_id: str) -> int:
    for i, ag in enumerate(doc.agencies):
        if ag.id == agency_id:
            return i
    raise UnknownAgencyError(agency_id)


def add_agency(
    doc: Document, agency: Agency | dict[str, Any], *, replace: bool = False
) -> Document:
    """Add a body (or replace the one with its id when ``replace``)."""
    new = agency if isinstance(agency, Agency) else Agency.model_validate(agency)
    existing = [a for a in doc.agencies if a.id == new.id]
    if existing and not replace:
        raise DataError(f"an agency with id {new.id!r} exists (use replace=True or update)")
    return _checked(doc, agencies=(*(a for a in doc.agencies if a.id != new.id), new))


def update_agency(doc: Document, agency_id: str, **changes: Any) -> Document:
    """Change fields of one body; the record is validated again as a whole."""
    old = doc.agencies[_index(doc, agency_id)]
    if "id" in changes and changes["id"] != agency_id:
        raise DataError("an agency's id cannot be changed (ids are stable); add a new one")
    try:
        new = Agency.model_validate({**old.model_dump(), **changes})
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(
            f"{agency_id}: {where}: {err['msg'].removeprefix('Value error, ')}"
        ) from None
    return _checked(doc, agencies=tuple(new if a.id == agency_id else a for a in doc.agencies))


def remove_agency(doc: Document, agency_id: str, *, with_links: bool = True) -> Document:
    """Remove a body and (by default) every link from or to it.

    Raises
    ------
    ValidationError
        Something still depends on it (another record's ``contact_via``, or a required kind
        the area or ward would lose).
    """
    _index(doc, agency_id)
    links = doc.links
    if with_links:
        links = tuple(lk for lk in links if agency_id not in (lk.source, lk.target))
    return _checked(doc, agencies=tuple(a for a in doc.agencies if a.id != agency_id), links=links)


def add_link(doc: Document, link: Link | dict[str, Any]) -> Document:
    """Add a typed link between two existing bodies."""
    new = link if isinstance(link, Link) else Link.model_validate(link)
    return _checked(doc, links=(*doc.links, new))


def remove_link(doc: Document, source: str, target: str, kind: str) -> Document:
    """Remove one link."""
    kept = tuple(
        lk for lk in doc.links if (lk.source, lk.target, lk.kind) != (source, target, kind)
    )
    if len(kept) == len(doc.links):
        raise DataError(f"no {kind} link {source!r} -> {target!r}")
    return _checked(doc, links=kept)


def diff(old: Document, new: Document, *, name: str = "agencies.json") -> str:
    """A unified diff of the two documents in the stable on-disk format (two lines of
    context, as ``diff -u`` and :func:`difflib.unified_diff` print them).

    Found record by record: records the two documents share are matched without being
    written, and only the records the diff shows are written and compared line by line,
    so a diff costs less than a :func:`save`.
    """
    return unified_diff(old, new, name)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# -- where a save may write -----------------------------------------------------------------
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _target(path: str | os.PathLike[str]) -> Path:
    """The regular file a save to ``path`` replaces (or the new file it creates).

    A symlink is followed to its target, which must be a regular file; anything else at the
    path (a device, a pipe, a directory, a dangling link) is refused, never replaced.
    """
    given = Path(path)
    real = Path(os.path.realpath(given))
    try:
        st = given.stat()
    except FileNotFoundError:
        if given.is_symlink():
            raise SaveError(
                f"{given}: a symlink to a missing file ({given.readlink()}); "
                "nothing was written — save to the file itself"
            ) from None
        return real
    except OSError as exc:
        raise SaveError(f"{given}: cannot save here ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
        raise SaveError(
            f"{given}: not a regular file ({what}); nothing was written — choose a file path"
        )
    try:
        same = os.path.samestat(real.stat(), st)
    except OSError:
        same = False
    if not same:  # /proc/self/fd/N of a deleted file, or a link changed meanwhile
        raise SaveError(f"{given}: not a regular file with a name; nothing was written")
    return real


MAX_STEM_BYTES = 200
"""Bytes of a file name kept whole in a temporary file's name (longer: its hash), so the
temporary name stays under the usual 255-byte limit."""


def _stem(target: Path) -> str:
    """The part of a temporary file's name that says which file it is for."""
    name = target.name
    if len(os.fsencode(name)) <= MAX_STEM_BYTES:
        return name
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:24]


def _temporaries(target: Path) -> re.Pattern[str]:
    """Names of the temporary files of saves of ``target``: ``.NAME.referral-PID-XXXXXXXX.tmp``
    (the eight characters are :func:`tempfile.mkstemp`'s).
    """
    return re.compile(rf"\.{re.escape(_stem(target))}\.referral-(\d+)-[a-z0-9_]{{8}}\.tmp")


def _running(pid: int) -> bool:
    """Whether a process with this id runs on this machine (POSIX; elsewhere assume so)."""
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) would end it on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporary files left by killed saves of ``target`` (see :data:`STALE_SECONDS`):
    this user's files named as this file's, whose process is gone (or is this one, which
    holds the lock) or which are older than :data:`STALE_SECONDS`.
    """
    pattern = _temporaries(target)
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    now = time.time()
    try:
        entries = list(os.scandir(target.parent if str(target.parent) else "."))
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
                continue
            pid = int(found.group(1))
            gone = pid == os.getpid() or not _running(pid)
            if gone or now - st.st_mtime > STALE_SECONDS:
                Path(entry.path).unlink()
        except OSError:
            continue


def _umask() -> int:
    """The process umask, read without changing it (Linux); else the usual 022."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022  # pragma: no cover - not Linux


# -- locks and snapshots ---------------------------------------------------------------------
class _Held:
    """The current process's hold on one file's lock (its threads take turns on ``rlock``)."""

    def __init__(self) -> None:
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _flock(target: Path, deadline: float) -> int | None:
    """Lock the file at ``target`` and return the locked descriptor (``None``: no file).

    The lock is on the file itself. A save replaces the file, so after waiting for the lock
    the path is checked to still name the locked file; if a save replaced it meanwhile, the
    new file is locked instead. The kernel releases the lock of a killed process.
    """
    if fcntl is None:  # pragma: no cover - not POSIX
        return None
    delay = 0.002
    while True:
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, PermissionError):  # a new file, or one we may not read
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since it was checked
                raise SaveError(f"{target}: not a regular file; nothing was written")
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SaveError(
                            f"{target}: another process is still saving this file; "
                            "nothing was written — try again"
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
            try:
                current: os.stat_result | None = target.stat()
            except FileNotFoundError:
                current = None
            if current is not None and os.path.samestat(current, os.fstat(fd)):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # replaced while we waited: lock the new file


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the write lock of a directory file; yields the file's real path.

    Every save takes this lock, so a read-modify-write inside it (see :func:`edit_file`)
    cannot lose another editor's change. It is re-entrant within a thread; a process's
    threads take turns; across processes it is an ``flock`` on the file itself (POSIX).
    Without ``fcntl`` (Windows), or for a file that does not exist yet, only this process's
    threads are serialised (:data:`CAN_LOCK`); a save given ``expect`` still refuses to
    overwrite a change it did not read.

    Raises
    ------
    SaveError
        The path is not a regular file, or another save held the lock for ``timeout``
        seconds (default :data:`LOCK_TIMEOUT`).
    """
    target = _target(path)
    wait = LOCK_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + wait
    key = os.path.normcase(target)
    with _held_guard:
        held = _held.setdefault(key, _Held())
    if not held.rlock.acquire(timeout=wait):
        raise SaveError(f"{target}: another thread is still saving this file; nothing was written")
    try:
        if held.depth == 0:
            held.fd = _flock(target, deadline)
        held.depth += 1
        try:
            yield target
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                os.close(held.fd)  # releases the flock
                held.fd = None
    finally:
        held.rlock.release()


@dataclass(frozen=True)
class Snapshot:
    """What a file held when it was read, to refuse saving over a later change.

    ``path`` is the file's absolute real path; ``digest`` the SHA-256 of its bytes (``None``
    when there was no file).
    """

    path: Path
    digest: str | None


def _digest(target: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with target.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SaveError(f"{target}: cannot read ({exc.strerror or exc})") from exc
    return h.hexdigest()


def snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Record what the file at ``path`` holds now. Take it *before* reading the file, and
    pass it to :func:`save` as ``expect``.
    """
    target = _target(path)
    return Snapshot(target, _digest(target))


def _check_unchanged(target: Path, expect: Snapshot) -> None:
    if target != expect.path:
        raise DataError(f"the snapshot is of {expect.path}, not of {target}")
    if _digest(target) != expect.digest:
        raise SaveConflictError(
            f"{target}: changed since it was read (another editor saved it); nothing was "
            "written — read it again and redo the edit"
        )


# -- saving ------------------------------------------------------------------------------------
def save(doc: Document, path: str | os.PathLike[str], *, expect: Snapshot | None = None) -> Path:
    """Write ``doc`` to ``path`` atomically in the stable format; return the path.

    The document is checked first (integrity problems raise before anything is written).
    The write goes through :func:`atomic_write`: under the file's lock, a temporary file in
    the same folder, flushed and fsynced, renamed over the file, the folder fsynced. If any
    step fails the temporary file is removed and the old file is left exactly as it was.

    Parameters
    ----------
    expect
        A :func:`snapshot` taken before the document was read: the save is refused if the
        file changed since, so no one's change is overwritten unseen.

    Raises
    ------
    ValidationError
        The document is not valid; nothing was written.
    SaveConflictError
        The file changed since ``expect`` was taken; nothing was written.
    SaveError
        The write failed, or the path is not a regular file; the previous file is intact.
    """
    problems = check_integrity(doc)
    if problems:
        raise ValidationError(os.fspath(path), problems)
    return atomic_write(path, (chunk.encode("utf-8") for chunk in iter_dump(doc)), expect=expect)


def edit_file(
    path: str | os.PathLike[str],
    change: Callable[[Document], Document],
    *,
    out: str | os.PathLike[str] | None = None,
    max_bytes: int | None = None,
) -> Path:
    """Read the directory file at ``path``, apply ``change`` and save the result, all under
    the lock of the file written (:func:`locked`), so concurrent editors each keep their
    change; returns the path written.

    The result goes to ``out`` (default: back over ``path``). If a program that takes no
    lock rewrites the file meanwhile, the save fails with :class:`SaveConflictError` rather
    than overwrite it.
    """
    dest = Path(path) if out is None else Path(out)
    with locked(dest) as target:
        same = os.path.lexists(path) and _target(path) == target
        seen = snapshot(path) if same else None
        new = change(load_document(path, max_bytes=max_bytes))
        return save(new, dest, expect=seen)


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | Iterable[bytes],
    *,
    mode: int = 0o600,
    expect: Snapshot | None = None,
) -> Path:
    """Write ``data`` (bytes, or an iterable of byte chunks) to ``path`` atomically (see
    :func:`save`); the one way this library writes files.

    Only a regular file (or a new path) is written: a symlink is written through to its
    regular-file target (the link stays a link), anything else is refused. A new file gets
    ``mode`` less the umask: by default 0600, owner only, since a directory of one's own
    may hold confidential addresses (a shelter's); pass 0o644 for public files. An existing
    file keeps its mode (never widened) and, where allowed, its owner. Temporary files left
    by killed saves of the same file are removed first (see :data:`STALE_SECONDS`).
    """
    given = Path(path)
    chunks = [data] if isinstance(data, bytes) else data
    tmp: str | None = None
    try:
        with locked(given) as target:
            folder = target.parent if str(target.parent) else Path()
            if expect is not None:
                _check_unchanged(target, expect)
            _remove_stale(target)
            try:
                before: os.stat_result | None = target.stat()
            except FileNotFoundError:
                before = None
            fd, tmp = tempfile.mkstemp(
                prefix=f".{_stem(target)}.referral-{os.getpid()}-", suffix=".tmp", dir=folder
            )
            with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
                for chunk in chunks:
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            keep = stat.S_IMODE(before.st_mode) if before else mode & ~_umask()
            Path(tmp).chmod(keep & 0o777)
            if before is not None and hasattr(os, "chown") and before.st_uid != os.geteuid():
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.chown(tmp, before.st_uid, before.st_gid)
            Path(tmp).replace(target)
            tmp = None
            _fsync_dir(folder)
    except SaveError:
        raise
    except OSError as exc:
        raise SaveError(
            f"{given}: could not save ({exc.strerror or exc}); the previous file is intact"
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
    return given
