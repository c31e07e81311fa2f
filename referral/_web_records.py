"""The referral records on the coordinators' page (private; ``referral serve --records DB``).

With a records file, each plan card carries a small form, *record this referral*: it posts
to ``/records`` the agency id, the concern ids, the plan's hash and rank, a household token
(typed, or a new random one) and the basis (consent or a 106-6 support meeting) — never the
note. ``/records`` lists the open referrals with their age in days, each with a form to
record its next status (and a coded reason for a decline). A refused change shows the error
with its code and writes nothing. Without ``--records`` none of this exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ._cli_errors import error_code, localise
from ._lang import Lang
from ._plan_models import ReferralPlan
from ._records_codes import DECLINE_REASONS, RECORDABLE, rate_text
from ._web_api import status_of
from .errors import ReferralError

__all__ = ["STATUSES", "add_record_pages", "outcome_rows", "plan_extras"]

STATUSES = RECORDABLE
"""The statuses a coordinator may record (``no_response`` is set by the records)."""


def plan_extras(request: Request, plan: ReferralPlan) -> dict[str, Any]:
    """What the plan page needs for the record forms: nothing without records."""
    if getattr(request.app.state, "records", None) is None:
        return {}
    from .records import plan_hash  # noqa: PLC0415 - the records extra is optional

    return {"records": {"plan_hash": plan_hash(plan)}}


def outcome_rows(request: Request, ward: str, lang: Lang) -> list[dict[str, Any]] | None:
    """The outcome report's cells of ``ward`` for the gaps page (``None`` without records):
    per body and concern the funnel, the median days to a first answer and the no-response
    rate; a cell of fewer than 5 referrals shows no figure.
    """
    records = getattr(request.app.state, "records", None)
    if records is None:
        return None
    d = request.app.state.directory
    names = {a.id: a.name for a in d.agencies}
    concerns = {c.id: c.name for c in d.concerns}
    rows = []
    for c in records.report(ward=ward):  # the ward's cells only, chosen in the database
        rows.append(
            {
                "agency": c.agency,
                "name": names[c.agency].get(lang) if c.agency in names else c.agency,
                "concern": concerns[c.concern].get(lang) if c.concern in concerns else c.concern,
                "suppressed": c.suppressed,
                "funnel": [c.referred, c.accepted, c.contacted, c.served],
                "median": ""
                if c.median_days_to_response is None
                else f"{c.median_days_to_response:g}",
                "no_response": rate_text(c.no_response_rate),
            }
        )
    return rows


def _figure(days: float | None) -> str:
    return "" if days is None else f"{days:g}"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _record(records: Any, form: FormData) -> dict[str, str]:
    """Record the referral a card's form sent; return its id and any new consent scope."""
    basis = _text(form, "basis")
    scope = _text(form, "scope") or None
    made = ""
    if basis == "consent" and scope is None:  # consent just given: a new scope for the form
        scope = made = records.give_consent(form="written")
    rank = _text(form, "rank")
    rid = records.record(
        _text(form, "agency"),
        [c for c in form.getlist("concerns") if isinstance(c, str) and c],
        household=_text(form, "household") or None,
        basis=basis,
        scope=scope if basis == "consent" else None,
        plan_hash=_text(form, "plan_hash") or None,
        rank=int(rank) if rank.isdigit() and 0 < int(rank) < 1000 else 1,  # noqa: PLR2004
    )
    return {"id": rid, "scope": made, "status": ""}


def _rows(records: Any, lang: Lang, names: dict[str, Any]) -> list[dict[str, Any]]:
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    out = []
    for r in records.open_referrals():
        name = names.get(r.agency)
        out.append(
            {
                "id": r.id,
                "agency": r.agency,
                "name": name.get(lang) if name is not None else r.agency,
                "concerns": list(r.concerns),
                "basis": r.basis,
                "status": r.status,
                "age_days": (today - r.created_at).days,
            }
        )
    return out


def add_record_pages(
    app: FastAPI, page: Callable[..., HTMLResponse], lang_of: Callable[..., Lang]
) -> None:
    """Register ``/records`` (list, record) and ``/records/{id}`` (update) on ``app``.

    ``page`` renders a template as :func:`referral.web._page` does; ``lang_of`` reads the
    request's language as :func:`referral.web._lang` does.
    """

    def show(
        request: Request,
        lang: Lang,
        status: int = 200,
        done: dict[str, str] | None = None,
        error: dict[str, str] | None = None,
    ) -> HTMLResponse:
        records = request.app.state.records
        names = {a.id: a.name for a in request.app.state.directory.agencies}
        rows = _rows(records, lang, names)
        return page(
            request, "records.html", lang, status, rows=rows, done=done, error=error,
            statuses=STATUSES, reasons=DECLINE_REASONS,
        )  # fmt: skip

    def refused(request: Request, lang: Lang, exc: ReferralError) -> HTMLResponse:
        localise(exc, lang)
        status = 409 if error_code(exc) == "transition" else status_of(exc)
        error = {"code": error_code(exc), "message": str(exc)}
        return show(request, lang, status, error=error)

    @app.get("/records", response_class=HTMLResponse, include_in_schema=False)
    def records_page(request: Request) -> HTMLResponse:
        return show(request, lang_of(request))

    @app.post("/records", response_class=HTMLResponse, include_in_schema=False)
    async def record_page(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=100)
        lang = lang_of(request, form.get("lang"))
        try:
            done = await run_in_threadpool(_record, request.app.state.records, form)
        except ReferralError as exc:
            return refused(request, lang, exc)
        return show(request, lang, 201, done=done)

    @app.post("/records/{referral_id}", response_class=HTMLResponse, include_in_schema=False)
    async def update_page(referral_id: str, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=20)
        lang = lang_of(request, form.get("lang"))
        status = _text(form, "status")
        reason = _text(form, "reason") or None
        try:
            await run_in_threadpool(
                request.app.state.records.update,
                referral_id,
                status,
                reason if status == "declined" else None,
            )
        except ReferralError as exc:
            return refused(request, lang, exc)
        return show(request, lang, done={"id": referral_id, "status": status, "scope": ""})
