"""verify() catches every single-row edit or deletion, over 10,000 generated chains."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from referral import _records_schema as schema
from referral._records_chain import NEXT, chained_event, genesis_hash
from referral.records import Records
from referral.vocabulary import CONCERN_IDS

CHAINS = 10_000
TRIGGERS = (
    "event_no_update",
    "event_no_delete",
    "referral_no_update",
    "referral_no_delete",
    "referral_concern_no_update",
    "referral_concern_no_delete",
)


def _chain(rng: random.Random, n: int) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    start = dt.datetime(2025, 1, 1) + dt.timedelta(minutes=rng.randrange(500_000))
    row: dict[str, Any] = {
        "id": rng.randbytes(16).hex(),
        "household": rng.randbytes(16).hex(),
        "agency": "nishi.ward_office",
        "kind": "ward_office",
        "ward": "nishi",
        "plan_hash": rng.randbytes(32).hex(),
        "rank": 1,
        "basis": "meeting_106_6",
        "scope": None,
        "created_at": start,
    }
    concerns = rng.sample(CONCERN_IDS, rng.randint(1, 3))
    prev = genesis_hash(row, concerns)
    events = []
    status = "referred"
    for seq in range(n):
        if seq:
            status = rng.choice(sorted(NEXT[status]))
        reason = rng.choice(schema.DECLINE_REASONS) if status == "declined" else None
        at = start + dt.timedelta(days=seq)
        events.append(chained_event(row["id"], seq, status, reason, at, prev))
        prev = events[-1]["hash"]
        if status not in NEXT:
            break
    return row, concerns, events


def _tamper(c: sqlite3.Connection, rng: random.Random, rid: str, events: int) -> int:
    """Change or delete one row of the chain ``rid``; the seq verify must report."""
    k = rng.randrange(events)
    match rng.randrange(6):
        case 0:
            c.execute(
                "UPDATE event SET at = '2030-01-01 00:00:00' WHERE referral=? AND seq=?", (rid, k)
            )
        case 1:
            c.execute("UPDATE event SET hash = ? WHERE referral=? AND seq=?", ("0" * 64, rid, k))
        case 2:
            c.execute(
                "UPDATE event SET prev_hash = ? WHERE referral=? AND seq=?", ("1" * 64, rid, k)
            )
        case 3:
            c.execute("DELETE FROM event WHERE referral=? AND seq=?", (rid, k))
        case 4:
            c.execute("UPDATE referral SET rank = rank + 1 WHERE id=?", (rid,))
            return 0
        case _:
            c.execute("DELETE FROM referral_concern WHERE referral=? AND position=0", (rid,))
            return 0
    return k


def test_verify_catches_every_single_row_change(tmp_path: Path) -> None:
    db = tmp_path / "chains.sqlite"
    Records.open(db).close()
    rng = random.Random(16)
    expected: dict[str, int] = {}
    with sqlite3.connect(db) as c:
        for name in TRIGGERS:
            c.execute(f"DROP TRIGGER {name}")
        chains = [_chain(rng, rng.randint(1, 5)) for _ in range(CHAINS)]
        c.executemany(
            "INSERT INTO referral VALUES (:id, :household, :agency, :kind, :ward, :plan_hash, "
            ":rank, :basis, :scope, :created_at)",
            [{**row, "created_at": row["created_at"].isoformat(" ")} for row, _, _ in chains],
        )
        c.executemany(
            "INSERT INTO referral_concern VALUES (?, ?, ?)",
            [(row["id"], i, k) for row, concerns, _ in chains for i, k in enumerate(concerns)],
        )
        c.executemany(
            "INSERT INTO event VALUES (:referral, :seq, :status, :reason, :at, :prev_hash, :hash)",
            [{**e, "at": e["at"].isoformat(" ")} for _, _, events in chains for e in events],
        )
        c.executemany(
            "INSERT INTO chain_head VALUES (?, ?, ?)",
            [(row["id"], events[-1]["seq"], events[-1]["hash"]) for row, _, events in chains],
        )
    with Records.open(db) as r:
        assert r.verify().ok  # every generated chain holds before it is touched
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA foreign_keys=OFF")
        for row, _, events in chains:
            expected[row["id"]] = _tamper(c, rng, row["id"], len(events))
    with Records.open(db) as r:
        report = r.verify()
    found = {b.referral: b.seq for b in report.broken}
    assert found == expected
