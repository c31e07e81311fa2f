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

A funnel step counts a referral that reached it or a later one; ``open`` counts the
referrals whose last status is ``referred``, ``accepted`` or ``contacted``. The first
response is the first ``accepted``, ``contacted``, ``served`` or ``declined`` event (by
seq); its days are ``timedelta.total_seconds() / 86400``. Of two referrals of a household
made at the same instant, the one with the smaller id is the earlier. A referral still
``referred`` after the waiting time is counted as ``no_response`` (and not open) when the
report is given that instant, as :meth:`referral.records.Records.expire` would mark it.

:func:`outcome_report` counts it all in one SQL statement on SQLite or PostgreSQL
(``tests/records_oracle.py`` keeps the first version, in Python, that the tests hold it
to).

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
from collections import Counter
from collections.abc import Iterable
from typing import Any, Final

from pydantic import Field

from . import _records_schema as t
from ._records_codes import ANSWER_DAYS, LOOP_DAYS, MIN_CELL, STATUSES, rate_text
from ._records_schema import sa
from ._suggest import suggest
from .errors import UnknownVocabularyError, expect_str
from .models import Area, Model

__all__ = [
    "ANSWER_DAYS",
    "LOOP_DAYS",
    "MIN_CELL",
    "Z95",
    "FunnelCell",
    "Rate",
    "outcome_report",
    "rows",
    "ward_id",
    "wilson",
]

Z95: Final = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""
_RESPONSES: Final = ("accepted", "contacted", "served", "declined")
"""The statuses that show the body answered."""


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


def ward_id(c: sa.Connection, areas: Iterable[Area], text: object) -> str:
    """The ward id that ``text`` names, for :meth:`referral.records.Records.report`.

    ``text`` is a ward's (or the city's) id or its name in Japanese or English, as the
    directory ``areas`` hold them, or any ward id the records hold (a body's area outside
    the directory keeps its own). Anything else raises
    :class:`~referral.errors.UnknownVocabularyError` with the nearest ids and names.
    """
    key = expect_str(text, "ward").strip()
    wards = [a for a in areas if a.kind in {"ward", "city"}]
    for a in wards:
        if key in {a.id, a.name.ja} or key.casefold() == a.name.en.casefold():
            return a.id
    held = c.execute(sa.select(t.referral.c.id).where(t.referral.c.ward == key).limit(1))
    if held.first() is not None:
        return key
    names = [name for a in wards for name in (a.id, a.name.ja)]
    raise UnknownVocabularyError("ward", key, suggestions=suggest(key, names))


def outcome_report(
    c: sa.Connection, *, overdue_before: dt.datetime | None = None, ward: str | None = None
) -> list[FunnelCell]:
    """The funnel of every body × main concern × ward cell, sorted by its key, counted in SQL.

    Parameters
    ----------
    c
        A connection to the records (SQLite or PostgreSQL).
    overdue_before
        A referral still ``referred`` that was made at or before this instant counts as
        ``no_response`` (closed, not open), as if :meth:`referral.records.Records.expire`
        had written that event; nothing is written. ``None``: only the events held count.
    ward
        Only the cells of this ward id (as the records hold it). Its re-referral loops
        still see a household's later referral to a body of another ward.

    Returns
    -------
    list[FunnelCell]
        One cell per body × main concern × ward, sorted by that key (code point order, the
        same on both databases); a cell of fewer than :data:`MIN_CELL` referrals suppressed.

    Notes
    -----
    One statement, whatever the number of referrals: a ``GROUP BY`` per referral over its
    events (the set of statuses reached as bits, the last status, the seq of the first
    answer, the decline reasons), a ``LEAD`` window over each household's referrals of a
    concern for the loops, and a ``GROUP BY`` per cell. The wait for each first answer comes
    back as whole microseconds, one list per cell, and its days are reckoned in Python as
    ``timedelta.total_seconds() / 86400`` is, so both databases give the same floats.
    """
    cells = [_cell(r) for r in c.execute(_statement(c.dialect.name, overdue_before, ward))]
    return sorted(cells, key=lambda x: (x.agency, x.concern, x.ward))


_BIT: Final = {status: 1 << i for i, status in enumerate(STATUSES)}
"""Each status as one bit of the set of statuses a referral reached."""
_LAST: Final = {"referred": 0, "accepted": 1, "contacted": 2}
"""The code of a referral's last status (any other: 3), kept in ``seq * 4 + code``."""
_STEPS: Final = {
    "accepted": ("accepted", "contacted", "served"),  # a later step passes the earlier ones
    "contacted": ("contacted", "served"),
    "served": ("served",),
    "declined": ("declined",),
    "no_response": ("no_response",),
    "withdrawn": ("withdrawn",),
}
"""Each count of the funnel and the statuses any of which puts a referral in it."""
_SUMMED: Final = (*_STEPS, "open", "re_referred")
"""The per-referral flags that a cell sums."""
_SEP: Final = ","


def _in_ward(ward: str, *, households: bool) -> sa.ColumnElement[bool]:
    """Whether a referral is one a ward's report reads: its own, or (``households``) any
    referral of a household it referred, since a loop may end in another ward.
    """
    r = t.referral
    if not households:
        return r.c.ward == ward
    return r.c.household.in_(sa.select(r.c.household).where(r.c.ward == ward).scalar_subquery())


def _per_referral(ward: str | None) -> sa.Subquery:
    """One row per referral from its events: the set of statuses it reached (a bit each),
    its last status (the code of the event of the highest seq), the seq of its first
    answer and its decline reasons (``,``-joined; ``NULL``: none).
    """
    e = t.event
    bit = sa.case(*((e.c.status == s, b) for s, b in _BIT.items()), else_=0)
    code = sa.case(*((e.c.status == s, n) for s, n in _LAST.items()), else_=len(_LAST))
    q = sa.select(
        e.c.referral,
        sa.func.sum(sa.distinct(bit)).label("reached"),
        sa.func.max(e.c.seq * (len(_LAST) + 1) + code).label("last_code"),
        sa.func.min(sa.case((e.c.status.in_(_RESPONSES), e.c.seq))).label("first_answer"),
        sa.func.aggregate_strings(e.c.reason, _SEP).label("reasons"),
    ).group_by(e.c.referral)
    if ward is not None:
        r = t.referral
        q = q.where(e.c.referral.in_(sa.select(r.c.id).where(_in_ward(ward, households=True))))
    return q.subquery("per_referral")


def _plus_loop_days(dialect: str, at: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``at`` + :data:`LOOP_DAYS` days, exactly (to the microsecond) on each database."""
    if dialect == "sqlite":  # SQLAlchemy keeps 'YYYY-MM-DD HH:MM:SS.ffffff': move the date
        day = sa.func.date(sa.func.substr(at, 1, 10), f"+{LOOP_DAYS} days", type_=sa.String)
        return day + sa.func.substr(at, 11, type_=sa.String)
    return at + sa.literal(dt.timedelta(days=LOOP_DAYS), sa.Interval())


def _microseconds(
    dialect: str, start: sa.ColumnElement[Any], end: sa.ColumnElement[Any]
) -> sa.ColumnElement[Any]:
    """``end - start`` in whole microseconds, exactly, as text."""
    if dialect == "sqlite":  # whole seconds by strftime (no fraction: it rounds to ms)

        def seconds(at: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
            return sa.cast(sa.func.strftime("%s", sa.func.substr(at, 1, 19)), sa.Integer)

        def fraction(at: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
            return sa.cast(sa.func.substr(at, 21), sa.Integer)

        us = (seconds(end) - seconds(start)) * 1_000_000 + fraction(end) - fraction(start)
    else:  # EXTRACT(EPOCH FROM interval) is an exact numeric from PostgreSQL 14
        us = sa.cast(sa.extract("epoch", end - start) * 1_000_000, sa.BigInteger)
    return sa.cast(us, sa.String)


def _statement(dialect: str, overdue_before: dt.datetime | None, ward: str | None) -> Any:
    """Each cell's counts, its decline reasons and its waits for a first answer: one row
    per referral not entered in error (its cell, the counts it is in, whether it is open,
    whether the household was referred again for its main concern within the loop), summed
    per cell.
    """
    r, k = t.referral, t.referral_concern
    per = _per_referral(ward)
    answer = t.event.alias("answer")
    code = per.c.last_code % (len(_LAST) + 1)
    overdue: sa.ColumnElement[bool] = (
        sa.false()
        if overdue_before is None
        else sa.and_(code == _LAST["referred"], r.c.created_at <= overdue_before)
    )
    next_at = sa.func.lead(r.c.created_at).over(
        partition_by=(r.c.household, k.c.concern), order_by=(r.c.created_at, r.c.id)
    )

    def reached(*statuses: str) -> sa.ColumnElement[bool]:
        return per.c.reached.bitwise_and(sum(_BIT[s] for s in statuses)) != 0

    flags = {name: reached(*statuses) for name, statuses in _STEPS.items()}
    flags["no_response"] = sa.or_(flags["no_response"], overdue)
    flags["open"] = sa.and_(code < len(_LAST), sa.not_(overdue))
    flags["re_referred"] = next_at <= _plus_loop_days(dialect, r.c.created_at)
    kept = (
        sa.select(
            r.c.agency,
            k.c.concern,
            r.c.ward,
            *(sa.case((flag, 1), else_=0).label(name) for name, flag in flags.items()),
            per.c.reasons,
            _microseconds(dialect, r.c.created_at, answer.c.at).label("waited"),
        )
        .select_from(
            r.join(k, (k.c.referral == r.c.id) & (k.c.position == 0))
            .join(per, per.c.referral == r.c.id)
            .outerjoin(answer, (answer.c.referral == r.c.id) & (answer.c.seq == per.c.first_answer))
        )
        .where(sa.not_(reached("entered_in_error")))
        .subquery("kept")
    )
    q = sa.select(
        kept.c.agency,
        kept.c.concern,
        kept.c.ward,
        sa.func.count().label("referred"),
        *(sa.func.sum(kept.c[name]).label(name) for name in _SUMMED),
        sa.func.aggregate_strings(kept.c.reasons, _SEP).label("reasons"),
        sa.func.aggregate_strings(kept.c.waited, _SEP).label("waited"),
    ).group_by(kept.c.agency, kept.c.concern, kept.c.ward)
    return q if ward is None else q.where(kept.c.ward == ward)


def _split(text: str | None) -> list[str]:
    return [] if text is None else text.split(_SEP)


def _cell(row: Any) -> FunnelCell:
    """A cell from its row of :func:`_statement`."""
    n = int(row.referred)
    key = {"agency": row.agency, "concern": row.concern, "ward": row.ward}
    if n < MIN_CELL:
        return FunnelCell(**key, suppressed=True)
    summed = {name: int(row._mapping[name]) for name in _SUMMED}
    days = [int(us) / 10**6 / 86400 for us in _split(row.waited)]  # as timedelta does it
    return FunnelCell(
        **key,
        suppressed=False,
        referred=n,
        **{name: summed[name] for name in (*_STEPS, "open")},
        median_days_to_response=statistics.median(days) if days else None,
        answered_in_time=sum(1 for d in days if d <= ANSWER_DAYS),
        re_referred=summed["re_referred"],
        no_response_rate=wilson(summed["no_response"], n),
        decline_rate=wilson(summed["declined"], n),
        served_rate=wilson(summed["served"], n),
        decline_reasons=dict(sorted(Counter(_split(row.reasons)).items())),
    )


def rows(cells: Iterable[FunnelCell]) -> list[list[Any]]:
    """The report as table rows (a suppressed cell shows ``<5``)."""
    out = []
    for c in cells:
        shown = f"<{MIN_CELL}" if c.suppressed else ""
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
                rate_text(c.no_response_rate),
            ]
        )
    return out
