"""Reading and appending the rows of the referral records (private; see records.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import _records_schema as t
from ._records_chain import chained_event
from ._records_models import ReferralRecord
from ._records_schema import sa
from .errors import UnknownReferralError

__all__ = ["append", "heads", "last", "read_records"]


def last(c: sa.Connection, referral_id: str) -> tuple[str, int, str]:
    """The latest status of a referral, the seq of that event and its hash."""
    row = c.execute(
        sa.select(t.event.c.status, t.event.c.seq, t.event.c.hash)
        .where(t.event.c.referral == referral_id)
        .order_by(t.event.c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        raise UnknownReferralError("referral", referral_id)
    return str(row.status), int(row.seq), str(row.hash)


def append(
    c: sa.Connection,
    referral_id: str,
    status: str,
    reason: str | None,
    at: dt.datetime,
    *,
    first: bool = False,
) -> None:
    head = c.execute(sa.select(t.chain_head).where(t.chain_head.c.referral == referral_id)).one()
    seq = 0 if first else head.seq + 1
    row = chained_event(referral_id, seq, status, reason, at, head.hash)
    c.execute(t.event.insert().values(**row))
    c.execute(
        t.chain_head.update()
        .where(t.chain_head.c.referral == referral_id)
        .values(seq=seq, hash=row["hash"])
    )


def heads(c: sa.Connection) -> list[tuple[str, str, dt.datetime]]:
    """Each referral's latest status and when the referral was made."""
    last = (
        sa.select(t.event.c.referral, sa.func.max(t.event.c.seq).label("seq"))
        .group_by(t.event.c.referral)
        .subquery()
    )
    rows = c.execute(
        sa.select(t.referral.c.id, t.event.c.status, t.referral.c.created_at)
        .join(last, last.c.referral == t.referral.c.id)
        .join(t.event, (t.event.c.referral == last.c.referral) & (t.event.c.seq == last.c.seq))
        .order_by(t.referral.c.created_at, t.referral.c.id)
    )
    return [(r.id, r.status, r.created_at) for r in rows]


def read_records(c: sa.Connection) -> list[ReferralRecord]:
    concerns: dict[str, list[str]] = {}
    for r in c.execute(sa.select(t.referral_concern).order_by(t.referral_concern.c.position)):
        concerns.setdefault(r.referral, []).append(r.concern)
    last: dict[str, Any] = {}
    for e in c.execute(sa.select(t.event).order_by(t.event.c.seq)):
        last[e.referral] = e
    out = []
    for r in c.execute(sa.select(t.referral).order_by(t.referral.c.created_at, t.referral.c.id)):
        e = last[r.id]
        out.append(
            ReferralRecord(
                id=r.id,
                household=r.household,
                agency=r.agency,
                kind=r.kind,
                ward=r.ward,
                concerns=tuple(concerns.get(r.id, ())),
                basis=r.basis,
                scope=r.scope,
                created_at=r.created_at,
                status=e.status,
                reason=e.reason,
                updated_at=e.at,
            )
        )
    return out
