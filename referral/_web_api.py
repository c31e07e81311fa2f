"""The web app's JSON API and its read-only Open Referral HSDA 3.0 API (private; see web.py).

``POST /api/match`` and ``POST /api/route`` take the note in a JSON body and return the
library's models as JSON (``ReferralPlan.model_dump(mode="json")``); ``GET /api/areas?q=``
completes an area, ``GET /api/agencies/{id}`` gives one body. The HSDA endpoints serve the
tables of :func:`referral.hsds.export_hsds` as paginated lists and single objects.

An error is ``{"error": {"code": ..., "message": ...}}`` with the command line's stable code
(:func:`referral._cli_errors.error_code`) and a status: 400 a value the directory does not
know, 404 an id it does not hold, 413 a body too large, 422 a request it cannot read or a
note it cannot take (too long, no concern read).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ._cli_errors import error_code, localise
from ._messages import Lang
from ._web_views import completions
from .advice import advisory
from .directory import Directory
from .errors import (
    NoConcernError,
    NoteTooLongError,
    ReferralError,
    UnknownAgencyError,
    UnknownAreaError,
)
from .hsds import export_hsds

__all__ = [
    "HSDA_TABLES",
    "MAX_PER_PAGE",
    "MatchRequest",
    "RouteRequest",
    "error_response",
    "hsda",
    "router",
    "status_of",
]

MAX_PER_PAGE = 500
"""The largest HSDA page served."""
DEFAULT_PER_PAGE = 50
HSDA_TABLES = (
    "organizations",
    "services",
    "service_at_locations",
    "taxonomies",
    "taxonomy_terms",
)
"""The HSDA 3.0 lists served (each also by id)."""

router = APIRouter()


class MatchRequest(BaseModel):
    """The body of ``POST /api/match``."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(description="the concern note (never stored or logged)")
    lang: Literal["ja", "en"] = "ja"
    min_confidence: float | None = Field(default=None, ge=0, le=1)


class RouteRequest(BaseModel):
    """The body of ``POST /api/route``: a note, concern ids, or both, and where the person
    lives.
    """

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", description="the concern note (never stored or logged)")
    area: str = Field(description="ward, care plaza, town, address, postal code or area id")
    concerns: list[str] = Field(default_factory=list, max_length=40)
    age: int | None = None
    lang: Literal["ja", "en"] = "ja"


def status_of(exc: ReferralError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, UnknownAgencyError):
        return 404
    if isinstance(exc, NoteTooLongError | NoConcernError):
        return 422
    return 400


def error_response(code: str, message: str, status: int, **extra: Any) -> JSONResponse:
    """An error as JSON (``extra``: more fields beside ``error``, such as advisories)."""
    return JSONResponse({"error": {"code": code, "message": message}, **extra}, status)


def _library_error(exc: ReferralError, lang: Lang, **extra: Any) -> JSONResponse:
    localise(exc, lang)
    message = str(exc).replace("--concern", '"concerns"')  # the command line's option
    body: dict[str, Any] = {"code": error_code(exc), "message": message}
    suggestions = getattr(exc, "suggestions", ())
    if suggestions:
        body["suggestions"] = list(suggestions)
    return JSONResponse({"error": body, **extra}, status_of(exc))


def _directory(request: Request) -> Directory:
    d: Directory = request.app.state.directory
    return d


@router.post("/api/match", tags=["api"])
def api_match(body: MatchRequest, request: Request) -> JSONResponse:
    """The concerns read in a note, its weak clues and its safety advice (first)."""
    d = _directory(request)
    try:
        reading = d.read(body.note, min_confidence=body.min_confidence)
    except ReferralError as exc:
        return _library_error(exc, body.lang)
    return JSONResponse(
        {
            "matches": [m.model_dump(mode="json") for m in reading.matches],
            "weak": [m.model_dump(mode="json") for m in reading.weak],
            "advisories": [advisory(c).model_dump(mode="json") for c in reading.safety],
        }
    )


@router.post("/api/route", tags=["api"])
def api_route(body: RouteRequest, request: Request) -> JSONResponse:
    """A referral plan (the library's ``ReferralPlan`` as JSON); safety advice first. For an
    area it cannot place, the error comes with the note's safety advice, if any.
    """
    d = _directory(request)
    note = body.note or None
    if not note and not body.concerns:
        return error_response("empty_note", "give a note, or concern ids", 422)
    try:
        if body.concerns:
            plan = d.route(body.concerns, area=body.area, age=body.age, note=note)
        else:
            plan = d.route(body.note, area=body.area, age=body.age)
    except UnknownAreaError as exc:
        clues = d.read(body.note).safety if body.note else ()
        advice = [advisory(c).model_dump(mode="json") for c in clues]
        return _library_error(exc, body.lang, advisories=advice)
    except ReferralError as exc:
        return _library_error(exc, body.lang)
    return JSONResponse(plan.model_dump(mode="json"))


@router.get("/api/areas", tags=["api"])
def api_areas(
    request: Request, q: str = Query("", max_length=200), lang: Literal["ja", "en"] = "ja"
) -> JSONResponse:
    """Completions for an area: wards, care plaza areas, towns and postal codes."""
    return JSONResponse(completions(_directory(request), q, lang))


@router.get("/api/agencies/{agency_id}", tags=["api"])
def api_agency(agency_id: str, request: Request, lang: Literal["ja", "en"] = "ja") -> JSONResponse:
    """One body as the directory holds it."""
    d = _directory(request)
    try:
        agency = d.agency(agency_id)
    except ReferralError as exc:
        return _library_error(exc, lang)
    return JSONResponse(agency.model_dump(mode="json", exclude_defaults=True))


# -- HSDA 3.0 ----------------------------------------------------------------------------
class Hsda:
    """The directory's HSDS tables, exported once on first use, indexed by id."""

    def __init__(self, d: Directory) -> None:
        self.d = d

    @cached_property
    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return export_hsds(self.d.document)

    @cached_property
    def by_id(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {name: {row["id"]: row for row in rows} for name, rows in self.tables.items()}

    def related(self, table: str, key: str, value: str) -> list[dict[str, Any]]:
        return [row for row in self.tables[table] if row.get(key) == value]

    def detail(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """An object with the objects that belong to it nested, as HSDA gives them."""
        oid = row["id"]
        if table == "organizations":
            locations = [
                {**loc, "addresses": self.related("addresses", "location_id", loc["id"])}
                for loc in self.related("locations", "organization_id", oid)
            ]
            return {
                **row,
                "phones": self.related("phones", "organization_id", oid),
                "locations": locations,
                "organization_identifiers": self.related(
                    "organization_identifiers", "organization_id", oid
                ),
                "attributes": self.related("attributes", "link_id", oid),
                "metadata": self.related("metadata", "resource_id", oid),
                "services": self.related("services", "organization_id", oid),
            }
        if table == "services":
            return {
                **row,
                "phones": self.related("phones", "service_id", oid),
                "service_areas": self.related("service_areas", "service_id", oid),
                "service_at_locations": self.related("service_at_locations", "service_id", oid),
                "attributes": self.related("attributes", "link_id", oid),
                "metadata": self.related("metadata", "resource_id", oid),
            }
        return row


def hsda(request: Request) -> Hsda:
    found: Hsda = request.app.state.hsda
    return found


def page_of(rows: Sequence[Mapping[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    """One page of a list in HSDA's shape."""
    total = len(rows)
    pages = math.ceil(total / per_page) if total else 0
    contents = list(rows[(page - 1) * per_page : page * per_page])
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": per_page,
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _list_endpoint(table: str) -> None:
    def listing(
        request: Request,
        page: int = Query(1, ge=1, le=1_000_000),
        per_page: int = Query(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE),
        search: str = Query("", max_length=200),
    ) -> JSONResponse:
        rows = hsda(request).tables[table]
        if search:
            needle = search.casefold()
            rows = [r for r in rows if needle in str(r.get("name", "")).casefold()]
        return JSONResponse(page_of(rows, page, per_page))

    def one(item_id: str, request: Request) -> JSONResponse:
        h = hsda(request)
        row = h.by_id[table].get(item_id)
        if row is None:
            return error_response("not_found", f"no {table[:-1]} with id {item_id[:40]!r}", 404)
        return JSONResponse(h.detail(table, row))

    listing.__doc__ = f"A paginated list of {table} (HSDA 3.0)."
    one.__doc__ = f"One of the {table}, by its id (HSDA 3.0)."
    router.add_api_route(f"/{table}", listing, methods=["GET"], tags=["hsda"], name=table)
    router.add_api_route(
        f"/{table}/{{item_id}}", one, methods=["GET"], tags=["hsda"], name=f"{table}_one"
    )


for _table in HSDA_TABLES:
    _list_endpoint(_table)
