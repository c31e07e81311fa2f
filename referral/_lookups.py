"""The directory's self-contained steps (private; :class:`referral.Directory` is the way in).

The name search behind :meth:`~referral.Directory.find`; the area index, the step that turns
where a person lives into an area for :meth:`~referral.Directory.route` and the count of
:meth:`~referral.Directory.postal_coverage`; and the turn of a record that does not validate
into a :class:`~referral.errors.ValidationError`. Each takes the document's pieces, never
the facade.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pydantic
from rapidfuzz import fuzz, process

from ._schema import Problems, schema_problems
from ._text import fold_place
from .areas import AreaIndex
from .errors import ArgumentTypeError, UnknownAreaError, ValidationError
from .models import Agency, AgencyMatch, Area, AreaMatch, Document, PostalCoverage, Text
from .vocabulary import KINDS

__all__ = [
    "CERTAIN",
    "area_index",
    "as_problems",
    "name_index",
    "postal_coverage",
    "resolve_where",
    "search_names",
]


@contextmanager
def as_problems(what: str, model: type[pydantic.BaseModel], item: Any) -> Iterator[None]:
    """Turn a record that does not validate into a :class:`ValidationError` listing its
    problems at their paths (a pydantic error is not part of this library's API).
    """
    try:
        yield
    except pydantic.ValidationError as exc:
        problems = Problems()
        schema_problems(problems, exc, [what], model, item)
        raise ValidationError(what, problems.result()) from None


# -- names -------------------------------------------------------------------------------------
NAME_CUTOFF = 70
"""The least rapidfuzz ``WRatio`` score of a name found by :func:`search_names`."""


def name_index(agencies: Iterable[Agency]) -> tuple[list[str], list[str]]:
    """Every agency's Japanese name, English name and id, folded for search, with the id of
    the agency of each.
    """
    keys, ids = [], []
    for ag in agencies:
        for name in (ag.name.ja, ag.name.en, ag.id):
            keys.append(fold_place(name).lower())
            ids.append(ag.id)
    return keys, ids


def search_names(
    query: str,
    index: tuple[list[str], list[str]],
    agencies: Mapping[str, Agency],
    *,
    kind: str | None,
    ward: str | None,
    ward_of: Callable[[Agency], str | None],
    limit: int,
) -> list[AgencyMatch]:
    """The agencies whose names are nearest a folded ``query``, of ``kind`` and in ``ward``
    when given: real bodies before aggregates and meetings at equal scores, then shorter
    names.
    """
    keys, ids = index
    hits = process.extract(query, keys, scorer=fuzz.WRatio, limit=None, score_cutoff=NAME_CUTOFF)
    best: dict[str, tuple[float, str]] = {}
    for key, score, i in hits:
        if score > best.get(ids[i], (-1.0, ""))[0]:
            best[ids[i]] = (score, key)
    out = []
    for agency_id, (score, key) in best.items():
        ag = agencies[agency_id]
        if (kind and ag.kind != kind) or (ward and ward_of(ag) != ward):
            continue
        out.append(AgencyMatch(agency=ag, score=round(score, 1), matched=key))
    out.sort(
        key=lambda m: (
            -m.score,
            m.agency.aggregate,
            KINDS[m.agency.kind].meeting,
            not m.agency.attested,
            len(m.agency.name.ja),
            m.agency.id,
        )
    )
    return out[:limit]


# -- areas -------------------------------------------------------------------------------------
def area_index(document: Document) -> AreaIndex:
    """The index that resolves free text to the document's areas, knowing each district by
    its care plaza's and nursing home's names too.
    """
    names: dict[str, list[str]] = defaultdict(list)
    for ag in document.agencies:
        if ag.kind in ("care_plaza", "nursing_home"):
            names[ag.area] += [ag.name.ja, re.sub(r"^横浜市|地域ケアプラザ.*$", "", ag.name.ja)]
    return AreaIndex(document, names)


WHERE_CANDIDATES = 5
"""How many areas :func:`resolve_where` resolves the text to (the best and its alternatives)."""


def resolve_where(
    area: str | AreaMatch, areas: Mapping[str, Area], index: AreaIndex
) -> tuple[AreaMatch, list[AreaMatch]]:
    """Where the person lives: an exact area id first, else the best resolution of the
    text (and the other candidates), else :class:`UnknownAreaError` with the nearest names.
    """
    if isinstance(area, AreaMatch):
        return area, []
    if not isinstance(area, str):
        raise ArgumentTypeError(f"area must be a str, not {type(area).__name__}")
    known = areas.get(area)
    if known is not None:
        by_id = AreaMatch(area=known, confidence=1.0, reason=Text(ja="ID", en="id"), matched=area)
        return by_id, []
    found = index.resolve(area, limit=WHERE_CANDIDATES)
    if not found:
        raise UnknownAreaError(area, suggestions=index.suggestions(area))
    return found[0], [m for m in found[1:] if m.confidence > 0]


CERTAIN = 0.999
"""Confidence from which an area match counts as the one catchment (rounding aside)."""


def postal_coverage(document: Document, index: AreaIndex) -> PostalCoverage:
    """How many of the document's postal codes resolve to a ward, to at least one care plaza
    area, and to exactly one.
    """
    codes = sorted({t.postal_code for t in document.towns})
    ward = catchment = one = 0
    for code in codes:
        found = index.resolve(code)
        ward += bool(found)
        districts = [m for m in found if m.area.kind == "district"]
        catchment += bool(districts)
        one += len(districts) == 1 and districts[0].confidence >= CERTAIN
    return PostalCoverage(codes=len(codes), ward=ward, catchment=catchment, one_catchment=one)
