"""Merge an HSDS import into a directory document (private; see :mod:`referral.hsds` for the
rules: new bodies are added, a body the directory holds changes only when asked, and a record
the document refuses is left out with why).

Each batch of records is validated with the whole document (:func:`_settle`); what the
document refuses is pinned on the records its problems point at, or found one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pydantic
from pydantic import Field

from ._hsds_import import HSDS_SOURCE, SECRET_FIELDS, HsdsImport
from .errors import Problem, shorten
from .models import Agency, Document, Model
from .validation import check_integrity

__all__ = ["HsdsMerge", "merge_hsds"]


class HsdsMerge(Model):
    """A directory with an import merged in, and what happened to each organization."""

    document: Document
    added: tuple[str, ...] = Field(default=(), description="ids of the bodies added")
    updated: tuple[str, ...] = Field(default=(), description="ids changed (update=True)")
    changes: tuple[str, ...] = Field(default=(), description="one line per changed field")
    unchanged: tuple[str, ...] = Field(default=(), description="ids the directory holds as is")
    kept: tuple[str, ...] = Field(
        default=(), description="bodies the directory holds otherwise, left as they are"
    )
    skipped: tuple[str, ...] = Field(default=(), description="what was not imported, and why")
    links_added: int = 0


def _shown(field: str, value: Any) -> str:
    """A field's value for a change report (free text is never quoted)."""
    if value is None or value == ():
        return "—"
    if field in SECRET_FIELDS:
        return "(text not shown)"
    if isinstance(value, tuple):
        text = ", ".join(
            getattr(x, "number", None) or getattr(x, "source", None) or str(x) for x in value
        )
    elif hasattr(value, "ja"):
        text = value.ja
    elif isinstance(value, Model):
        text = ", ".join(f"{k}={v}" for k, v in value.model_dump().items())
    else:
        text = str(value)
    return repr(shorten(text, 40))


def _differences(old: Agency, new: Agency) -> list[str]:
    return [f for f in Agency.model_fields if getattr(old, f) != getattr(new, f)]


def _checked(doc: Document, **changes: Any) -> Document | list[Problem]:
    """``doc`` with ``changes``, validated as a whole, or its problems."""
    try:
        new = Document.model_validate(
            {**{k: getattr(doc, k) for k in Document.model_fields}, **changes}
        )
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False, include_input=False)[0]
        loc = err["loc"]
        path = f"$.{loc[0]}[{loc[1]}]" if len(loc) > 1 else "$"
        return [Problem(path, err["msg"].removeprefix("Value error, "))]
    return check_integrity(new) or new


def _first(problems: Sequence[Problem]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0].message + more


def _settle(
    doc: Document, name: str, new: Sequence[Any], label: Callable[[Any], str], skipped: list[str]
) -> tuple[Document, list[Any]]:
    """``doc`` with the records ``new`` put into its list ``name`` (``agencies``, replacing
    those of the same id; or ``links``), validated as a whole; a record the document refuses
    is left out and listed in ``skipped`` with why.

    All at once when that is valid; else the records a problem points at are left out and the
    rest tried again; a problem that points at none of them (a kind an area lacks) sends the
    rest in one by one.
    """
    key: Callable[[Any], Any] = (
        (lambda r: r.id) if name == "agencies" else (lambda r: (r.source, r.kind, r.target))
    )
    pending = {key(r): r for r in new}
    while pending:
        replaced = {k for k in pending} if name == "agencies" else set()
        rows = [r for r in getattr(doc, name) if key(r) not in replaced]
        rows = sorted([*rows, *pending.values()], key=key)  # the order the document keeps
        got = _checked(doc, **{name: tuple(rows)})
        if isinstance(got, Document):
            return got, list(pending.values())
        blamed: dict[Any, str] = {}
        for p in got:
            head = p.path.removeprefix(f"$.{name}[")
            index = head.split("]", 1)[0]
            if head != p.path and index.isdigit() and key(rows[int(index)]) in pending:
                blamed.setdefault(key(rows[int(index)]), p.message)
        if not blamed:
            break
        for k, why in blamed.items():
            skipped.append(f"{label(pending.pop(k))}: {why}")
    done = []
    for r in pending.values():  # one by one
        rows = [x for x in getattr(doc, name) if key(x) != key(r)]
        got = _checked(doc, **{name: (*rows, r)})
        if isinstance(got, Document):
            doc = got
            done.append(r)
        else:
            skipped.append(f"{label(r)}: {_first(got)}")
    return doc, done


class _Sorted:
    """An import's agencies sorted against a document: to take, unchanged, kept as they are
    (with why), skipped (with why), and the fields each updated body changes.
    """

    def __init__(self, doc: Document, result: HsdsImport, *, update: bool) -> None:
        self.skipped = list(result.unmapped)
        self.unchanged: list[str] = []
        self.kept: list[str] = []
        self.take: list[Agency] = []
        self.diffs: dict[str, list[str]] = {}
        area_ids = {a.id for a in doc.areas}
        current = {a.id: a for a in doc.agencies}
        for ag in result.agencies:
            missing = [x for x in (ag.area, *ag.serves) if x not in area_ids]
            old = current.get(ag.id)
            diff = _differences(old, ag) if old is not None else []
            if missing:
                self.skipped.append(f"{ag.id}: unknown area {missing[0]!r} in this directory")
            elif old is None:
                self.take.append(ag)
            elif not diff:
                self.unchanged.append(ag.id)
            elif update:
                self.take.append(ag)
                self.diffs[ag.id] = diff
            else:
                self.kept.append(
                    f"{ag.id}: the directory holds it with another {', '.join(diff)}; not "
                    "changed (update=True, or --update, changes it)"
                )


def merge_hsds(doc: Document, result: HsdsImport, *, update: bool = False) -> HsdsMerge:
    """Merge an import into ``doc``: add the new bodies, change existing ones only when
    ``update`` (reporting every changed field), add the ``part_of`` links of the bodies it
    added or changed.

    A record that would make the document invalid (an unknown area, a ``contact_via`` or a
    source the directory does not hold, a cycle) is left out and listed, with why, in
    ``skipped``. Complexity: a few validations of the whole document.
    """
    s = _Sorted(doc, result, update=update)
    current = {a.id: a for a in doc.agencies}
    base = doc
    if "hsds" not in {src.id for src in doc.sources}:
        base = doc.model_copy(update={"sources": (*doc.sources, HSDS_SOURCE)})
    new_doc, taken = _settle(base, "agencies", s.take, lambda a: a.id, s.skipped)
    moved = {a.id for a in taken}
    have = {(lk.source, lk.target, lk.kind) for lk in new_doc.links}
    links = [
        lk
        for lk in result.links
        if lk.source in moved and (lk.source, lk.target, lk.kind) not in have
    ]
    new_doc, linked = _settle(
        new_doc, "links", links, lambda lk: f"part_of link {lk.source} → {lk.target}", s.skipped
    )
    cited = {c.source for a in taken for c in a.sources} | {"hsds" for _ in linked}
    if "hsds" not in cited and base is not doc:
        new_doc = new_doc.model_copy(update={"sources": doc.sources})  # nothing cites it
    changes = [
        f"{ag.id}: {f}: {_shown(f, getattr(current[ag.id], f))} → {_shown(f, getattr(ag, f))}"
        for ag in taken
        for f in s.diffs.get(ag.id, ())
    ]
    return HsdsMerge(
        document=new_doc,
        added=tuple(a.id for a in taken if a.id not in current),
        updated=tuple(a.id for a in taken if a.id in current),
        changes=tuple(changes),
        unchanged=tuple(s.unchanged),
        kept=tuple(s.kept),
        skipped=tuple(s.skipped),
        links_added=len(linked),
    )
