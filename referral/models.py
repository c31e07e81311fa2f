"""Frozen pydantic v2 models of the directory document: areas, agencies, links, sources.

Every model forbids unknown fields and round-trips through JSON unchanged. Vocabulary ids
(tiers, kinds, link kinds) are checked here, so a bad id is reported with its JSON path.

Examples
--------
>>> from referral.models import Text, Phone
>>> Text(ja="西区", en="Nishi Ward").ja
'西区'
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
import math
import re
import sys
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Annotated, Any, Literal, SupportsIndex, cast
from urllib.parse import urlsplit

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

from ._suggest import did_you_mean, suggest
from .vocabulary import KINDS, LINK_KINDS, TierId

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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s")


def _one_line(value: str | None, *, lines: bool = False, part: str = "") -> str | None:
    """Refuse a control character (C0, DEL, C1) in record text: it can rewrite a terminal,
    break an export (XML holds no C0) or hide text. Notes (``lines``) may hold a newline
    (U+000A), nothing else. The message shows the character's code point, never the
    character itself."""
    if value is not None:
        m = (_CONTROL_BUT_NEWLINE if lines else _CONTROL).search(value)
        if m is not None:
            what = " (a line break: only notes may span lines)" if m.group() == "\n" else ""
            raise ValueError(
                f"{part}control character U+{ord(m.group()):04X} at position {m.start()}{what}; "
                "control characters (C0, DEL, C1) are refused in record text"
            )
    return value


def _lines(value: str | None) -> str | None:
    return _one_line(value, lines=True)


def _text_of(value: Text | None, where: str = "") -> Text | None:
    if value is not None:
        _one_line(value.ja, part=f"{where}ja: ")
        _one_line(value.en, part=f"{where}en: ")
    return value


def _plain_text(value: Text | None) -> Text | None:
    return _text_of(value)


MAX_SHOWN = 60
"""Characters of a refused value quoted in its error message."""


def _web_url(value: str | None) -> str | None:
    """Only an ``http://`` or ``https://`` link with a host (no ``javascript:``, ``data:`` or
    ``file:`` URL, no whitespace) is kept as a URL."""
    if value is None:
        return None
    _one_line(value)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host
        host = None
    scheme = parts.scheme.lower() if host else ""
    if (
        scheme not in ("http", "https")
        or value[: len(scheme) + 3].lower() != scheme + "://"
        or _SPACE.search(value) is not None
    ):
        shown = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
        raise ValueError(
            f"url {shown!r} is not a web link: only http:// and https:// addresses with a "
            "host and no spaces are kept"
        )
    return value


def _vocabulary_id(value: str, ids: Mapping[str, object], what: str) -> str:
    """A vocabulary id, as the vocabulary's own string object; else a did-you-mean error."""
    if value not in ids:
        raise ValueError(f"unknown {what} {value!r}{did_you_mean(suggest(value, ids, limit=1))}")
    return _CANONICAL[value]


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
_CANONICAL = {k: k for k in (*KINDS, *LINK_KINDS)}  # one string object per vocabulary id
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
    ``model_copy`` copies it before updating, so nothing observable changes."""
    given = model.__pydantic_fields_set__
    key = frozenset(given)
    shared = _FIELD_SETS.get(key)
    if shared is None:
        _FIELD_SETS[key] = given
    elif shared is not given:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


class Text(Model):
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

    _plain = field_validator("title", "date", "licence", "credit")(_one_line)
    _notes = field_validator("notes")(_lines)
    _url = field_validator("url")(_web_url)


class Citation(Model):
    """A reference from a record to a :class:`Source`, with the page or section."""

    source: Id
    detail: str | None = Field(default=None, description="page URL, plan section, row")

    _plain = field_validator("detail")(_one_line)


_CITATION_KEYS = frozenset(Citation.model_fields)
Citations = Annotated[tuple[Citation, ...], Field(min_length=1), WrapValidator(_shared_citations)]


class Phone(Model):
    """A phone number written the Japanese way (``045-320-8484``), with what it reaches
    (``label`` in Japanese, ``label_en`` in English) and, when the source says so, what else
    answers on it (``shared_with``: the day service of the same building)."""

    number: Annotated[str, Field(pattern=PHONE_PATTERN)]
    label: str | None = None
    label_en: str | None = None
    shared_with: str | None = Field(
        default=None, description="another service the sources give the same number for"
    )

    _plain = field_validator("label", "label_en", "shared_with")(_one_line)


class Derivation(Model):
    """A fact the build worked out rather than read: which field, from what, and how
    (a postal code looked up in Japan Post's table from the address, say)."""

    field: NonEmpty
    source: Id = Field(description="the source the derivation used (an id in ``sources``)")
    how: NonEmpty

    _plain = field_validator("field", "how")(_one_line)


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

    _plain = field_validator("town")(_one_line)


class CatchmentText(Model):
    """Another source's wording of the same catchment, kept beside the one used."""

    text: NonEmpty
    source: Citation
    note: str | None = None

    _plain = field_validator("text")(_one_line)
    _notes = field_validator("note")(_lines)


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

    _plain = field_validator("text")(_one_line)

    @field_validator("unparsed")
    @classmethod
    def _plain_pieces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for piece in value:
            _one_line(piece)
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

    _name = field_validator("name")(_plain_text)
    _notes = field_validator("notes")(_lines)


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

    _plain = field_validator("town", "qualifier", "kana")(_one_line)


class PostalCoverage(Model):
    """How the postal codes of the directory's table resolve: to a ward, to at least one
    care plaza area, to exactly one (a code whose town is split between areas, or whose
    town no catchment list names, resolves to its ward only)."""

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
        return _vocabulary_id(value, KINDS, "kind")

    _url = field_validator("url")(_web_url)

    @model_validator(mode="after")
    def _no_confidential_address(self) -> Agency:
        # the text rules of _one_line, checked here in one pass (a national directory holds
        # millions of records: no extra call per field when the text is clean)
        texts: tuple[str, ...] = (
            self.name.ja,
            self.name.en,
            self.address or "",
            self.operator or "",
        )
        if self.remarks is not None:
            texts += (self.remarks.ja, self.remarks.en)
        if _CONTROL.search(" ".join(texts)) or (
            self.notes and _CONTROL_BUT_NEWLINE.search(self.notes)
        ):
            _text_of(self.name, "name.")
            _text_of(self.remarks, "remarks.")
            _one_line(self.address, part="address: ")
            _one_line(self.operator, part="operator: ")
            _one_line(self.notes, lines=True, part="notes: ")
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
        return _vocabulary_id(value, LINK_KINDS, "link kind")

    @model_validator(mode="after")
    def _compact(self) -> Link:
        # links repeat node ids: one string object per id, one field set for all
        d = self.__dict__
        d["source"], d["target"] = sys.intern(d["source"]), sys.intern(d["target"])
        if self.note is not None:
            _one_line(self.note, lines=True, part="note: ")
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

    _title = field_validator("title")(_plain_text)
    _notes = field_validator("notes")(_lines)

    @field_validator(*RECORD_ORDER)
    @classmethod
    def _in_order(cls, items: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
        return tuple(sorted(items, key=RECORD_ORDER[cast(str, info.field_name)]))


# -- concerns and matching ---------------------------------------------------------------
class KindRef(Model):
    """A kind of body named for a concern (primary, supporting or escalation)."""

    kind: str
    inferred: bool = Field(default=False, description="a routing judgement not read in a source")
    ages: AgeRange | None = Field(default=None, description="only for people of these ages")
    track: str | None = Field(
        default=None, description="parallel track the plan keeps (8050: parent / child)"
    )
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        return _vocabulary_id(value, KINDS, "kind")


class Alias(Model):
    """A way a note may say a concern, written by the team.

    ``weight`` below 1 marks weak evidence (two weak hits make a match); ``with_any`` lists
    words one of which must appear somewhere in the note; ``without_any`` words none of which
    may appear; aliases sharing a ``group`` are synonyms and count as one piece of evidence.
    """

    text: NonEmpty
    weight: Annotated[float, Field(gt=0, le=1)] = 1.0
    group: str | None = None
    with_any: tuple[NonEmpty, ...] = ()
    without_any: tuple[NonEmpty, ...] = ()


class Concern(Model):
    """A concern of the vocabulary: labels, where it is routed, and how notes say it."""

    id: Id
    name: Text
    easy_ja: str | None = Field(default=None, description="plain, easy Japanese")
    domains: tuple[str, ...] = ()
    primary: tuple[KindRef, ...]
    supporting: tuple[KindRef, ...] = ()
    escalation: tuple[KindRef, ...] = ()
    safety: tuple[str, ...] = Field(default=(), description="safety rules that override ranking")
    ages: AgeRange | None = Field(default=None, description="the people this concern is about")
    sources: tuple[str, ...] = ()
    aliases: tuple[Alias, ...]

    @field_validator("aliases", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


class ConcernSet(Model):
    """The concern vocabulary as shipped in ``referral/concerns.json``."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    about: str | None = None
    concerns: tuple[Concern, ...]


Polarity = Literal["plain", "suspected", "negated", "hypothetical", "topic", "past"]
"""How a note says a thing: stated, suspected, ruled out, supposed, named as a topic, or told
as over and done."""


class Evidence(Model):
    """One piece of evidence in a note: an alias, or a concept cue that served a concern rule;
    what, where (offsets in the original text) and how well.

    For a cue, ``alias`` is ``rule:atom`` (``child_abuse.hurt:violence``), ``rule`` the concern
    rule and ``cue`` the concept atom (see ``referral/concepts.json``).
    """

    alias: str
    text: str = Field(description="the words of the note that matched")
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    score: Annotated[float, Field(ge=0, le=100)]
    weight: float = 1.0
    negated: bool = False
    rule: str | None = Field(default=None, description="the concern rule this cue served")
    cue: str | None = Field(default=None, description="the concept atom of this cue")
    polarity: Polarity = "plain"


class Match(Model):
    """A concern recognised in a note, how sure the matcher is, and which words said so.

    ``start``/``end`` are offsets in the original text of the strongest evidence.
    """

    concern: Id
    name: Text
    confidence: Annotated[float, Field(ge=0, le=1)]
    alias: str
    text: str
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    evidence: tuple[Evidence, ...]
    negated: bool = Field(default=False, description="every hit was negated (虐待ではない)")
    safety: tuple[str, ...] = Field(default=(), description="safety rules its evidence brings")


class SafetyClue(Model):
    """A clue in a note that calls for a safety rule's advice first, however weak it is."""

    rule: str
    concern: Id
    confidence: Annotated[float, Field(ge=0, le=1)]
    weak: bool = Field(description="below the confidence a concern needs to be reported")
    words: tuple[str, ...] = Field(default=(), description="the note's words behind it")
    learned: bool = Field(
        default=False,
        description="found by the learned character look (referral.safety_ngrams), no rule",
    )


class NoteReading(Model):
    """Everything a note says: concerns (most strongly evidenced first), weaker ones, and
    the safety clues to act on before anything else (strongest first)."""

    matches: tuple[Match, ...] = ()
    weak: tuple[Match, ...] = Field(default=(), description="concerns below the threshold")
    safety: tuple[SafetyClue, ...] = ()

    @property
    def advisories(self) -> tuple[SafetyClue, ...]:
        """The safety clues (an alias of :attr:`safety`)."""
        return self.safety


# -- routing -------------------------------------------------------------------------------
Role = Literal["coordinator", "primary", "supporting", "escalation"]
"""What a suggested body does for the case (stable ids, in this order of precedence)."""


class AgencyRef(Model):
    """The part of an agency a plan shows: who, where, and how to reach them.

    A confidential body never carries an address. ``contact`` is the body to call: itself, or
    for a structural record the body its ``contact_via`` leads to.
    """

    id: Id
    kind: str
    tier: TierId
    name: Text
    area: Id
    attested: bool
    aggregate: bool = False
    phones: tuple[Phone, ...] = ()
    url: str | None = None
    address: str | None = None
    postal_code: str | None = None
    confidential: bool = False
    contact: Id | None = Field(default=None, description="whom to call instead (structural)")
    contact_name: Text | None = None
    contact_phones: tuple[Phone, ...] = ()
    remarks: Text | None = Field(default=None, description="what to know before calling")
    derived: tuple[str, ...] = Field(
        default=(), description="fields the build worked out (postal_code: from the address)"
    )


class PathStep(Model):
    """One typed link of a path: ``source`` —``link``→ ``target``."""

    source: Id
    target: Id
    link: str


class PlanConcern(Model):
    """A concern the plan acts on, and how sure it was (1.0 when given by the caller)."""

    id: Id
    name: Text
    confidence: Annotated[float, Field(ge=0, le=1)]
    given: bool = Field(default=False, description="named by the caller, not read from a note")
    evidence: tuple[str, ...] = Field(default=(), description="the note's words that said so")
    weak: bool = Field(default=False, description="only a weak clue, kept for its safety rule")


class Advisory(Model):
    """A safety rule that comes before any suggestion (vocabulary: overrides ranking)."""

    rule: str
    concern: Id
    message: Text
    numbers: tuple[str, ...]
    agencies: tuple[AgencyRef, ...] = ()
    weak: bool = Field(default=False, description="the clue is weak; the advice stands")
    evidence: tuple[str, ...] = Field(default=(), description="the note's words behind it")
    learned: bool = Field(
        default=False, description="the clue came from the learned look, not from a rule"
    )


class Suggestion(Model):
    """A body to route to, why, and the path from the origin through the network."""

    rank: Annotated[int, Field(ge=1)]
    agency: AgencyRef
    role: Role
    concerns: tuple[Id, ...]
    reasons: tuple[Text, ...]
    path: tuple[PathStep, ...] = Field(
        default=(), description="typed links from the origin, each changing tier by at most one"
    )
    reachable: bool = Field(default=True, description="a path exists in the directory")
    track: str | None = None
    inferred: bool = Field(default=False, description="a routing judgement, not read in a source")
    alternatives: tuple[AgencyRef, ...] = Field(
        default=(), description="other bodies of the same kind that serve the area"
    )


class ReferralPlan(Model):
    """Where to route a concern, with every suggestion explained (stable JSON, schema 1.0).

    Safety ``advisories`` come first and override ranking; ``suggestions`` are ranked;
    ``coordinator`` is the one body that holds a compound case together; ``meeting`` is the
    ward meeting where the case, or the gap it shows, should be raised.
    """

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    area: AreaMatch
    area_alternatives: tuple[AreaMatch, ...] = ()
    origin: tuple[Id, ...]
    age: int | None = None
    concerns: tuple[PlanConcern, ...]
    advisories: tuple[Advisory, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    coordinator: Id | None = None
    meeting: Id | None = None
    caveats: tuple[Text, ...] = ()
    district_choices: tuple[Id, ...] = Field(
        default=(),
        description="when only the ward is known: its care plaza areas, one of which the person "
        "lives in (a town, address or postal code tells which)",
    )
