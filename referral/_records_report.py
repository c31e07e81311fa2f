"""Gap analysis from outcomes: what happened to referrals, per body × concern × ward (private).

For each cell (the body referred to, the referral's main concern, the ward) the report
counts the funnel (referred → accepted → contacted → served, and the ways out), the median
days from the referral to the body's first response, and the no-response, decline and served
rates with Wilson 95% intervals, how many the body answered within :data:`ANSWER_DAYS` days, and
the re-referral loops: referrals after which the same household was referred again for the
same main concern within :data:`LOOP_DAYS` days (counted in the cell of the earlier one, whose
referral did not close the loop). A cell of fewer than :data:`MIN_CELL` referrals is
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

__all__ = [
    "ANSWER_DAYS",
    "LOOP_DAYS",
    "MIN_CELL",
    "Z95",
    "FunnelCell",
    "Rate",
    "outcome_report",
    "wilson",
]

MIN_CELL: Final = 5
"""Cells with fewer referrals than this are suppressed."""
ANSWER_DAYS: Final = 30
"""A first response within this many days counts as answered in time."""
LOOP_DAYS: Final = 90
"""A second referral of a household for the same concern within this many days is a loop."""
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
    answered_in_time: int | None = None
    re_referred: int | None = None
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


_History = tuple[dt.datetime, list[Any], bool]
"""When a referral was made, its events, and whether a re-referral followed it."""


def _cell(key: tuple[str, str, str], histories: list[_History]) -> FunnelCell:
    agency, concern, ward = key
    n = len(histories)
    if n < MIN_CELL:
        return FunnelCell(agency=agency, concern=concern, ward=ward, suppressed=True)
    reached: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    days = []
    for created, events, _ in histories:
        statuses = {e.status for e in events}
        reached.update(statuses)
        reasons.update(e.reason for e in events if e.reason is not None)
        first = next((e.at for e in events if e.status in _RESPONSES), None)
        if first is not None:
            days.append((first - created).total_seconds() / 86400)
    for step in ("contacted", "accepted"):  # a later step means the earlier one was passed
        later = _FUNNEL[_FUNNEL.index(step) + 1 :]
        reached[step] = sum(1 for _, ev, _ in histories if {e.status for e in ev} & {step, *later})
    last = Counter(ev[-1].status for _, ev, _ in histories)
    return FunnelCell(
        agency=agency,
        concern=concern,
        ward=ward,
        suppressed=False,
        referred=n,
        **{s: reached[s] for s in (*_FUNNEL, "declined", "no_response", "withdrawn")},
        open=sum(last[s] for s in ("referred", "accepted", "contacted")),
        median_days_to_response=statistics.median(days) if days else None,
        answered_in_time=sum(1 for d in days if d <= ANSWER_DAYS),
        re_referred=sum(1 for _, _, again in histories if again),
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
    kept = [
        r
        for r in c.execute(sa.select(t.referral).order_by(t.referral.c.created_at))
        if not any(e.status == "entered_in_error" for e in events[r.id])
    ]
    later: dict[tuple[str, str], dt.datetime] = {}
    again = set()
    for r in reversed(kept):  # newest first: the next referral of the household is known
        key = (r.household, main[r.id])
        if key in later and later[key] - r.created_at <= dt.timedelta(days=LOOP_DAYS):
            again.add(r.id)
        later[key] = r.created_at
    cells: dict[tuple[str, str, str], list[_History]] = defaultdict(list)
    for r in kept:
        cells[(r.agency, main[r.id], r.ward)].append((r.created_at, events[r.id], r.id in again))
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
