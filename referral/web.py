"""The web page for coordinators: route a note from a browser, print a referral sheet, look
up a body, an area's network and a ward's gaps; with a JSON API and a read-only Open
Referral HSDA 3.0 API (``pip install 'referral[web]'``, then ``referral serve``).

Japanese first (``?lang=en`` or the language switch gives English). Every page works
without JavaScript: notes travel only in the body of a POST form, never in an address.
Nothing is fetched from another host; templates escape every value.

>>> from referral import Directory
>>> from referral.web import create_app
>>> app = create_app(Directory.load())
>>> sorted(p for p in app.openapi()["paths"] if p.startswith("/api/"))
['/api/agencies/{agency_id}', '/api/areas', '/api/match', '/api/route']
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, _web_api
from ._cli_errors import error_code, localise
from ._lang import in_lang
from ._messages import Lang, web_labels
from ._web_api import HSDA_TABLES, Hsda, error_response
from ._web_guard import MAX_BODY_BYTES, Guard, Headers
from ._web_records import outcome_rows, plan_extras
from ._web_views import (
    agency_view,
    area_options,
    area_view,
    concerns_view,
    gaps_view,
    plan_view,
    safety_view,
)
from .advice import advisory
from .directory import Directory
from .errors import (
    NoConcernError,
    NoteTooLongError,
    ReferralError,
    UnknownAgencyError,
    UnknownAreaError,
)
from .matching import MAX_NOTE_CHARS

__all__ = ["create_app"]

HERE = Path(__file__).resolve().parent
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every value escaped: an imported file may carry HTML
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def create_app(
    directory: Directory,
    *,
    token: str | None = None,
    lang: Lang = "ja",
    host: str = "127.0.0.1",
    records: object = None,
) -> FastAPI:
    """The web app over ``directory``.

    Parameters
    ----------
    directory
        The directory it answers from (read only; one is shared by every request).
    token
        When given, every request must carry it (``Authorization: Bearer …``, or the cookie
        a page visited once with ``?token=…`` sets); without it the app answers only
        requests addressed to a loopback host name.
    lang
        The pages' language when a request does not choose one.
    host
        The address served (shown on the API page).
    records
        A referral records file (SQLite): each plan card then has a form to record the
        referral, and ``/records`` lists the open ones (see :mod:`referral._web_records`).
    """
    app = FastAPI(
        title="referral",
        version=__version__,
        description="Route a welfare concern through Yokohama's support network (read only; "
        "notes are never stored).",
        docs_url=None,  # Swagger UI would load from a CDN: /docs is a page of our own
        redoc_url=None,
    )
    app.state.directory = directory
    app.state.hsda = Hsda(directory)
    app.state.lang = lang
    app.state.host = host
    app.include_router(_web_api.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _add_pages(app)
    app.state.records = None
    if records is not None:
        from ._web_records import add_record_pages  # noqa: PLC0415
        from .records import Records  # noqa: PLC0415 - the records extra is optional

        app.state.records = Records.open(records, document=directory.document)
        add_record_pages(app, _page, _lang)
    _add_error_handlers(app)
    app.add_middleware(Guard, token=token)
    app.add_middleware(Headers)
    return app


# -- helpers -----------------------------------------------------------------------------
def _lang(request: Request, given: object = None) -> Lang:
    value = given if given is not None else request.query_params.get("lang")
    if value in ("ja", "en"):
        return "en" if value == "en" else "ja"
    default: Lang = request.app.state.lang
    return default


def _page(
    request: Request, template: str, lang: Lang, status: int = 200, **values: Any
) -> HTMLResponse:
    d: Directory = request.app.state.directory
    other: Lang = in_lang(lang, "en", "ja")
    query = {k: v for k, v in request.query_params.items() if k not in ("lang", "token")}
    here = request.url.path
    if status >= HTTPStatus.BAD_REQUEST:  # an error page never repeats what was asked
        query, here = {}, "/"
    html = _env.get_template(template).render(
        lang=lang,
        other=other,
        L=web_labels(lang),
        data_date=d.document.data_date.isoformat(),
        switch_href=here + "?" + urlencode({**query, "lang": other}),
        q=in_lang(lang, "", "?lang=en"),
        **values,
    )
    return HTMLResponse(html, status)


def _form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class _Form:
    """What the route form sent: the note, the area, the age, the concerns, the view."""

    def __init__(self, form: FormData, lang: Lang) -> None:
        self.note = _form_text(form, "note").replace("\r\n", "\n")
        self.area = _form_text(form, "area").strip()
        self.age_text = _form_text(form, "age").strip()
        self.concerns = [c for c in form.getlist("concerns") if isinstance(c, str) and c]
        self.view = "full" if _form_text(form, "view") == "full" else "short"
        self.include_note = _form_text(form, "include_note") == "1"
        self.lang = lang
        self.keep_note = True  # shown again in the form (a sheet without it: never)

    def age_ok(self) -> bool:
        """An age is blank or a whole number from 0 to 130."""
        text = self.age_text
        return not text or (text.isascii() and text.isdigit() and int(text) <= 130)  # noqa: PLR2004

    def age(self) -> int | None:
        return int(self.age_text) if self.age_text else None

    def values(self) -> dict[str, Any]:
        """The fields to show again (the note is kept in the form, never in an address)."""
        return {
            "note": self.note if self.keep_note else "",
            "area": self.area,
            "age": self.age_text,
            "concerns": self.concerns,
            "view": self.view,
        }


async def _read_form(request: Request) -> _Form:
    form = await request.form(max_files=0, max_fields=100, max_part_size=MAX_BODY_BYTES)
    return _Form(form, _lang(request, form.get("lang")))


def _plan_or_error(request: Request, f: _Form) -> tuple[Any, Response | None]:
    """The plan a form asks for, or the front page again with the error and the form."""
    d: Directory = request.app.state.directory
    L = web_labels(f.lang)
    if not f.note.strip() and not f.concerns:
        return None, _form_error(request, f, "empty_note", L["empty_note"], 422)
    if not f.area:
        return None, _form_error(request, f, "empty_area", L["empty_area"], 422)
    if not f.age_ok():
        return None, _form_error(request, f, "bad_age", L["bad_age"], 422)
    try:
        if f.concerns:
            plan = d.route(f.concerns, area=f.area, age=f.age(), note=f.note.strip() or None)
        else:
            plan = d.route(f.note, area=f.area, age=f.age())
    except UnknownAreaError as exc:  # no plan, but safety still first
        clues = d.read(f.note).safety if f.note.strip() else ()
        return None, _library_error(request, f, exc, safety=[advisory(c) for c in clues])
    except ReferralError as exc:
        return None, _library_error(request, f, exc)
    return plan, None


def _library_error(
    request: Request, f: _Form, exc: ReferralError, safety: list[Any] | None = None
) -> HTMLResponse:
    localise(exc, f.lang)
    if isinstance(exc, NoConcernError):  # the command line's words name --concern
        exc.args = (web_labels(f.lang)["no_concern"],)
    status = 422 if isinstance(exc, NoteTooLongError) else _web_api.status_of(exc)
    return _form_error(
        request, f, error_code(exc), str(exc), status, safety=safety_view(safety or [], f.lang)
    )


def _form_error(
    request: Request,
    f: _Form,
    code: str,
    message: str,
    status: int,
    safety: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    d: Directory = request.app.state.directory
    return _page(
        request,
        "index.html",
        f.lang,
        status,
        form=f.values(),
        error={"code": code, "message": message},
        safety=safety or [],
        options=area_options(d, f.lang),
        concerns=concerns_view(d, f.lang),
        max_note=MAX_NOTE_CHARS,
    )


# -- pages -------------------------------------------------------------------------------
def _add_pages(app: FastAPI) -> None:
    """Register the pages: the plan's (route, plan, sheet), then the directory's."""
    _add_plan_pages(app)
    _add_directory_pages(app)


def _add_plan_pages(app: FastAPI) -> None:
    """The route form, the plan and the referral sheet (notes only ever in a POST body)."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        d: Directory = request.app.state.directory
        lang = _lang(request)
        empty = {"note": "", "area": "", "age": "", "concerns": [], "view": "short"}
        return _page(
            request, "index.html", lang, form=empty, error=None, safety=[],
            options=area_options(d, lang), concerns=concerns_view(d, lang),
            max_note=MAX_NOTE_CHARS,
        )  # fmt: skip

    @app.post("/route", response_class=HTMLResponse, include_in_schema=False)
    async def route_page(request: Request) -> Response:
        f = await _read_form(request)
        plan, error = await run_in_threadpool(_plan_or_error, request, f)  # not on the loop
        if error is not None:
            return error
        d: Directory = request.app.state.directory
        return _page(
            request, "plan.html", f.lang, form=f.values(), plan=plan_view(d, plan, f.lang),
            **plan_extras(request, plan),
        )  # fmt: skip

    @app.post("/sheet", response_class=HTMLResponse, include_in_schema=False)
    async def sheet_page(request: Request) -> Response:
        f = await _read_form(request)
        f.keep_note = f.include_note
        plan, error = await run_in_threadpool(_plan_or_error, request, f)
        if error is not None:
            return error
        d: Directory = request.app.state.directory
        return _page(
            request, "sheet.html", f.lang, form=f.values(), plan=plan_view(d, plan, f.lang),
            include_note=f.include_note, printed=dt.date.today().isoformat(),
        )  # fmt: skip


def _add_directory_pages(app: FastAPI) -> None:
    """A body, an area, the concerns, a ward's gaps and the API's documentation."""

    @app.get("/agencies/{agency_id}", response_class=HTMLResponse, include_in_schema=False)
    def agency_page(agency_id: str, request: Request) -> HTMLResponse:
        lang = _lang(request)
        try:
            view = agency_view(request.app.state.directory, agency_id, lang)
        except ReferralError as exc:
            return _not_found(request, lang, exc)
        return _page(request, "agency.html", lang, agency=view)

    @app.get("/areas/{area_id}", response_class=HTMLResponse, include_in_schema=False)
    def area_page(area_id: str, request: Request) -> HTMLResponse:
        lang = _lang(request)
        try:
            view = area_view(request.app.state.directory, area_id, lang)
        except ReferralError as exc:
            return _not_found(request, lang, exc)
        return _page(request, "area.html", lang, area=view)

    @app.get("/concerns", response_class=HTMLResponse, include_in_schema=False)
    def concerns_page(request: Request) -> HTMLResponse:
        lang = _lang(request)
        return _page(
            request,
            "concerns.html",
            lang,
            concerns=concerns_view(request.app.state.directory, lang),
        )

    @app.get("/gaps", response_class=HTMLResponse, include_in_schema=False)
    def gaps_page(request: Request, ward: str = "") -> HTMLResponse:
        d: Directory = request.app.state.directory
        lang = _lang(request)
        wards = _wards(d, lang)
        if not ward.strip():
            return _page(request, "gaps.html", lang, gaps=None, wards=wards, error=None)
        try:
            view = gaps_view(d, ward[:200], lang)
        except ReferralError as exc:
            localise(exc, lang)
            error = {"code": error_code(exc), "message": str(exc)}
            return _page(request, "gaps.html", lang, 400, gaps=None, wards=wards, error=error)
        outcomes = outcome_rows(request, view["ward"], lang)
        return _page(
            request, "gaps.html", lang, gaps=view, wards=wards, error=None, outcomes=outcomes
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs_page(request: Request) -> HTMLResponse:
        lang = _lang(request)
        paths = request.app.openapi()["paths"]
        endpoints = [
            (
                method.upper(),
                path,
                (op.get("description") or op.get("summary") or "").split("\n")[0],
            )
            for path, ops in paths.items()
            for method, op in ops.items()
        ]
        return _page(request, "docs.html", lang, endpoints=endpoints, hsda=HSDA_TABLES)


def _wards(d: Directory, lang: Lang) -> list[dict[str, str]]:
    """The wards to choose from on the gaps page, by id."""
    return [
        {"id": a.id, "name": a.name.get(lang)}
        for a in sorted(d.areas, key=lambda a: a.id)
        if a.kind == "ward"
    ]


def _not_found(request: Request, lang: Lang, exc: ReferralError) -> HTMLResponse:
    localise(exc, lang)
    status = 404 if isinstance(exc, UnknownAgencyError | UnknownAreaError) else 400
    return _page(
        request, "error.html", lang, status, error={"code": error_code(exc), "message": str(exc)}
    )


# -- errors ------------------------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.split("/")[1] in HSDA_TABLES or path == "/openapi.json"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer quotes the input (the note): say where and what, not the value
        problems = [
            ".".join(str(p) for p in e.get("loc", ()) if p != "body") + ": " + str(e.get("msg"))
            for e in exc.errors()[:5]
        ]
        return error_response("usage", "; ".join(problems) or "invalid request", 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if _wants_json(request):
            return error_response(code, str(exc.detail), exc.status_code)
        lang = _lang(request)
        error = {"code": code, "message": web_labels(lang)["not_found"]}
        return _page(request, "error.html", lang, exc.status_code, error=error)
