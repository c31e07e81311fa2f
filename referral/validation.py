"""Validate a directory document and report every problem at once, each with its JSON path.

Two passes. The schema pass validates each record on its own, so one bad record does not hide
the others; the integrity pass then checks what no single record can: unique ids, links and
references to existing nodes, every area and ward holding its required kinds, no ``part_of``
or ``housed_in`` cycles.

Examples
--------
>>> from referral.validation import validate_data
>>> doc, problems = validate_data({"title": {"ja": "x", "en": "x"}})
>>> [str(p) for p in problems][:2]
['$.data_date: Field required', '$.sources: Field required']
"""

from __future__ import annotations

import graphlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Any

import pydantic
from rapidfuzz import process

from ._data import check_depth, no_gc, read_bytes, scan_json
from .errors import DataFileError, Problem, ValidationError
from .models import Agency, Area, Concern, ConcernSet, Document, Link, PostalTown, Source
from .vocabulary import CONCERN_IDS, REQUIRED_AREA_KINDS, REQUIRED_WARD_KINDS

__all__ = [
    "check_integrity",
    "load_document",
    "schema_problems",
    "validate_concerns",
    "validate_data",
]

_LISTS: dict[str, type[pydantic.BaseModel]] = {
    "sources": Source,
    "areas": Area,
    "towns": PostalTown,
    "agencies": Agency,
    "links": Link,
}


def _json_path(loc: Iterable[int | str]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def schema_problems(exc: pydantic.ValidationError, prefix: Sequence[int | str]) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = err["msg"].removeprefix("Value error, ")
        out.append(Problem(_json_path([*prefix, *loc]), message, code=err["type"]))
    return out


def validate_data(data: Any) -> tuple[Document | None, list[Problem]]:
    """Validate a decoded JSON document; return it (or ``None``) and every problem found.

    The document is returned only when there are no problems at all.
    """
    if not isinstance(data, Mapping):
        return None, [
            Problem("$", f"the document must be a JSON object, not {type(data).__name__}")
        ]
    problems: list[Problem] = []
    header = {k: v for k, v in data.items() if k not in _LISTS}
    try:
        head = Document.model_validate({**header, **{k: [] for k in _LISTS}})
    except pydantic.ValidationError as exc:
        problems += schema_problems(exc, [])
        head = None
    parsed: dict[str, list[Any]] = {}
    positions: dict[str, list[int]] = {}
    invalid: list[Mapping[str, Any]] = []  # raw records that failed: still "exist" for references
    unreadable: list[str] = []  # whole lists that could not be read
    for name, model in _LISTS.items():
        items = data.get(name, [] if name in ("towns", "links") else None)
        if items is None:
            problems.append(Problem(f"$.{name}", "Field required", "missing"))
            unreadable.append(name)
            continue
        if not isinstance(items, list):
            problems.append(Problem(f"$.{name}", f"must be a list, not {type(items).__name__}"))
            unreadable.append(name)
            continue
        good, where = [], []
        for i, item in enumerate(items):
            try:
                good.append(model.model_validate(item))
                where.append(i)
            except pydantic.ValidationError as exc:
                problems += schema_problems(exc, [name, i])
                if isinstance(item, Mapping):
                    invalid.append({**item, "_list": name})
        parsed[name], positions[name] = good, where
    fields = {name: getattr(head, name) for name in Document.model_fields} if head else {}
    fields.update({k: tuple(parsed.get(k, ())) for k in _LISTS})
    doc = Document.model_construct(**fields)
    problems += check_integrity(doc, positions=positions, invalid=invalid, unreadable=unreadable)
    if problems:
        return None, problems
    return Document(**fields), []  # instances pass through; lists get their canonical order


def validate_concerns(data: Any) -> tuple[ConcernSet | None, list[Problem]]:
    """Validate a decoded concerns file (the shape of ``referral/concerns.json``): every
    fault with its JSON path. Concern ids must be ids of the vocabulary, each once; kinds,
    tracks and ages are checked by the models."""
    if not isinstance(data, Mapping):
        return None, [Problem("$", f"the file must be a JSON object, not {type(data).__name__}")]
    problems: list[Problem] = []
    try:
        ConcernSet.model_validate({**data, "concerns": []})
    except pydantic.ValidationError as exc:
        problems += schema_problems(exc, [])
    items = data.get("concerns")
    if not isinstance(items, list):
        shown = "missing" if items is None else f"a {type(items).__name__}"
        return None, [*problems, Problem("$.concerns", f"must be a list, not {shown}")]
    seen: set[str] = set()
    for i, item in enumerate(items):
        try:
            Concern.model_validate(item)
        except pydantic.ValidationError as exc:
            problems += schema_problems(exc, ["concerns", i])
        cid = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(cid, str):
            continue
        if cid not in CONCERN_IDS:
            problems.append(
                Problem(
                    f"$.concerns[{i}].id",
                    f"unknown concern {cid!r}{_suggest(cid, CONCERN_IDS)}",
                    "unknown_concern",
                )
            )
        elif cid in seen:
            problems.append(
                Problem(f"$.concerns[{i}].id", f"duplicate concern {cid!r}", "duplicate_id")
            )
        seen.add(cid)
    if problems:
        return None, problems
    return ConcernSet.model_validate(data), []


def _suggest(value: str, choices: Iterable[str]) -> str:
    best = process.extractOne(value, list(choices))
    return f"; did you mean {best[0]!r}?" if best and best[1] >= 70 else ""


@no_gc()
def check_integrity(
    doc: Document,
    *,
    positions: Mapping[str, Sequence[int]] | None = None,
    invalid: Sequence[Mapping[str, Any]] = (),
    unreadable: Iterable[str] = (),
) -> list[Problem]:
    """Check what no single record can: ids, references, required kinds, cycles.

    ``positions`` maps each list's valid records to their index in the raw file (they differ
    when some records failed the schema pass), so paths point into the file. ``invalid`` holds
    the raw records that failed that pass: references to them are not reported again, so each
    fault is listed once, at its root. ``unreadable`` names lists that could not be read at all
    (not a list): references into them are not checked. Complexity: linear in the number of
    records and links.
    """
    problems: list[Problem] = []
    pos = positions or {}

    def where(name: str, index: int, field: str = "") -> str:
        raw = pos[name][index] if name in pos else index
        return f"$.{name}[{raw}]" + (f".{field}" if field else "")

    def ids_of(name: str) -> list[str]:  # for suggestions: only when there is a fault
        return [r.id for r in getattr(doc, name)]

    def ghosts(name: str) -> set[str]:
        return {r["id"] for r in invalid if r["_list"] == name and isinstance(r.get("id"), str)}

    lost = set(unreadable)
    source_ids: Container[str] = (
        _ANY if "sources" in lost else {s.id for s in doc.sources} | ghosts("sources")
    )
    area_ids = {a.id: a for a in doc.areas}
    known_areas: Container[str] = _ANY if "areas" in lost else set(area_ids) | ghosts("areas")
    agency_ids: Container[str] = (
        _ANY if "agencies" in lost else {a.id for a in doc.agencies} | ghosts("agencies")
    )
    id_lists: tuple[tuple[str, list[str]], ...] = (
        ("sources", [s.id for s in doc.sources]),
        ("areas", [a.id for a in doc.areas]),
        ("agencies", [a.id for a in doc.agencies]),
    )
    for name, ids in id_lists:
        counts = Counter(ids)
        seen: set[str] = set()
        for i, rec_id in enumerate(ids):
            if counts[rec_id] > 1 and rec_id in seen:
                problems.append(
                    Problem(where(name, i, "id"), f"duplicate id {rec_id!r}", "duplicate_id")
                )
            seen.add(rec_id)

    def cites(name: str, i: int, citations: Iterable[Any], field: str = "sources") -> None:
        for j, c in enumerate(citations):
            if c.source not in source_ids:
                problems.append(
                    Problem(
                        where(name, i, f"{field}[{j}].source"),
                        f"unknown source {c.source!r}{_suggest(c.source, ids_of('sources'))}",
                        "unknown_source",
                    )
                )

    def unknown_area(name: str, i: int, field: str, value: str) -> bool:
        """Report ``value`` if it names no area, with the nearest ones; say whether it did."""
        if value in known_areas:
            return False
        problems.append(
            Problem(
                where(name, i, field),
                f"unknown area {value!r}{_suggest(value, area_ids)}",
                "unknown_area",
            )
        )
        return True

    kinds_expected = {"district": "ward", "ward": "city"}
    for i, area in enumerate(doc.areas):
        cites("areas", i, area.sources)
        if area.parent is not None and unknown_area("areas", i, "parent", area.parent):
            continue
        if area.kind in kinds_expected:
            parent = area_ids.get(area.parent or "")
            if parent is None or parent.kind != kinds_expected[area.kind]:
                problems.append(
                    Problem(
                        where("areas", i, "parent"),
                        f"a {area.kind} must sit in a {kinds_expected[area.kind]}",
                        "bad_parent",
                    )
                )
    for i, town in enumerate(doc.towns):
        if town.ward not in known_areas:
            problems.append(
                Problem(where("towns", i, "ward"), f"unknown area {town.ward!r}", "unknown_area")
            )
    for i, ag in enumerate(doc.agencies):
        cites("agencies", i, ag.sources)
        if ag.derived:
            cites("agencies", i, ag.derived, field="derived")
        unknown_area("agencies", i, "area", ag.area)
        for j, served in enumerate(ag.serves):
            unknown_area("agencies", i, f"serves[{j}]", served)
        if ag.contact_via is not None and ag.contact_via not in agency_ids:
            problems.append(
                Problem(
                    where("agencies", i, "contact_via"),
                    f"unknown agency {ag.contact_via!r}"
                    + _suggest(ag.contact_via, ids_of("agencies")),
                    "unknown_agency",
                )
            )
    seen_links: set[tuple[str, str, str]] = set()
    cited_ok: set[int] = set()  # links share citation tuples: check each tuple once
    for i, link in enumerate(doc.links):
        if id(link.sources) not in cited_ok:
            before = len(problems)
            cites("links", i, link.sources)
            if len(problems) == before:
                cited_ok.add(id(link.sources))
        source, target = link.source, link.target
        for end, node in (("source", source), ("target", target)):
            if node not in agency_ids:
                problems.append(
                    Problem(
                        where("links", i, end),
                        f"unknown agency {node!r}{_suggest(node, ids_of('agencies'))}",
                        "dangling_link",
                    )
                )
        if source == target:
            problems.append(
                Problem(where("links", i), f"link from {source!r} to itself", "self_link")
            )
        key = (source, target, link.kind)
        if key in seen_links:
            problems.append(
                Problem(
                    where("links", i),
                    f"duplicate {link.kind} link {source!r} -> {target!r}",
                    "duplicate_link",
                )
            )
        seen_links.add(key)
    if not lost & {"agencies", "areas"}:
        problems += _required_kinds(doc, where, invalid)
    problems += _cycles(doc, where)
    return problems


class _Anything:
    """Stands for the ids of a list that could not be read: every reference may be good."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _Anything()


def _required_kinds(
    doc: Document, where: Callable[[str, int], str], invalid: Sequence[Mapping[str, Any]]
) -> list[Problem]:
    present: dict[str, set[str]] = defaultdict(set)
    for ag in doc.agencies:
        present[ag.area].add(ag.kind)
    for raw in invalid:  # a record that failed the schema still shows what was meant
        if raw["_list"] == "agencies" and isinstance(raw.get("area"), str):
            present[raw["area"]].add(str(raw.get("kind")))
    out = []
    for i, area in enumerate(doc.areas):
        required = {"ward": REQUIRED_WARD_KINDS, "district": REQUIRED_AREA_KINDS}.get(area.kind, ())
        missing = [k for k in required if k not in present[area.id]]
        if missing:
            out.append(
                Problem(
                    where("areas", i),
                    f"{area.kind} {area.id!r} has no {', '.join(missing)}",
                    "missing_kind",
                )
            )
    return out


def _cycles(doc: Document, where: Callable[[str, int], str]) -> list[Problem]:
    """A ``part_of`` or ``housed_in`` chain that comes back on itself (one per link kind)."""
    out = []
    for kind in ("part_of", "housed_in"):
        into: dict[str, list[str]] = defaultdict(list)  # node -> the nodes it points to
        index: dict[tuple[str, str], int] = {}
        for i, link in enumerate(doc.links):
            if link.kind == kind:
                into[link.source].append(link.target)
                index.setdefault((link.source, link.target), i)
        try:
            graphlib.TopologicalSorter(into).prepare()
        except graphlib.CycleError as exc:
            cycle: list[str] = exc.args[1]
            if (cycle[0], cycle[1]) not in index:  # report it in the links' direction
                cycle.reverse()
            path = " -> ".join(cycle)
            out.append(
                Problem(
                    where("links", index[(cycle[0], cycle[1])]), f"{kind} cycle: {path}", "cycle"
                )
            )
    return out


def load_document(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Document:
    """Read, decode and validate a document file.

    Parameters
    ----------
    path
        The file.
    max_bytes
        Refuse larger files (default :data:`referral._data.MAX_FILE_BYTES`, 64 MiB; a
        national directory needs about 1.5 GB).

    Raises
    ------
    DataFileError
        The file cannot be read as JSON (encoding, syntax, duplicate keys, size, depth).
    ValidationError
        The JSON is not a valid directory; ``problems`` lists every fault with its path.

    Notes
    -----
    A valid file is checked strictly but cheaply (one pass over the text for encoding,
    syntax and duplicate keys that keeps nothing), then validated straight from its bytes.
    Only when that fails is it parsed into Python objects, to list every fault with its path.
    """
    where = os.fspath(path)
    data = read_bytes(where, max_bytes=max_bytes)
    scan_json(data, where)
    with no_gc():
        try:  # fast path: one validation of the whole document, from the bytes
            doc: Document | None = Document.model_validate_json(data)
        except pydantic.ValidationError as exc:
            doc = None
            bad = [e["msg"] for e in exc.errors(include_input=False) if e["type"] == "json_invalid"]
            if bad:  # the two JSON readers disagree on some corner of the syntax
                raise DataFileError(where, bad[0][:1].lower() + bad[0][1:]) from None
        problems = check_integrity(doc) if doc is not None else []
        if doc is None or problems:  # list every fault, at its place in the file
            doc = None  # (the fast path's lists are sorted: their positions are not the file's)
            raw = json.loads(data)  # known to be strict, valid JSON by now
            del data
            check_depth(raw, where)
            doc, problems = validate_data(raw)
    if problems:
        raise ValidationError(where, problems)
    assert doc is not None
    return doc
