"""Synthetic referral records with outcomes, seeded and deterministic (for tests and benchmarks).

:func:`synthetic_referrals` writes ``n`` referrals into a records file, each with a history
that the state machine allows (served, declined with a coded reason, no response after the
waiting time, still open, withdrawn) and a valid hash chain, so :meth:`Records.verify
<referral.records.Records.verify>` holds and :meth:`Records.report
<referral.records.Records.report>` has something to say. Each body gets its own
responsiveness, so the report shows gaps; a share of the households are referred again for
the same concern within weeks (a re-referral loop). Every token is random; nothing here is a
real person or case.

Needs the optional extra: ``pip install 'referral[records]'``.

Examples
--------
>>> import tempfile, pathlib
>>> from referral.records import Records
>>> path = pathlib.Path(tempfile.mkdtemp()) / "synthetic.sqlite"
>>> synthetic_referrals(path, 200, seed=1)
200
>>> with Records.open(path) as r:
...     cells = r.report()
...     r.verify().ok, sum(c.referred or 0 for c in cells) <= 200
(True, True)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any, Final

from . import _records_schema as t
from ._records_chain import chained_event, genesis_hash
from ._records_store import connect, upgrade
from .errors import expect_int
from .models import Document

__all__ = ["PAIRS", "synthetic_referrals"]

PAIRS: Final = (
    ("ward_welfare_section", "hoarding"),
    ("hoarding_liaison", "hoarding"),
    ("ward_elderly_disability_section", "dementia"),
    ("ward_livelihood_section", "eighty_fifty"),
    ("comprehensive_support_center", "isolation"),
)
"""The (kind of body, concern) pairs the generated referrals are drawn from."""
_WARDS: Final = ("nishi", "naka", "minami", "kohoku", "totsuka", "aoba")
_BATCH: Final = 5000
_EXPIRED: Final = 0.9
"""The share of unanswered referrals already past the waiting time."""
_ON_CONSENT: Final = 0.5
_OUTCOMES: Final = ((0.2, "declined"), (0.25, "withdrawn"), (0.75, "served"), (0.85, "contacted"))
_OUTCOMES_END: Final = ((1.0, "accepted"),)
_REREFER: Final = 0.08
"""The share of referrals that refer a household already referred for that concern."""


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _path(rng: random.Random, answers: float) -> list[tuple[str, str | None, int]]:
    """One referral's later events as (status, reason, days after the referral)."""
    if rng.random() > answers:  # silence: past the waiting time, or still waiting
        return [("no_response", None, 30)] if rng.random() < _EXPIRED else []
    first = max(1, int(rng.expovariate(1 / 6)))
    roll = rng.random()
    end = next(status for share, status in (*_OUTCOMES, *_OUTCOMES_END) if roll < share)
    if end in {"declined", "withdrawn"}:
        return [(end, rng.choice(t.DECLINE_REASONS) if end == "declined" else None, first)]
    steps: list[tuple[str, str | None, int]] = [("accepted", None, first)]
    if end != "accepted":
        steps.append(("contacted", None, first + rng.randint(1, 10)))
    if end == "served":
        steps.append(("served", None, first + rng.randint(11, 60)))
    return steps


def _bodies(document: Document | None) -> list[tuple[str, str, str, str]]:
    """(agency id, kind, ward, concern) of every pair's body in each ward that holds one."""
    if document is None:
        from .validation import bundled_document  # noqa: PLC0415

        document = bundled_document()
    known = {a.id: a.kind for a in document.agencies}
    out = []
    for ward in _WARDS:
        for kind, concern in PAIRS:
            agency = f"{ward}.{kind}"
            if known.get(agency) == kind:
                out.append((agency, kind, ward, concern))
    return out


def synthetic_referrals(
    path: object,
    n: int,
    *,
    seed: int = 0,
    start: dt.datetime = dt.datetime(2025, 4, 1),
    days: int = 365,
    document: Document | None = None,
) -> int:
    """Write ``n`` generated referrals with outcomes into the records file ``path``.

    The referrals are made over ``days`` days from ``start``; half are on consent (one
    written consent per household), half by a 106-6 support meeting. The same ``seed``
    gives the same file. Returns the number of referrals written.
    """
    expect_int(n, "n", minimum=0)
    expect_int(days, "days", minimum=1)
    rng = random.Random(seed)
    bodies = _bodies(document)
    answers = {b[0]: rng.uniform(0.35, 0.95) for b in bodies}
    engine = connect(path)
    upgrade(engine)
    recent: list[tuple[str, str, str | None, dt.datetime]] = []  # household, concern, scope
    rows: dict[str, list[dict[str, Any]]] = {"referral": [], "concern": [], "event": []}
    rows |= {"head": [], "consent": []}
    try:
        for i in range(n):
            agency, kind, ward, concern = rng.choice(bodies)
            created = start + dt.timedelta(minutes=rng.randrange(days * 24 * 60))
            again = [h for h in recent[-200:] if h[1] == concern] if rng.random() < _REREFER else []
            if again:
                household, _, scope, _ = rng.choice(again)
                created = max(created, again[-1][3])
            else:
                household = _hex(rng)
                scope = _hex(rng) if rng.random() < _ON_CONSENT else None
                if scope is not None:
                    rows["consent"].append({"scope": scope, "form": "written", "given_at": created})
            recent.append((household, concern, scope, created))
            row: dict[str, Any] = {
                "id": _hex(rng),
                "household": household,
                "agency": agency,
                "kind": kind,
                "ward": ward,
                "plan_hash": hashlib.sha256(f"{seed}:{i}".encode()).hexdigest(),
                "rank": 1,
                "basis": "consent" if scope else "meeting_106_6",
                "scope": scope,
                "created_at": created,
            }
            rows["referral"].append(row)
            rows["concern"].append({"referral": row["id"], "position": 0, "concern": concern})
            prev = genesis_hash(row, [concern])
            history = [("referred", None, 0), *_path(rng, answers[agency])]
            for seq, (status, reason, after) in enumerate(history):
                at = created + dt.timedelta(days=after)
                rows["event"].append(chained_event(row["id"], seq, status, reason, at, prev))
                prev = rows["event"][-1]["hash"]
            rows["head"].append({"referral": row["id"], "seq": len(history) - 1, "hash": prev})
            if len(rows["referral"]) >= _BATCH or i == n - 1:
                _flush(engine, rows)
    finally:
        engine.dispose()
    return n


def _flush(engine: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables = {
        "consent": t.consent,
        "referral": t.referral,
        "concern": t.referral_concern,
        "head": t.chain_head,
        "event": t.event,
    }
    with engine.begin() as c:
        for key, table in tables.items():
            if rows[key]:
                c.execute(table.insert(), rows[key])
            rows[key].clear()
