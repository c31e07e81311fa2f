"""Gap analysis from outcomes: what happened to referrals, per body × concern × ward (private).

For each cell (the body referred to, the referral's main concern, the ward) the report
counts the funnel (referred → accepted → contacted → served, and the ways out), the median
days from the referral to the body's first response, and the no-response, decline and served
rates with Wilson 95% intervals. A cell of fewer than :data:`MIN_CELL` referrals is
suppressed: its counts are not shown, so no one household can be picked out. Entries made in
error are left out. Referrals already reduced to outcome facts by retention are not in it
(they keep no body id); a later part adds them by kind.

Examples
--------
>>> r = wilson(3, 10)
>>> (round(r.value, 2), round(r.low, 3), round(r.high, 3))
(0.3, 0.108, 0.603)
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, Final

from pydantic import Field

from . import _records_schema as t
from ._records_schema import sa
from .models import Model

__all__ = ["MIN_CELL", "Z95", "FunnelCell", "Rate", "outcome_report", "wilson"]

MIN_CELL: Final = 5
"""Cells with fewer referrals than this are suppressed."""
Z95: Final = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""
_RESPONSES: Final = frozenset({"accepted", "contacted", "served", "declined"})
"""The statuses that show the body answered."""
_FUNNEL: Final = ("accepted", "contacted", "served")


class Rate(Model):
    """A proportion and its Wilson 95% interval."""

    value: float = Field(ge=0, le=1)
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)


class FunnelCell(Model):
    """The outcomes of the referrals of one body × concern × ward (``None``: suppressed)."""

    agency: str
    concern: str
    ward: str
    suppressed: bool
    referred: int | None = None
    accepted: int | None = None
    contacted: int | None = None
    served: int | None = None
    declined: int | None = None
    no_response: int | None = None
    withdrawn: int | None = None
    open: int | None = None
    median_days_to_response: float | None = None
    no_response_rate: Rate | None = None
    decline_rate: Rate | None = None
    served_rate: Rate | None = None
    decline_reasons: dict[str, int] = Field(default_factory=dict)


def wilson(successes: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval of ``successes`` out of ``n`` (``n`` > 0)."""
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Rate(value=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def _cell(key: tuple[str, str, str], histories: list[tuple[dt.datetime, list[Any]]]) -> FunnelCell:
    agency, concern, ward = key
    n = len(histories)
    if n < MIN_CELL:
        return FunnelCell(agency=agency, concern=concern, ward=ward, suppressed=True)
    reached: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    days = []
    for created, events in histories:
        statuses = {e.status for e in events}
        reached.update(statuses)
        reasons.update(e.reason for e in events if e.reason is not None)
        first = next((e.at for e in events if e.status in _RESPONSES), None)
        if first is not None:
            days.append((first - created).total_seconds() / 86400)
    for step in ("contacted", "accepted"):  # a later step means the earlier one was passed
        later = _FUNNEL[_FUNNEL.index(step) + 1 :]
        reached[step] = sum(1 for _, ev in histories if {e.status for e in ev} & {step, *later})
    last = Counter(ev[-1].status for _, ev in histories)
    return FunnelCell(
        agency=agency,
        concern=concern,
        ward=ward,
        suppressed=False,
        referred=n,
        **{s: reached[s] for s in (*_FUNNEL, "declined", "no_response", "withdrawn")},
        open=sum(last[s] for s in ("referred", "accepted", "contacted")),
        median_days_to_response=statistics.median(days) if days else None,
        no_response_rate=wilson(reached["no_response"], n),
        decline_rate=wilson(reached["declined"], n),
        served_rate=wilson(reached["served"], n),
        decline_reasons=dict(sorted(reasons.items())),
    )


def outcome_report(c: sa.Connection) -> list[FunnelCell]:
    """The funnel of every body × main concern × ward cell, sorted by its key."""
    main = {
        r.referral: r.concern
        for r in c.execute(sa.select(t.referral_concern).where(t.referral_concern.c.position == 0))
    }
    events: dict[str, list[Any]] = defaultdict(list)
    for e in c.execute(sa.select(t.event).order_by(t.event.c.referral, t.event.c.seq)):
        events[e.referral].append(e)
    cells: dict[tuple[str, str, str], list[tuple[dt.datetime, list[Any]]]] = defaultdict(list)
    for r in c.execute(sa.select(t.referral)):
        history = events[r.id]
        if any(e.status == "entered_in_error" for e in history):
            continue
        cells[(r.agency, main[r.id], r.ward)].append((r.created_at, history))
    return [_cell(key, cells[key]) for key in sorted(cells)]


def rows(cells: Iterable[FunnelCell]) -> list[list[Any]]:
    """The report as table rows (a suppressed cell shows ``<5``)."""
    out = []
    for c in cells:
        shown = f"<{MIN_CELL}" if c.suppressed else ""
        rate = c.no_response_rate
        out.append(
            [
                c.agency,
                c.concern,
                c.ward,
                shown or c.referred,
                shown or c.accepted,
                shown or c.served,
                shown or c.declined,
                shown or c.no_response,
                "" if c.median_days_to_response is None else f"{c.median_days_to_response:.1f}",
                "" if rate is None else f"{rate.value:.0%} ({rate.low:.0%}–{rate.high:.0%})",
            ]
        )
    return out
