"""Frozen pydantic v2 models of the directory document: areas, agencies, links, sources.

Every model forbids unknown fields and round-trips through JSON unchanged. Vocabulary ids
(tiers, kinds, link kinds) are checked here, so a bad id is reported with its JSON path.
The concern vocabulary and note readings (``Concern``, ``Match``, ``NoteReading`` …) and the
referral plan (``ReferralPlan``, ``Suggestion`` …) are defined in ``_concern_models`` and
``_plan_models`` on top of these records, and imported from here like the rest.

Examples
--------
>>> from referral.models import Text, Phone
>>> Text(ja="西区", en="Nishi Ward").ja
'西区'
>>> Text(ja="西区", en="Nishi Ward").get("en")
'Nishi Ward'
>>> Phone(number="045-320-8484").number
'045-320-8484'
>>> Phone(number="0453208484")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Phone
...
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal, SupportsIndex, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from ._field_checks import (
    CONTROL,
    CONTROL_BUT_NEWLINE,
    multi_line,
    one_line,
    plain_text,
    text_of,
    vocabulary_id,
    web_url,
)
from .vocabulary import KINDS, LINK_KINDS, Bilingual, TierId

__all__ = [
    "AREA_KINDS",
    "ID_PATTERN",
    "RECORD_ORDER",
    "SCHEMA_VERSION",
    "Advisory",
    "AgeRange",
    "Agency",
    "AgencyMatch",
    "AgencyRef",
    "Alias",
    "Area",
    "AreaKind",
    "AreaMatch",
    "Catchment",
    "CatchmentText",
    "Citation",
    "Concern",
    "ConcernSet",
    "Coordinates",
    "Derivation",
    "Document",
    "Evidence",
    "KindRef",
    "Link",
    "Match",
    "Model",
    "NoteReading",
    "PathStep",
    "Phone",
    "PlanConcern",
    "Polarity",
    "PostalCoverage",
    "PostalTown",
    "ReferralPlan",
    "Role",
    "SafetyClue",
    "Source",
    "Suggestion",
    "Text",
    "TownPart",
]

SCHEMA_VERSION: Literal["1.0"] = "1.0"
"""Version of the ``data/agencies.json`` format this code reads and writes."""

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*$"
"""Ids are ASCII snake_case segments joined by dots, e.g. ``nishi.tobe_honcho.care_plaza``."""

PHONE_PATTERN = r"^(0\d{1,4}-\d{1,4}-\d{3,4}|0120-\d{2,3}-\d{3}|1\d{2})$"
POSTAL_PATTERN = r"^\d{3}-\d{4}$"

AreaKind = Literal["city", "ward", "district"]
AREA_KINDS: tuple[AreaKind, ...] = ("city", "ward", "district")

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=120)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]


def _restore(cls: type[Model], state: dict[str, Any], given: set[str]) -> Model:
    """Rebuild a pickled record (see :meth:`Model.__reduce__`)."""
    m = cls.__new__(cls)
    object.__setattr__(m, "__dict__", state)
    object.__setattr__(m, "__pydantic_fields_set__", given)
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


class Model(BaseModel):
    """Base of every model: frozen, no unknown fields, JSON round-trip safe."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # a third faster to unpickle than pydantic's generic state (the CLI's cache holds
        # tens of thousands of records); equal values, same field set
        return (_restore, (type(self), self.__dict__, self.__pydantic_fields_set__))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return self.__reduce__()


RECORD_ORDER: dict[str, Callable[[Any], Any]] = {
    "sources": attrgetter("id"),
    "areas": attrgetter("id"),
    "towns": lambda t: (t.ward, t.postal_code, t.town, t.qualifier or ""),
    "agencies": attrgetter("id"),
    "links": attrgetter("source", "kind", "target"),
}
"""The canonical order of each list of a :class:`Document`: how it is held and written."""
_CITATIONS: dict[tuple[tuple[Any, Any], ...], tuple[Citation, ...]] = {}
_FIELD_SETS: dict[frozenset[str], set[str]] = {}
_SHARED_LIMIT = 1 << 16


def _shared_citations(value: Any, handler: ValidatorFunctionWrapHandler) -> tuple[Citation, ...]:
    """Validate a list of citations, sharing one tuple between the records that cite alike.

    A national directory holds millions of links citing the same few sources; sharing their
    (frozen, equal) citations keeps each link at a third of the memory and skips most of the
    work. Anything unusual takes the ordinary path, errors and all.
    """
    key: tuple[tuple[Any, Any], ...] | None = None
    if type(value) is list:
        parts = []
        for c in value:
            if type(c) is not dict or not c.keys() <= _CITATION_KEYS:
                break
            source, detail = c.get("source"), c.get("detail")
            if type(source) is not str or (detail is not None and type(detail) is not str):
                break  # only plain strings: equal keys then mean equal validation
            parts.append((source, detail))
        else:
            key = tuple(parts)
            got = _CITATIONS.get(key)
            if got is not None:
                return got
    out: tuple[Citation, ...] = handler(value)
    if key is not None:
        if len(_CITATIONS) >= _SHARED_LIMIT:
            _CITATIONS.clear()
        _CITATIONS[key] = out
    return out


def _share_fields_set(model: BaseModel) -> None:
    """Let records that were given the same fields share one (never mutated) field set;
    ``model_copy`` copies it before updating, so nothing observable changes.
    """
    given = model.__pydantic_fields_set__
    key = frozenset(given)
    shared = _FIELD_SETS.get(key)
    if shared is None:
        _FIELD_SETS[key] = given
    elif shared is not given:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


class Text(Model, Bilingual):
    """A display text in Japanese and English."""

    ja: NonEmpty
    en: NonEmpty


class Source(Model):
    """A public source the directory takes facts from (listed once in the document)."""

    id: Id
    title: NonEmpty
    url: str | None = None
    date: str | None = Field(default=None, description="date as the source states it")
    licence: str | None = None
    credit: str | None = Field(default=None, description="attribution the licence asks for")
    notes: str | None = None

    _plain = field_validator("title", "date", "licence", "credit")(one_line)
    _notes = field_validator("notes")(multi_line)
    _url = field_validator("url")(web_url)


class Citation(Model):
    """A reference from a record to a :class:`Source`, with the page or section."""

    source: Id
    detail: str | None = Field(default=None, description="page URL, plan section, row")

    _plain = field_validator("detail")(one_line)


_CITATION_KEYS = frozenset(Citation.model_fields)
Citations = Annotated[tuple[Citation, ...], Field(min_length=1), WrapValidator(_shared_citations)]


class Phone(Model):
    """A phone number written the Japanese way (``045-320-8484``), with what it reaches
    (``label`` in Japanese, ``label_en`` in English) and, when the source says so, what else
    answers on it (``shared_with``: the day service of the same building).
    """

    number: Annotated[str, Field(pattern=PHONE_PATTERN)]
    label: str | None = None
    label_en: str | None = None
    shared_with: str | None = Field(
        default=None, description="another service the sources give the same number for"
    )

    _plain = field_validator("label", "label_en", "shared_with")(one_line)


class Derivation(Model):
    """A fact the build worked out rather than read: which field, from what, and how
    (a postal code looked up in Japan Post's table from the address, say).
    """

    field: NonEmpty
    source: Id = Field(description="the source the derivation used (an id in ``sources``)")
    how: NonEmpty

    _plain = field_validator("field", "how")(one_line)


class Coordinates(Model):
    """WGS84 latitude and longitude in degrees."""

    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]

    @field_validator("lat", "lon")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("coordinates must be finite numbers")
        return value


class AgeRange(Model):
    """The ages a body serves, both ends inclusive; ``None`` means open."""

    min: Annotated[int, Field(ge=0, le=130)] | None = None
    max: Annotated[int, Field(ge=0, le=130)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"age range is empty: min {self.min} > max {self.max}")
        return self

    def admits(self, age: int) -> bool:
        """Return whether ``age`` lies in the range.

        >>> AgeRange(min=15, max=39).admits(40)
        False
        """
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


class TownPart(Model):
    """One 町 (town) of a catchment, with the 丁目 it covers (empty: the whole town)."""

    town: NonEmpty
    chome: tuple[Annotated[int, Field(ge=1, le=99)], ...] = ()
    partial: bool = Field(default=False, description="only part of the town or 丁目 (一部)")

    _plain = field_validator("town")(one_line)


class CatchmentText(Model):
    """Another source's wording of the same catchment, kept beside the one used."""

    text: NonEmpty
    source: Citation
    note: str | None = None

    _plain = field_validator("text")(one_line)
    _notes = field_validator("note")(multi_line)


class Catchment(Model):
    """The 町丁目 a daily-living area covers: the source's text and what could be parsed."""

    text: NonEmpty
    towns: tuple[TownPart, ...] = ()
    unparsed: tuple[str, ...] = Field(
        default=(), description="pieces of the text that name no town we could identify"
    )
    complete: bool = Field(
        description="the towns list is the whole catchment (no ほか, no unparsed pieces)"
    )
    source: Citation
    alternatives: tuple[CatchmentText, ...] = ()

    _plain = field_validator("text")(one_line)

    @field_validator("unparsed")
    @classmethod
    def _plain_pieces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for piece in value:
            one_line(piece)
        return value


class Area(Model):
    """The city, a ward (区), or a district: one care plaza's daily-living area."""

    id: Id
    kind: AreaKind
    name: Text
    parent: Id | None = None
    catchment: Catchment | None = None
    sources: Citations
    checked: dt.date
    notes: str | None = None

    _name = field_validator("name")(plain_text)
    _notes = field_validator("notes")(multi_line)


class AreaMatch(Model):
    """One candidate area for what a user typed, with how sure the match is (0–1)."""

    area: Area
    confidence: Annotated[float, Field(ge=0, le=1)]
    reason: Text
    matched: str = Field(description="the text that was resolved")
    town: str | None = None
    chome: int | None = None


class PostalTown(Model):
    """A Japan Post postal code and the town (and 丁目 qualifier) it covers."""

    postal_code: Annotated[str, Field(pattern=POSTAL_PATTERN)]
    ward: Id
    town: NonEmpty
    qualifier: str | None = Field(default=None, description="e.g. （４〜７丁目）")
    kana: str | None = None

    _plain = field_validator("town", "qualifier", "kana")(one_line)


class PostalCoverage(Model):
    """How the postal codes of the directory's table resolve: to a ward, to at least one
    care plaza area, to exactly one (a code whose town is split between areas, or whose
    town no catchment list names, resolves to its ward only).
    """

    codes: int
    ward: int
    catchment: int
    one_catchment: int


class Agency(Model):
    """A body or meeting of the support network: one node of the graph.

    ``attested`` is true when a cited source gives the name and at least one contact; a
    structural record (``attested=False``) stands for a body that certainly exists (one per
    ward, say) whose name or contact no source in reach gives: its ``contact_via`` says whom to
    call instead. ``aggregate`` marks a node that stands for many (the welfare commissioners of
    an area), never for one invented person or group.
    """

    id: Id
    name: Text
    kind: str
    tier: TierId
    area: Id
    address: str | None = None
    postal_code: Annotated[str, Field(pattern=POSTAL_PATTERN)] | None = None
    phones: tuple[Phone, ...] = ()
    url: str | None = None
    coordinates: Coordinates | None = None
    serves: tuple[Id, ...] = Field(
        default=(), description="catchment: the areas it serves beyond its own (empty: own area)"
    )
    catchment_confirmed: bool = Field(
        default=True, description="false when no source says which areas it serves"
    )
    ages: AgeRange | None = None
    confidential: bool = Field(default=False, description="its address must never be shown")
    attested: bool
    aggregate: bool = False
    contact_via: Id | None = None
    operator: str | None = None
    sources: Citations
    checked: dt.date
    remarks: Text | None = Field(
        default=None,
        description="what a coordinator should know, in plain words (shown by `show`)",
    )
    derived: tuple[Derivation, ...] = Field(
        default=(), description="facts worked out by the build, not read in a source"
    )
    notes: str | None = Field(
        default=None, description="research notes on provenance (not shown to coordinators)"
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return vocabulary_id(value, KINDS, "kind")

    _url = field_validator("url")(web_url)

    @model_validator(mode="after")
    def _no_confidential_address(self) -> Agency:
        # the text rules of one_line, checked here in one pass (a national directory holds
        # millions of records: no extra call per field when the text is clean)
        texts: tuple[str, ...] = (
            self.name.ja,
            self.name.en,
            self.address or "",
            self.operator or "",
        )
        if self.remarks is not None:
            texts += (self.remarks.ja, self.remarks.en)
        if CONTROL.search(" ".join(texts)) or (
            self.notes and CONTROL_BUT_NEWLINE.search(self.notes)
        ):
            text_of(self.name, "name.")
            text_of(self.remarks, "remarks.")
            one_line(self.address, part="address: ")
            one_line(self.operator, part="operator: ")
            one_line(self.notes, lines=True, part="notes: ")
        if self.confidential and (self.address or self.postal_code or self.coordinates):
            raise ValueError(
                f"{self.id}: a confidential body must not carry an address, postal code or "
                "coordinates"
            )
        _share_fields_set(self)
        return self

    @property
    def is_meeting(self) -> bool:
        """Whether this node is a meeting rather than a body."""
        return KINDS[self.kind].meeting


class AgencyMatch(Model):
    """One result of a name search: the agency and how well its name matched (0–100)."""

    agency: Agency
    score: Annotated[float, Field(ge=0, le=100)]
    matched: str = Field(description="the name or id that matched")


class Link(Model):
    """A typed, directed link between two nodes, with where it comes from."""

    source: Id
    target: Id
    kind: str
    sources: Citations
    inferred: bool = Field(
        default=False, description="common practice, not read in a source: lower confidence"
    )
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_link(cls, value: str) -> str:
        return vocabulary_id(value, LINK_KINDS, "link kind")

    @model_validator(mode="after")
    def _compact(self) -> Link:
        # links repeat node ids: one string object per id, one field set for all
        d = self.__dict__
        d["source"], d["target"] = sys.intern(d["source"]), sys.intern(d["target"])
        if self.note is not None:
            one_line(self.note, lines=True, part="note: ")
        _share_fields_set(self)
        return self


class Document(Model):
    """The whole directory: what ``data/agencies.json`` holds.

    Lists are kept in a canonical order (by id; links by source, kind, target; towns by
    ward, postal code, town), so two documents with the same content compare equal and the
    file on disk is diff-friendly.
    """

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    title: Text
    data_date: dt.date = Field(description="the newest date on which records were checked")
    notes: str | None = None
    sources: tuple[Source, ...]
    areas: tuple[Area, ...]
    towns: tuple[PostalTown, ...] = ()
    agencies: tuple[Agency, ...]
    links: tuple[Link, ...] = ()

    _title = field_validator("title")(plain_text)
    _notes = field_validator("notes")(multi_line)

    @field_validator(*RECORD_ORDER)
    @classmethod
    def _in_order(cls, items: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
        return tuple(sorted(items, key=RECORD_ORDER[cast(str, info.field_name)]))


# -- re-exported ---------------------------------------------------------------------------
# The concern vocabulary and note readings (referral._concern_models) and the referral plan
# (referral._plan_models) are built on the records above, so they import this module; it
# hands them out on first use, and `from referral.models import ReferralPlan` works as ever.
if TYPE_CHECKING:
    from ._concern_models import (
        Alias,
        Concern,
        ConcernSet,
        Evidence,
        KindRef,
        Match,
        NoteReading,
        Polarity,
        SafetyClue,
    )
    from ._plan_models import (
        Advisory,
        AgencyRef,
        PathStep,
        PlanConcern,
        ReferralPlan,
        Role,
        Suggestion,
    )

_CONCERN_MODELS: tuple[str, ...] = ("Alias", "Concern", "ConcernSet", "Evidence", "KindRef")
_CONCERN_MODELS += ("Match", "NoteReading", "Polarity", "SafetyClue")
_PLAN_MODELS: tuple[str, ...] = ("Advisory", "AgencyRef", "PathStep", "PlanConcern")
_PLAN_MODELS += ("ReferralPlan", "Role", "Suggestion")
_MOVED = dict.fromkeys(_CONCERN_MODELS, "_concern_models") | dict.fromkeys(
    _PLAN_MODELS, "_plan_models"
)


def __getattr__(name: str) -> Any:
    """The models of :mod:`referral._concern_models` and :mod:`referral._plan_models`."""
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __package__), name)
