"""The outcome report as it was first written, in Python: the oracle the SQL one is held to.

:func:`oracle_report` reads every event into Python and builds each body × main concern ×
ward cell as :mod:`referral._records_report` documents. It is slow (every row crosses into
Python) but plain to read, so the tests compare :func:`referral._records_report.outcome_report`
with it on generated histories. It reads the records as they are: a referral overdue for an
answer counts as ``no_response`` only once :meth:`referral.records.Records.expire` has written
that event, so a test calls ``expire()`` before asking the oracle.

The one change from the first version: referrals are read in ``(created_at, id)`` order, not
``created_at`` alone, so that of two referrals of a household made at the same instant the
one with the smaller id is the earlier (the first version left that to the database).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa

from referral import _records_schema as t
from referral._records_report import ANSWER_DAYS, LOOP_DAYS, MIN_CELL, FunnelCell, wilson

__all__ = ["oracle_report"]

_RESPONSES = frozenset({"accepted", "contacted", "served", "declined"})
_FUNNEL = ("accepted", "contacted", "served")

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


def oracle_report(c: sa.Connection) -> list[FunnelCell]:
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
        for r in c.execute(sa.select(t.referral).order_by(t.referral.c.created_at, t.referral.c.id))
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
