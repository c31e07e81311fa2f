"""The :class:`Directory`: the newcomer's way in to the data, the graph and the lookups.

Examples
--------
>>> from referral import Directory
>>> d = Directory.load()
>>> d.agency("nishi.ward_office").name.ja
'横浜市西区役所'
>>> d.find("戸部本町")[0].agency.id
'nishi.tobe_honcho.care_plaza'
>>> [(m.area.id, m.confidence) for m in d.resolve_area("220-0013")]
[('nishi.tobe_honcho', 1.0)]
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import editing
from ._data import bundled_path
from ._lookups import (
    area_index,
    as_problems,
    name_index,
    postal_coverage,
    resolve_where,
    search_names,
)
from ._suggest import suggest
from ._text import fold_place
from .areas import MAX_AREA_CHARS, AreaIndex
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    ReadOnlyError,
    UnknownAgencyError,
    UnknownAreaError,
    ValidationError,
    expect_instance,
    expect_int,
    expect_path,
    expect_str,
)
from .locality import RouteIndex
from .matching import default_matcher, load_concerns
from .models import (
    Agency,
    AgencyMatch,
    Area,
    AreaMatch,
    Concern,
    Document,
    Link,
    Match,
    NoteReading,
    PostalCoverage,
    ReferralPlan,
)
from .network import build_graph
from .routing import RouteData, check_age, contact_of, route
from .validation import bundled_document, check_integrity, load_document
from .vocabulary import known_kind

if TYPE_CHECKING:  # the analysis modules load on first use: routing needs none of them
    import networkx as nx

    from .gaps import Coverage, DataHealth, Load, SinglePoint, WhatIf
    from .interop import Format

__all__ = ["Directory", "use_bundled"]


_BUNDLED: list[Directory] = []  # loaded once per process (or seeded by the CLI's cache)


def _bundled() -> Directory:
    if not _BUNDLED:
        _BUNDLED.append(Directory._checked(bundled_document(), str(bundled_path())))
    return _BUNDLED[0]


def use_bundled(d: Directory) -> None:
    """Make :meth:`Directory.load` return ``d`` for the rest of the process.

    The hook of the CLI's cache (:mod:`referral._cache`), which loads the bundled directory
    from its own file: ``d`` must be the bundled directory, already validated.
    """
    _BUNDLED[:] = [expect_instance(d, Directory, "directory")]


class Directory:
    """A validated, read-only directory of the support network.

    Parameters
    ----------
    document
        A valid :class:`~referral.models.Document`; it is checked for integrity again.
    source
        Where it came from, for messages.

    Notes
    -----
    A directory never changes once built: it refuses new attributes, its models are frozen,
    its graph is frozen down to the attribute dictionaries, and what it computes on first use
    (the graph, the indexes, the coverage) depends on nothing else, so threads that race to it
    get equal results. One instance may be shared between threads, and nothing a caller gets
    back can change it.
    """

    def __init__(self, document: Document, *, source: str = "<memory>") -> None:
        expect_instance(document, Document, "document")
        problems = check_integrity(document)
        if problems:
            raise ValidationError(source, problems)
        self._setup(document, source)

    @classmethod
    def _checked(cls, document: Document, source: str) -> Directory:
        """A directory over a document whose integrity was just checked (not again)."""
        d = cls.__new__(cls)
        d._setup(document, source)
        return d

    document: Document
    source: str
    _agencies: dict[str, Agency]
    _areas: dict[str, Area]
    _by_area: dict[str, tuple[Agency, ...]]

    def _setup(self, document: Document, source: str) -> None:
        by_area: dict[str, list[Agency]] = defaultdict(list)
        for ag in document.agencies:
            by_area[ag.area].append(ag)
        for name, value in (
            ("document", document),
            ("source", source),
            ("_agencies", {a.id: a for a in document.agencies}),
            ("_areas", {a.id: a for a in document.areas}),
            ("_by_area", {k: tuple(v) for k, v in by_area.items()}),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise ReadOnlyError(
            f"a Directory is read-only (cannot set {name!r}); with_changes(), with_agency(), "
            "without_agency(), with_link() and without_link() return a changed copy"
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def load(cls) -> Directory:
        """Return the bundled Yokohama directory (loaded once per process, then shared)."""
        return _bundled()

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Directory:
        """Load and validate a directory file.

        ``max_bytes`` raises the 64 MiB limit on the file's size (a national directory is
        about 1.5 GB).

        Raises
        ------
        DataFileError
            The file is not readable UTF-8 JSON (one line saying why and where).
        ValidationError
            The document is invalid; ``problems`` lists every fault with its JSON path.
        """
        where = expect_path(path, "directory file")
        if max_bytes is not None:
            expect_int(max_bytes, "max_bytes", minimum=1)
        return cls._checked(load_document(where, max_bytes=max_bytes), where)

    # -- the data ----------------------------------------------------------------------
    @property
    def agencies(self) -> tuple[Agency, ...]:
        """Every agency (body, aggregate or meeting), in document order."""
        return self.document.agencies

    @property
    def areas(self) -> tuple[Area, ...]:
        """Every area: the city, the wards and the districts."""
        return self.document.areas

    @property
    def links(self) -> tuple[Link, ...]:
        """Every typed link."""
        return self.document.links

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The frozen networkx graph (see :mod:`referral.network` for its attributes)."""
        return build_graph(self.document)

    def __repr__(self) -> str:
        return (
            f"<Directory {self.source!r}: {len(self.document.agencies)} agencies, "
            f"{len(self.document.areas)} areas, data of {self.document.data_date}>"
        )

    # -- lookups ---------------------------------------------------------------------
    def agency(self, agency_id: str) -> Agency:
        """Return the agency with this id.

        Raises
        ------
        UnknownAgencyError
            No such id; the message suggests the nearest ones.
        """
        found = self._agencies.get(expect_str(agency_id, "agency id"))
        if found is not None:
            return found
        # raised outside any except block: no KeyError holding the text stays attached
        raise UnknownAgencyError(agency_id, suggestions=suggest(agency_id, self._agencies))

    def area(self, area_id: str) -> Area:
        """Return the area with this id (see :meth:`resolve_area` for free text)."""
        found = self._areas.get(expect_str(area_id, "area id"))
        if found is not None:
            return found
        raise UnknownAreaError(area_id, suggestions=self._area_index.suggestions(area_id))

    def _known_ward(self, ward: object) -> str:
        """A ward id of this directory (the error suggests the nearest ones)."""
        text = expect_str(ward, "ward id")
        area = self.area(text)
        if area.kind != "ward":
            parent = [area.parent] if area.kind == "district" and area.parent else []
            raise UnknownAreaError(text, suggestions=parent)
        return text

    def area_or_none(self, area_id: str) -> Area | None:
        """The area with this exact id, or ``None``."""
        return self._areas.get(expect_str(area_id, "area id"))

    def agencies_in(self, area_id: str, *, kind: str | None = None) -> list[Agency]:
        """The agencies whose own area is ``area_id`` (a district, a ward or the city)."""
        self.area(area_id)
        if kind is not None:
            known_kind(kind)
        return [a for a in self._by_area.get(area_id, ()) if kind is None or a.kind == kind]

    def ward_of(self, agency: Agency) -> str | None:
        """The ward id an agency belongs to (``None`` for a city-level body)."""
        expect_instance(agency, Agency, "agency")
        area = self._areas[agency.area]
        return area.id if area.kind == "ward" else area.parent if area.kind == "district" else None

    def contact(self, agency: Agency) -> Agency:
        """The agency to call for ``agency``: itself if it has a phone, else where its
        ``contact_via`` chain leads to one that has.
        """
        return contact_of(self._agencies, expect_instance(agency, Agency, "agency"))

    @cached_property
    def _links_in(self) -> dict[str, list[Link]]:
        into: dict[str, list[Link]] = defaultdict(list)
        for lk in self.document.links:
            into[lk.target].append(lk)
        return into

    def links_to(self, agency_id: str) -> list[Link]:
        """The links that end at an agency (in source order)."""
        return list(self._links_in.get(agency_id, ()))

    def links_of(self, agency_id: str) -> Iterator[Link]:
        """The links from or to an agency."""
        self.agency(agency_id)
        return (lk for lk in self.document.links if agency_id in (lk.source, lk.target))

    @cached_property
    def _name_index(self) -> tuple[list[str], list[str]]:
        return name_index(self.document.agencies)

    def find(
        self, text: str, *, kind: str | None = None, ward: str | None = None, limit: int = 10
    ) -> list[AgencyMatch]:
        """Search agencies by name (Japanese or English) or id, forgiving variant spellings.

        Real bodies come before aggregates and meetings at equal scores, then shorter names.

        Examples
        --------
        >>> [m.agency.id for m in Directory.load().find("Tobe-Honcho", kind="care_plaza")]
        ['nishi.tobe_honcho.care_plaza']
        """
        expect_str(text, "search text")
        expect_int(limit, "limit", minimum=0)
        if len(text) > MAX_AREA_CHARS:
            raise ArgumentError(
                f"the search text is {len(text):,} characters long; give a name (at most "
                f"{MAX_AREA_CHARS} characters)"
            )
        if kind is not None:
            known_kind(kind)
        if ward is not None:
            self._known_ward(ward)
        query = fold_place(text).lower()
        if not query:
            return []
        return search_names(
            query,
            self._name_index,
            self._agencies,
            kind=kind,
            ward=ward,
            ward_of=self.ward_of,
            limit=limit,
        )

    # -- concerns ----------------------------------------------------------------------
    @property
    def concerns(self) -> tuple[Concern, ...]:
        """The concern vocabulary (labels, routing kinds, safety rules, aliases)."""
        return load_concerns()

    def concern(self, concern_id: str) -> Concern:
        """The concern with this id; :class:`UnknownVocabularyError` with did-you-mean."""
        return default_matcher().concern(concern_id)

    def match(self, text: str, *, min_confidence: float | None = None) -> list[Match]:
        """Recognise every concern in a note (Japanese or English), most confident first.

        Each :class:`~referral.models.Match` says how sure it is and which words made it think
        so (``alias``, ``text``, ``start``/``end`` in the note). Empty or blank notes give an
        empty list; a non-str raises ``TypeError``; a note over
        :data:`~referral.matching.MAX_NOTE_CHARS` raises :class:`NoteTooLongError`. The note is
        never logged or stored.

        Examples
        --------
        >>> d = Directory.load()
        >>> [m.concern for m in d.match("80代の母と無職の50代の息子、家はゴミ屋敷")]
        ['eighty_fifty', 'hoarding']
        >>> [e.text for e in d.match("ゴミ屋敷ではない")[:1]]
        []
        """
        return default_matcher().match(text, min_confidence=min_confidence)

    def read(self, text: str, *, min_confidence: float | None = None) -> NoteReading:
        """Read a note in one pass: its concerns, the weaker ones, and the safety clues to
        act on first (however weak), strongest first. Raises as :meth:`match` does.

        Examples
        --------
        >>> r = Directory.load().read("呼んでも返事がない。新聞が3日分たまっている")
        >>> [(s.rule, s.weak) for s in r.safety]
        [('emergency_check', False)]
        """
        return default_matcher().read(text, min_confidence=min_confidence)

    # -- routing -----------------------------------------------------------------------
    @cached_property
    def _route_index(self) -> RouteIndex:
        return RouteIndex.from_document(self.document)

    def route(
        self,
        note_or_concerns: str | Sequence[str],
        *,
        area: str | AreaMatch,
        age: int | None = None,
        origin_kind: str | None = None,
        note: str | None = None,
        outcomes: Sequence[Any] | None = None,
    ) -> ReferralPlan:
        """Suggest which bodies to route concerns to, by which path, raised at which meeting.

        Parameters
        ----------
        note_or_concerns
            A free-text note (Japanese or English), or a sequence of concern ids. A note
            with no concern sure enough, but a clue of one that has a safety rule (child
            abuse, suicide, DV, elder or disability abuse, an emergency), still gives a plan:
            that advice first, marked weak, and the windows for that concern.
        area
            Where the person lives: a ward, care plaza, town (with 丁目), address, postal
            code or area id; or an :class:`~referral.models.AreaMatch`.
        age
            The person's age, when known: age-limited windows are kept or left out
            (youth counselling 15–39, hikikomori support 40+).
        origin_kind
            Where the concern starts (a kind id such as ``care_plaza``); by default the area's
            residents and welfare commissioners.
        note
            With concern ids: a note read as well, for its own concerns and safety clues
            (they come after the given concerns; its safety advice is never dropped).
        outcomes
            The cells of an outcome report (:meth:`referral.records.Records.report`, or their
            JSON): a suggestion whose body and concern have a cell that is not suppressed gets
            a reason saying how many of its referrals the body answered within 30 days.

        Returns
        -------
        ReferralPlan
            Safety advisories first, then ranked suggestions (agency with contact, role,
            concerns, reasons, path), the coordinating body and the ward meeting.

        Raises
        ------
        UnknownAreaError
            The area matches nothing; the message names the nearest valid names.
        NoConcernError
            No concern could be read from the note.
        UnknownVocabularyError
            A concern id or origin kind is not in the vocabulary.

        Notes
        -----
        The work depends on the area, its ward and the city level only, never on the size of
        the whole network. The note is never logged or stored.

        Examples
        --------
        >>> plan = Directory.load().route(["eighty_fifty"], area="220-0013")
        >>> [(s.role, s.agency.kind, s.track) for s in plan.suggestions][:2]
        [('primary', 'comprehensive_support_center', 'parent'), ('primary', \
'ward_livelihood_section', 'child')]
        >>> plan.meeting
        'nishi.safety_net_meeting'
        """
        check_age(age)  # before the area, as always
        where, alternatives = resolve_where(area, self._areas, self._area_index)
        data = RouteData(
            agencies=self._agencies,
            areas=self._areas,
            links_in=self._links_in,
            index=self._route_index,
            matcher=default_matcher(),
        )
        plan = route(
            data,
            note_or_concerns,
            area=where,
            area_alternatives=alternatives,
            age=age,
            origin_kind=origin_kind,
            note=note,
        )
        if outcomes is None:
            return plan
        from ._records_explain import with_outcomes  # noqa: PLC0415

        return with_outcomes(plan, outcomes)

    # -- gaps --------------------------------------------------------------------------
    @cached_property
    def _coverage(self) -> Coverage:
        return self.coverage(progress=None)

    def coverage(self, *, ward: str | None = None, progress: bool | None = None) -> Coverage:
        """Coverage of every concern in every area (see :func:`referral.gaps.coverage`).

        The whole network's is computed once and kept; one ward's alone costs that ward's
        work only. ``progress`` draws a bar on a terminal (see :func:`referral.gaps.coverage`).

        >>> cov = Directory.load().coverage(ward="nishi")
        >>> cov.share_covered()["hoarding"]
        {'nishi': 1.0}
        """
        from . import gaps  # noqa: PLC0415 - analysis loads on first use
        from .gaps import Coverage  # noqa: PLC0415

        if ward is not None:
            self._known_ward(ward)
        if ward is None:
            if "_coverage" in self.__dict__:
                return self._coverage
            cov = gaps.coverage(index=self._route_index, progress=progress)
            self.__dict__["_coverage"] = cov
            return cov
        if "_coverage" in self.__dict__:
            return Coverage(
                cells=tuple(c for c in self._coverage.cells if c.ward == ward),
                areas=tuple(a for a in self._coverage.areas if a.ward == ward),
            )
        return gaps.coverage(ward=ward, index=self._route_index)

    def single_points_of_failure(self, *, ward: str | None = None) -> list[SinglePoint]:
        """Bodies every path from some areas to some windows passes through."""
        from . import gaps  # noqa: PLC0415 - analysis loads on first use

        if ward is not None:
            self._known_ward(ward)
        return gaps.single_points_of_failure(self.graph, ward=ward, index=self._route_index)

    def what_if(self, remove: Sequence[str] | str, *, cascade: bool = True) -> WhatIf:
        """What each area loses if these bodies close (see :func:`referral.gaps.what_if`)."""
        from . import gaps  # noqa: PLC0415 - analysis loads on first use

        ids = [remove] if isinstance(remove, str) else remove
        if not isinstance(ids, Sequence | set | frozenset):
            raise ArgumentTypeError("what_if() takes an agency id or a sequence of them")
        for agency_id in ids:
            self.agency(agency_id)  # a str, and known (did-you-mean otherwise)
        return gaps.what_if(self.graph, ids, cascade=cascade)

    def load_concentration(self) -> list[Load]:
        """How many areas and concerns depend on each body, most first."""
        from . import gaps  # noqa: PLC0415 - analysis loads on first use

        return gaps.load_concentration(self.graph, cov=self._coverage)

    def postal_coverage(self) -> PostalCoverage:
        """How many of the postal codes in the directory's Japan Post table resolve to a
        ward, to at least one care plaza area, and to exactly one.

        >>> c = Directory.load().postal_coverage()
        >>> c.codes == c.ward, c.one_catchment <= c.catchment <= c.ward
        (True, True)
        """
        return postal_coverage(self.document, self._area_index)

    def data_health(self, *, today: dt.date | None = None) -> DataHealth:
        """Structural and stale records per ward and kind, and the plan's own counts."""
        from . import gaps  # noqa: PLC0415 - analysis loads on first use

        if today is not None:
            expect_instance(today, dt.date, "today")
        return gaps.data_health(self.graph, today=today, doc=self.document)

    # -- safe edits and files -----------------------------------------------------------
    def with_agency(self, agency: Agency | dict[str, Any], *, replace: bool = False) -> Directory:
        """A new directory with this body added (or replaced); this one is unchanged."""
        if not isinstance(agency, Agency | dict):
            raise ArgumentTypeError(
                f"agency must be an Agency or a dict, not {type(agency).__name__}"
            )
        with as_problems("agency", Agency, agency):
            return Directory(editing.add_agency(self.document, agency, replace=replace))

    def with_changes(self, agency_id: str, **changes: Any) -> Directory:
        """A new directory with one body's fields changed and validated again."""
        return Directory(editing.update_agency(self.document, agency_id, **changes))

    def without_agency(self, agency_id: str) -> Directory:
        """A new directory without this body and its links (refused if others depend on it)."""
        return Directory(editing.remove_agency(self.document, expect_str(agency_id, "agency id")))

    def with_link(self, link: Link | dict[str, Any]) -> Directory:
        """A new directory with one more typed link."""
        if not isinstance(link, Link | dict):
            raise ArgumentTypeError(f"link must be a Link or a dict, not {type(link).__name__}")
        with as_problems("link", Link, link):
            return Directory(editing.add_link(self.document, link))

    def without_link(self, source: str, target: str, kind: str) -> Directory:
        """A new directory without one link."""
        for value, what in ((source, "source"), (target, "target"), (kind, "kind")):
            expect_str(value, f"link {what}")
        return Directory(editing.remove_link(self.document, source, target, kind))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the directory atomically in the stable format (see
        :func:`referral.editing.save`); the previous file survives any failure.
        """
        expect_path(path, "output file")
        return editing.save(self.document, path)

    def export(self, fmt: Format, out: str | os.PathLike[str]) -> list[Path]:
        """Export to ``hsds``, ``graphml``, ``gexf``, ``csv`` or ``geojson`` files in a folder
        (see :mod:`referral.interop`).
        """
        from . import interop  # noqa: PLC0415

        return interop.export(self.document, fmt, out, graph=self.graph)

    # -- areas ---------------------------------------------------------------------------
    @cached_property
    def _area_index(self) -> AreaIndex:
        return area_index(self.document)

    def resolve_area(self, text: str, *, limit: int = 5) -> list[AreaMatch]:
        """Resolve a ward, care plaza, town (with 丁目), address or postal code to areas.

        Returns the candidates, most certain first; when a town is split between
        catchments each gets its share of the confidence. Empty when nothing matches.
        """
        expect_int(limit, "limit", minimum=0)
        return self._area_index.resolve(text, limit=limit)

    def require_area(self, text: str) -> AreaMatch:
        """Resolve ``text`` to its best area, or raise :class:`UnknownAreaError` with the
        nearest valid names.
        """
        found = self.resolve_area(text)
        if not found:
            raise UnknownAreaError(text, suggestions=self._area_index.suggestions(text))
        return found[0]

    def districts(self, ward: str | None = None) -> Sequence[Area]:
        """The district (care plaza) areas, of one ward or all, in id order."""
        if ward is not None:
            self._known_ward(ward)
        return [
            a
            for a in sorted(self._areas.values(), key=lambda a: a.id)
            if a.kind == "district" and (ward is None or a.parent == ward)
        ]
