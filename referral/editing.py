"""Safe edits: change a directory without ever breaking it, and save without ever losing it.

Every edit returns a *new* document, validated (the record itself, then the integrity of the
whole); the original is untouched. :func:`save` writes atomically: a temporary file in the same
folder, flushed and fsynced, then renamed over the old file (and the folder fsynced), so a crash
at any step leaves either the old file or the new one, never a partial file. Nothing else in
the library writes to disk.

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
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic

from ._data import iter_dump
from ._diff import unified_diff
from .errors import DataError, ReferralError, UnknownAgencyError, ValidationError
from .models import Agency, Document, Link
from .validation import check_integrity

__all__ = [
    "SaveError",
    "add_agency",
    "add_link",
    "atomic_write",
    "diff",
    "remove_agency",
    "remove_link",
    "save",
    "update_agency",
]


class SaveError(ReferralError, OSError):
    """Writing a directory file failed; the previous file is intact."""


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


def save(doc: Document, path: str | os.PathLike[str]) -> Path:
    """Write ``doc`` to ``path`` atomically in the stable format; return the path.

    The document is checked first (integrity problems raise before anything is written).
    A temporary file in the same folder is written, flushed and fsynced, then renamed over
    ``path`` and the folder fsynced. If any step fails the temporary file is removed and the
    old file (if any) is left exactly as it was.

    Raises
    ------
    ValidationError
        The document is not valid; nothing was written.
    SaveError
        The write failed; the previous file is intact.
    """
    problems = check_integrity(doc)
    if problems:
        raise ValidationError(os.fspath(path), problems)
    return atomic_write(path, (chunk.encode("utf-8") for chunk in iter_dump(doc)))


def atomic_write(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` (bytes, or an iterable of byte chunks) to ``path`` atomically (see
    :func:`save`); the one way this library writes files."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    chunks = [data] if isinstance(data, bytes) else data
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            Path(tmp).chmod(target.stat().st_mode & 0o777)
        Path(tmp).replace(target)
        tmp = None
        _fsync_dir(folder)
    except OSError as exc:
        raise SaveError(
            f"{target}: could not save ({exc.strerror or exc}); the previous file is intact"
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
    return target


def apply(doc: Document, edits: Iterable[tuple[str, dict[str, Any]]]) -> Document:
    """Apply ``(operation, arguments)`` edits in order (used by the CLI)."""
    ops = {
        "add": add_agency,
        "update": update_agency,
        "remove": remove_agency,
        "add_link": add_link,
        "remove_link": remove_link,
    }
    for op, kwargs in edits:
        doc = ops[op](doc, **kwargs)  # type: ignore[operator]
    return doc
