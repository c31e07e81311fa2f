"""Validate a directory document and report every problem at once, each with its JSON path.

Two passes. The schema pass validates each record on its own, so one bad record does not hide
the others; the integrity pass then checks what no single record can: unique ids, links and
references to existing nodes, every area and ward holding its required kinds, each ward's
office under the id plans look it up by, no cycles among areas nor ``part_of`` or
``housed_in`` links. At most :data:`MAX_PROBLEMS` problems are listed and the rest counted,
so a hostile file costs memory in proportion to its size and time linear in it.

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

from ._data import bundled_path, check_depth, read_bytes, scan_json
from ._gc import no_gc
from ._schema import MAX_PROBLEMS, MissingFieldError, Problems, validate_record, validator
from ._suggest import did_you_mean, suggest
from .errors import DataFileError, Problem, ValidationError
from .models import Agency, Area, Concern, ConcernSet, Document, Link, PostalTown, Source
from .vocabulary import CONCERN_IDS, REQUIRED_AREA_KINDS, REQUIRED_WARD_KINDS

__all__ = [
    "MAX_PROBLEMS",
    "MAX_SUGGESTIONS",
    "bundled_document",
    "check_integrity",
    "load_document",
    "validate_concerns",
    "validate_data",
]

MAX_SUGGESTIONS = 100
"""Unknown references given a did-you-mean at most (each compares one id with every id of
its list); later ones are reported without, so many dangling links cost linear time."""

_LISTS: dict[str, type[pydantic.BaseModel]] = {
    "sources": Source,
    "areas": Area,
    "towns": PostalTown,
    "agencies": Agency,
    "links": Link,
}


class _Ghosts:
    """What records that failed the schema pass still show (their ids, and the kinds an
    agency's area was meant to hold), so references to them are not reported again. Kept
    small: a string per record at most, never the record.
    """

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = defaultdict(set)
        self.kinds: dict[str, set[str]] = defaultdict(set)

    def add(self, name: str, item: Any) -> None:
        if not isinstance(item, Mapping):
            return
        if isinstance(rec_id := item.get("id"), str):
            self.ids[name].add(rec_id)
        if name == "agencies" and isinstance(area := item.get("area"), str):
            self.kinds[area].add(str(item.get("kind"))[:120])

    @classmethod
    def of(cls, invalid: Iterable[Mapping[str, Any]]) -> _Ghosts:
        ghosts = cls()
        for raw in invalid:
            ghosts.add(str(raw.get("_list")), raw)
        return ghosts


def validate_data(data: Any) -> tuple[Document | None, list[Problem]]:
    """Validate a decoded JSON document; return it (or ``None``) and every problem found.

    The document is returned only when there are no problems at all. Past
    :data:`MAX_PROBLEMS` problems the rest are counted, not listed: the list then ends with
    an :class:`~referral.errors.Omitted` giving their number.
    """
    if not isinstance(data, Mapping):
        return None, [
            Problem("$", f"the document must be a JSON object, not {type(data).__name__}")
        ]
    problems = Problems()
    header = {k: v for k, v in data.items() if k not in _LISTS}
    head = validate_record(problems, Document, {**header, **{k: [] for k in _LISTS}}, [])
    parsed: dict[str, list[Any]] = {}
    positions: dict[str, list[int]] = {}
    ghosts = _Ghosts()  # records that failed: they still "exist" for references
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
            if problems.room <= 0 and not isinstance(item, Mapping):
                problems.count(1)  # the one error pydantic would make ("a valid dictionary")
                continue
            record = validate_record(problems, model, item, [name, i])
            if record is None:
                ghosts.add(name, item)
            else:
                good.append(record)
                where.append(i)
        parsed[name], positions[name] = good, where
    fields = {name: getattr(head, name) for name in Document.model_fields} if head else {}
    fields.update({k: tuple(parsed.get(k, ())) for k in _LISTS})
    doc = Document.model_construct(**fields)
    _integrity(doc, problems, positions, ghosts, unreadable)
    if problems.total:
        return None, problems.result()
    return Document(**fields), []  # instances pass through; lists get their canonical order


def validate_concerns(data: Any) -> tuple[ConcernSet | None, list[Problem]]:
    """Validate a decoded concerns file (the shape of ``referral/concerns.json``): every
    fault with its JSON path. Concern ids must be ids of the vocabulary, each once; kinds,
    tracks and ages are checked by the models.
    """
    if not isinstance(data, Mapping):
        return None, [Problem("$", f"the file must be a JSON object, not {type(data).__name__}")]
    problems = Problems()
    validate_record(problems, ConcernSet, {**data, "concerns": []}, [])
    items = data.get("concerns")
    if not isinstance(items, list):
        shown = "missing" if items is None else f"a {type(items).__name__}"
        problems.append(Problem("$.concerns", f"must be a list, not {shown}"))
        return None, problems.result()
    seen: set[str] = set()
    for i, item in enumerate(items):
        validate_record(problems, Concern, item, ["concerns", i])
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
    if problems.total:
        return None, problems.result()
    return ConcernSet.model_validate(data), []


def _suggest(value: str, choices: Iterable[str]) -> str:
    return did_you_mean(suggest(value, choices, limit=1))


class _Suggestions:
    """Did-you-mean for the first :data:`MAX_SUGGESTIONS` unknown references (and only while
    problems are still listed), each list of ids built once.
    """

    def __init__(self, doc: Document, out: Problems) -> None:
        self.doc = doc
        self.out = out
        self.left = MAX_SUGGESTIONS
        self.ids: dict[str, list[str]] = {}

    def __call__(self, value: str, name: str) -> str:
        if self.left <= 0 or self.out.room <= 0:
            return ""
        self.left -= 1
        if name not in self.ids:
            self.ids[name] = [r.id for r in getattr(self.doc, name)]
        return _suggest(value, self.ids[name])


def check_integrity(
    doc: Document,
    *,
    positions: Mapping[str, Sequence[int]] | None = None,
    invalid: Sequence[Mapping[str, Any]] = (),
    unreadable: Iterable[str] = (),
) -> list[Problem]:
    """Check what no single record can: ids, references, required kinds, each ward's office
    id, cycles among areas and among links.

    ``positions`` maps each list's valid records to their index in the raw file (they differ
    when some records failed the schema pass), so paths point into the file. ``invalid`` holds
    the raw records that failed that pass (each with its list's name under ``"_list"``):
    references to them are not reported again, so each fault is listed once, at its root.
    ``unreadable`` names lists that could not be read at all (not a list): references into
    them are not checked. At most :data:`MAX_PROBLEMS` problems are listed (then an
    :class:`~referral.errors.Omitted` counts the rest). Complexity: linear in the number of
    records and links.
    """
    out = Problems()
    _integrity(doc, out, positions or {}, _Ghosts.of(invalid), unreadable)
    return out.result()


@no_gc()
def _integrity(
    doc: Document,
    problems: Problems,
    pos: Mapping[str, Sequence[int]],
    ghosts: _Ghosts,
    unreadable: Iterable[str],
) -> None:
    lost = set(unreadable)
    check = _Integrity(doc, problems, pos, ghosts, lost)
    check.duplicate_ids()
    check.areas()
    check.towns()
    check.agencies()
    check.links()
    if not lost & {"agencies", "areas"}:
        _required_kinds(doc, check.where, ghosts, problems)
        _ward_offices(doc, check.where, ghosts, problems)
    _area_cycles(doc, check.where, problems)
    _cycles(doc, check.where, problems)


_PARENT_KINDS = {"district": "ward", "ward": "city"}
"""The kind of area each kind of area must sit in."""


class _Integrity:
    """The integrity pass over one document: the ids each reference may name, and a step per
    list, each appending its problems in document order.
    """

    def __init__(
        self,
        doc: Document,
        problems: Problems,
        pos: Mapping[str, Sequence[int]],
        ghosts: _Ghosts,
        lost: set[str],
    ) -> None:
        self.doc, self.problems, self.pos = doc, problems, pos
        self.suggest = _Suggestions(doc, problems)
        self.source_ids: Container[str] = (
            _ANY if "sources" in lost else {s.id for s in doc.sources} | ghosts.ids["sources"]
        )
        self.area_ids = {a.id: a for a in doc.areas}
        self.known_areas: Container[str] = (
            _ANY if "areas" in lost else set(self.area_ids) | ghosts.ids["areas"]
        )
        self.agency_ids: Container[str] = (
            _ANY if "agencies" in lost else {a.id for a in doc.agencies} | ghosts.ids["agencies"]
        )

    def where(self, name: str, index: int, field: str = "") -> str:
        """The JSON path of a record (or one of its fields) in the raw file."""
        raw = self.pos[name][index] if name in self.pos else index
        return f"$.{name}[{raw}]" + (f".{field}" if field else "")

    def duplicate_ids(self) -> None:
        """Every repeat of an id among sources, areas and agencies (the first use is fine)."""
        doc = self.doc
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
                    self.problems.append(
                        Problem(
                            self.where(name, i, "id"), f"duplicate id {rec_id!r}", "duplicate_id"
                        )
                    )
                seen.add(rec_id)

    def cites(self, name: str, i: int, citations: Iterable[Any], field: str = "sources") -> None:
        """Report each citation of an unknown source."""
        for j, c in enumerate(citations):
            if c.source not in self.source_ids:
                self.problems.append(
                    Problem(
                        self.where(name, i, f"{field}[{j}].source"),
                        f"unknown source {c.source!r}{self.suggest(c.source, 'sources')}",
                        "unknown_source",
                    )
                )

    def unknown_area(self, name: str, i: int, field: str, value: str) -> bool:
        """Report ``value`` if it names no area, with the nearest ones; say whether it did."""
        if value in self.known_areas:
            return False
        self.problems.append(
            Problem(
                self.where(name, i, field),
                f"unknown area {value!r}{self.suggest(value, 'areas')}",
                "unknown_area",
            )
        )
        return True

    def areas(self) -> None:
        """Each area's sources and parent (which must exist and be of the right kind)."""
        for i, area in enumerate(self.doc.areas):
            self.cites("areas", i, area.sources)
            if area.parent is not None and self.unknown_area("areas", i, "parent", area.parent):
                continue
            if area.kind in _PARENT_KINDS:
                parent = self.area_ids.get(area.parent or "")
                if parent is None or parent.kind != _PARENT_KINDS[area.kind]:
                    self.problems.append(
                        Problem(
                            self.where("areas", i, "parent"),
                            f"a {area.kind} must sit in a {_PARENT_KINDS[area.kind]}",
                            "bad_parent",
                        )
                    )

    def towns(self) -> None:
        """Each postal town's ward."""
        for i, town in enumerate(self.doc.towns):
            if town.ward not in self.known_areas:
                self.problems.append(
                    Problem(
                        self.where("towns", i, "ward"),
                        f"unknown area {town.ward!r}",
                        "unknown_area",
                    )
                )

    def agencies(self) -> None:
        """Each agency's sources, derivations, area, catchment and ``contact_via``."""
        for i, ag in enumerate(self.doc.agencies):
            self.cites("agencies", i, ag.sources)
            if ag.derived:
                self.cites("agencies", i, ag.derived, field="derived")
            self.unknown_area("agencies", i, "area", ag.area)
            for j, served in enumerate(ag.serves):
                self.unknown_area("agencies", i, f"serves[{j}]", served)
            if ag.contact_via is not None and ag.contact_via not in self.agency_ids:
                self.problems.append(
                    Problem(
                        self.where("agencies", i, "contact_via"),
                        f"unknown agency {ag.contact_via!r}"
                        f"{self.suggest(ag.contact_via, 'agencies')}",
                        "unknown_agency",
                    )
                )

    def links(self) -> None:
        """Each link's sources and ends; links to themselves and repeated links."""
        seen_links: set[tuple[str, str, str]] = set()
        cited_ok: set[int] = set()  # links share citation tuples: check each tuple once
        for i, link in enumerate(self.doc.links):
            if id(link.sources) not in cited_ok:
                before = self.problems.total
                self.cites("links", i, link.sources)
                if self.problems.total == before:
                    cited_ok.add(id(link.sources))
            self.link_ends(i, link)
            key = (link.source, link.target, link.kind)
            if key in seen_links:
                self.problems.append(
                    Problem(
                        self.where("links", i),
                        f"duplicate {link.kind} link {link.source!r} -> {link.target!r}",
                        "duplicate_link",
                    )
                )
            seen_links.add(key)

    def link_ends(self, i: int, link: Link) -> None:
        """A link's ends must be known agencies, and not the same one."""
        for end, node in (("source", link.source), ("target", link.target)):
            if node not in self.agency_ids:
                self.problems.append(
                    Problem(
                        self.where("links", i, end),
                        f"unknown agency {node!r}{self.suggest(node, 'agencies')}",
                        "dangling_link",
                    )
                )
        if link.source == link.target:
            self.problems.append(
                Problem(self.where("links", i), f"link from {link.source!r} to itself", "self_link")
            )


class _Anything:
    """Stands for the ids of a list that could not be read: every reference may be good."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _Anything()


def _required_kinds(
    doc: Document, where: Callable[[str, int], str], ghosts: _Ghosts, out: Problems
) -> None:
    present: dict[str, set[str]] = defaultdict(set)
    for ag in doc.agencies:
        present[ag.area].add(ag.kind)
    for meant, kinds in ghosts.kinds.items():  # a record that failed still shows what was meant
        present[meant] |= kinds
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


def _ward_offices(
    doc: Document, where: Callable[[str, int, str], str], ghosts: _Ghosts, out: Problems
) -> None:
    """Each ward's office must be ``{ward}.ward_office``: every plan for the ward finds it so
    (a body with no line of its own is reached through it).
    """
    index: dict[str, int] = {}
    first_office: dict[str, int] = {}  # ward -> its first ward_office, whatever its id
    for i, ag in enumerate(doc.agencies):
        index.setdefault(ag.id, i)
        if ag.kind == "ward_office":
            first_office.setdefault(ag.area, i)
    for area in doc.areas:
        if area.kind != "ward":
            continue
        want = f"{area.id}.ward_office"
        j = index.get(want)
        if j is None:
            k = first_office.get(area.id)
            if k is not None and want not in ghosts.ids["agencies"]:  # none: _required_kinds
                out.append(
                    Problem(
                        where("agencies", k, "id"),
                        f"ward {area.id!r} has its ward office under {doc.agencies[k].id!r}; "
                        f"its id must be {want!r} (plans for the ward look it up by that id)",
                        "ward_office_id",
                    )
                )
            continue
        office = doc.agencies[j]
        if office.kind != "ward_office":
            out.append(
                Problem(
                    where("agencies", j, "kind"),
                    f"{want!r} must be the ward's ward_office, not a {office.kind}",
                    "ward_office_id",
                )
            )
        elif office.area != area.id:
            out.append(
                Problem(
                    where("agencies", j, "area"),
                    f"{want!r} must be in ward {area.id!r}, not in {office.area!r}",
                    "ward_office_id",
                )
            )


def _area_cycles(doc: Document, where: Callable[[str, int, str], str], out: Problems) -> None:
    """An area that sits, through its parents, in itself (once per cycle, at the first area
    of the cycle met in file order).
    """
    parent: dict[str, str | None] = {}
    index: dict[str, int] = {}
    for i, area in enumerate(doc.areas):
        parent.setdefault(area.id, area.parent)
        index.setdefault(area.id, i)
    done: set[str] = set()
    for area in doc.areas:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = area.id
        while node is not None and node in parent and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent[node]
        if node is not None and node in on_path:
            cycle = [*path[path.index(node) :], node]
            out.append(
                Problem(
                    where("areas", index[node], "parent"),
                    f"parent cycle: {' -> '.join(cycle)}",
                    "cycle",
                )
            )
        done.update(path)


def _cycles(doc: Document, where: Callable[[str, int], str], out: Problems) -> None:
    """A ``part_of`` or ``housed_in`` chain that comes back on itself (one per link kind)."""
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
    Only when that fails is it parsed into Python objects, to list every fault with its path
    (the first :data:`MAX_PROBLEMS`; the rest are counted). Refusing a file costs memory in
    proportion to its size (tests/test_hostile_files.py measures the factor).
    """
    where = os.fspath(path)
    data = read_bytes(where, max_bytes=max_bytes)
    scan_json(data, where)
    with no_gc():
        try:  # fast path: one validation of the whole document, from the bytes
            doc: Document | None = validator(Document, "check").validate_json(data)
        except MissingFieldError:
            doc = None
        except pydantic.ValidationError as exc:  # a few errors: lists stop at their first
            doc = None
            bad = [e["msg"] for e in exc.errors(include_input=False) if e["type"] == "json_invalid"]
            if bad:  # the two JSON readers disagree on some corner of the syntax
                raise DataFileError(where, bad[0][:1].lower() + bad[0][1:]) from None
        problems: list[Problem] = []
        found = Problems(limit=0)  # only whether there are any: their paths come below
        if doc is not None:
            _integrity(doc, found, {}, _Ghosts(), ())
        if doc is None or found.total:  # list every fault, at its place in the file
            doc = None  # (the fast path's lists are sorted: their positions are not the file's)
            raw = json.loads(data)  # known to be strict, valid JSON by now
            del data
            check_depth(raw, where)
            doc, problems = validate_data(raw)
    if problems:
        raise ValidationError(where, problems)
    assert doc is not None
    return doc


_BUNDLED: list[Document] = []  # the bundled document, validated once per process


def bundled_document() -> Document:
    """The bundled Yokohama document, loaded and validated once per process (the one
    :meth:`referral.Directory.load` holds).
    """
    if not _BUNDLED:
        _BUNDLED.append(load_document(bundled_path()))
    return _BUNDLED[0]
