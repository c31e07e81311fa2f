"""Verify, purge, export and import the referral records (private; see records.py).

Purge design: rows of ``event``, ``referral`` and ``referral_concern`` can only be deleted
while the one row of ``purge_gate`` is 1 (SQLite triggers refuse otherwise). The purge opens
the gate, deletes, and closes it again **inside its one transaction**, so no other connection
ever sees it open and a failed purge leaves it closed. PostgreSQL's trigger function
(migration 0002) reads the same gate: the open row is the purge's uncommitted write, which no
other transaction sees, and its row lock makes a second purge wait.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _records_schema as t
from ._records_chain import OPEN_STATUSES, first_bad_seq, genesis_hash
from ._records_models import PurgeReport, VerifyReport
from ._records_schema import sa
from .editing import atomic_write
from .errors import ArgumentError, DataFileError, RecordsAccessError, expect_path

__all__ = ["backup", "export", "export_fhir", "import_lines", "purge", "verify_chains"]

_EXPORTED = (t.consent, t.referral, t.referral_concern, t.event, t.chain_head)
"""The tables an export carries, in the order an import inserts them."""


def verify_chains(c: sa.Connection) -> VerifyReport:
    """Re-walk every chain (see :func:`referral._records_chain.first_bad_seq`)."""
    from .records import BrokenChain, VerifyReport  # noqa: PLC0415

    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in c.execute(sa.select(t.event).order_by(t.event.c.referral, t.event.c.seq)):
        events[e.referral].append(dict(e._mapping))
    concerns: dict[str, list[str]] = defaultdict(list)
    for r in c.execute(sa.select(t.referral_concern).order_by(t.referral_concern.c.position)):
        concerns[r.referral].append(r.concern)
    heads = {h.referral: (h.seq, h.hash) for h in c.execute(sa.select(t.chain_head))}
    broken = []
    seen = set()
    for row in c.execute(sa.select(t.referral).order_by(t.referral.c.id)):
        seen.add(row.id)
        genesis = genesis_hash(dict(row._mapping), concerns[row.id])
        bad = first_bad_seq(genesis, events[row.id], heads.get(row.id))
        if bad is not None:
            broken.append(BrokenChain(referral=row.id, seq=bad[0], problem=bad[1]))
    for orphan in sorted((set(events) | set(heads)) - seen):
        broken.append(BrokenChain(referral=orphan, seq=0, problem="the referral row is missing"))
    total = sum(len(v) for v in events.values())
    return VerifyReport(referrals=len(seen), events=total, broken=tuple(broken))


def _closed_before(c: sa.Connection, cutoff: dt.datetime) -> list[Any]:
    last = (
        sa.select(t.event.c.referral, sa.func.max(t.event.c.seq).label("seq"))
        .group_by(t.event.c.referral)
        .subquery()
    )
    rows = c.execute(
        sa.select(t.referral, t.event.c.status, t.event.c.reason, t.event.c.at)
        .join(last, last.c.referral == t.referral.c.id)
        .join(t.event, (t.event.c.referral == last.c.referral) & (t.event.c.seq == last.c.seq))
        .where(t.event.c.at < cutoff)
    )
    return [r for r in rows if r.status not in OPEN_STATUSES]


def purge(c: sa.Connection, cutoff: dt.datetime, *, dry_run: bool) -> PurgeReport:
    """Reduce each referral closed before ``cutoff`` to one outcome fact and delete it."""
    from .records import PurgeReport  # noqa: PLC0415

    old = _closed_before(c, cutoff)
    ids = [r.id for r in old]
    events = 0
    if ids:
        events = c.execute(
            sa.select(sa.func.count()).select_from(t.event).where(t.event.c.referral.in_(ids))
        ).scalar_one()
    report = PurgeReport(
        dry_run=dry_run, cutoff=cutoff, referrals=len(ids), events=events, facts=len(ids)
    )
    if dry_run or not ids:
        return report
    first = {
        r.referral: r.concern
        for r in c.execute(
            sa.select(t.referral_concern).where(
                t.referral_concern.c.referral.in_(ids), t.referral_concern.c.position == 0
            )
        )
    }
    c.execute(
        t.outcome_fact.insert(),
        [
            {
                "month": r.created_at.strftime("%Y-%m"),
                "ward": r.ward,
                "concern": first[r.id],
                "kind": r.kind,
                "outcome": r.status,
                "reason": r.reason,
            }
            for r in old
        ],
    )
    c.execute(t.purge_gate.update().values(open=1))
    for table in (t.event, t.chain_head, t.referral_concern):
        c.execute(table.delete().where(table.c.referral.in_(ids)))
    c.execute(t.referral.delete().where(t.referral.c.id.in_(ids)))
    c.execute(t.purge_gate.update().values(open=0))
    c.execute(t.access_log.update().where(t.access_log.c.referral.in_(ids)).values(referral=None))
    return report


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def export(c: sa.Connection, path: object, *, include_meeting: bool) -> int:
    """Write every row of the exported tables as one JSON line ``{"table": ..., "row": ...}``."""
    kept = sa.select(t.referral.c.id)
    if not include_meeting:
        kept = kept.where(t.referral.c.basis != "meeting_106_6")
    ids = {rid for (rid,) in c.execute(kept)}
    lines = []
    for table in _EXPORTED:
        for row in c.execute(sa.select(table)):
            values = dict(row._mapping)
            owner = values.get("referral", values.get("id"))
            if table is not t.consent and owner not in ids:
                continue
            lines.append(
                json.dumps(
                    {"table": table.name, "row": {k: _plain(v) for k, v in values.items()}},
                    ensure_ascii=False,
                    sort_keys=True,
                )
            )
    atomic_write(expect_path(path), ("\n".join(lines) + "\n").encode(), mode=0o600)
    return len(lines)


def export_fhir(
    c: sa.Connection,
    path: object,
    names: Mapping[str, str],
    *,
    include_meeting: bool,
    at: dt.datetime,
) -> int:
    """Write the referrals as a FHIR R4 ``Bundle`` of ``Task`` resources; return how many."""
    from ._records_fhir import bundle  # noqa: PLC0415
    from ._records_rows import read_records  # noqa: PLC0415

    kept = [r for r in read_records(c) if include_meeting or r.basis != "meeting_106_6"]
    atomic_write(expect_path(path), bundle(kept, names, at=at).encode(), mode=0o600)
    return len(kept)


def import_lines(c: sa.Connection, path: object) -> int:
    """Insert the rows of an export (each checked by the database's constraints)."""
    where = expect_path(path)
    tables = {table.name: table for table in _EXPORTED}
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    text = Path(where).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            table = tables[item["table"]]
            row = {col.name: item["row"][col.name] for col in table.columns}
        except (ValueError, KeyError, TypeError):
            raise DataFileError(where, f"line {number} is not a records row") from None
        for col in table.columns:
            if isinstance(col.type, sa.DateTime) and row[col.name] is not None:
                row[col.name] = dt.datetime.fromisoformat(row[col.name])
        rows[table.name].append(row)
    for table in _EXPORTED:
        if rows[table.name]:
            try:
                c.execute(table.insert(), rows[table.name])
            except sa.exc.IntegrityError:
                raise ArgumentError(
                    f"{where}: a {table.name} row is invalid or already held: nothing was written"
                ) from None
    return len(rows[t.referral.name])


def backup(engine: sa.Engine, path: object) -> int:
    """Copy a SQLite records file, while it is in use, to ``path``; return its referrals.

    ``VACUUM INTO`` writes one consistent snapshot of the committed records (the ``-wal``
    file's included) into a new file with no free pages — so nothing deleted survives in
    the copy — beside ``path``; the copy is checked (``PRAGMA integrity_check``), made
    owner-only (0600) and renamed over ``path`` in one step: a failed backup leaves an
    earlier one intact. A PostgreSQL database is backed up with ``pg_dump``.
    """
    if engine.dialect.name != "sqlite":
        raise ArgumentError(
            "a PostgreSQL records database is backed up with pg_dump (see SECURITY.md)"
        )
    dest = Path(expect_path(path)).resolve()
    source = Path(str(engine.url.database)).resolve()
    if dest == source or dest.name.startswith(f"{source.name}-"):
        raise ArgumentError(f"{dest}: a backup cannot replace the records file or its -wal")
    if dest.exists() and not dest.is_file():
        raise RecordsAccessError(f"{dest}: not a file (a folder or a special file)")
    if not dest.parent.is_dir() or not os.access(dest.parent, os.W_OK):
        raise RecordsAccessError(f"{dest.parent}: the backup's folder cannot be written")
    tmp = dest.with_name(f".{dest.name}.backup-{secrets.token_hex(8)}.tmp")
    try:
        with engine.connect() as c:
            c.exec_driver_sql("VACUUM INTO ?", (str(tmp),))
        copy = sqlite3.connect(tmp)
        try:
            (ok,) = copy.execute("PRAGMA integrity_check").fetchone()
            (n,) = copy.execute("SELECT count(*) FROM referral").fetchone()
        finally:
            copy.close()
        if ok != "ok":
            raise RecordsAccessError(f"{dest}: the copy did not pass SQLite's integrity check")
        tmp.chmod(0o600)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(dest)
    except OSError as exc:
        raise RecordsAccessError(
            f"{dest}: could not write the backup ({exc.strerror or exc}); an earlier one is intact"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return int(n)
