"""The referral records on a real PostgreSQL server (tests/pg_server.py; skipped without one).

The API tests of tests/test_records.py run on both backends already; these check what is
PostgreSQL's own: TRUNCATE, moving records between the backends, and a pg_dump's contents.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

import pg_server as pg
import sqlalchemy as sa
from test_records_privacy import CALLS, CANARY, MARKS

from referral import Directory
from referral.cli import main
from referral.errors import ArgumentError, RecordsAccessError, ReferralError
from referral.records import Records

AGENCY = "nishi.ward_office"
DAY = dt.datetime(2026, 1, 5, 9, 0)


def _fill(r: Records) -> None:
    """Referrals in every state: on consent and on a support meeting, open and closed."""
    scope = r.give_consent()
    statuses = [(), ("accepted",), ("accepted", "contacted", "served"), ("declined",)]
    for i in range(12):
        basis = {"basis": "consent", "scope": scope} if i % 2 else {"basis": "meeting_106_6"}
        rid = r.record(AGENCY, ["hoarding", "isolation"][: 1 + i % 2], **basis)  # type: ignore[arg-type]
        for status in statuses[i % 4]:
            r.update(rid, status, "waitlist" if status == "declined" else None)


def _hashes(r: Records) -> dict[str, list[str]]:
    with r._engine.connect() as c:
        rows = c.exec_driver_sql("SELECT referral, seq, hash FROM event ORDER BY referral, seq")
        found: dict[str, list[str]] = {}
        for referral, _seq, digest in rows:
            found.setdefault(referral, []).append(digest)
    return found


def test_truncate_is_refused_on_postgresql(pg_url: str) -> None:
    with Records.open(pg_url, clock=lambda: DAY) as r:
        r.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        for table in ("event", "referral_concern", "referral"):
            with r._engine.connect() as c, pytest.raises(sa.exc.IntegrityError, match="TRUNCATE"):
                c.exec_driver_sql(f"TRUNCATE {table} CASCADE")
        assert len(r.referrals()) == 1


def test_sqlite_to_postgresql_and_back_keeps_every_hash(tmp_path: Path, pg_url: str) -> None:
    with Records.open(tmp_path / "a.sqlite", clock=lambda: DAY, role="member") as a:
        _fill(a)
        a.export(tmp_path / "a.jsonl", include_meeting=True)
        before = _hashes(a)
        report = a.report()
    with Records.open(pg_url, clock=lambda: DAY, role="member") as pg:
        assert pg.import_(tmp_path / "a.jsonl") == len(before) == 12
        assert _hashes(pg) == before and pg.verify().ok
        assert pg.report() == report  # the outcome report is the same on both
        pg.export(tmp_path / "pg.jsonl", include_meeting=True)
    assert (tmp_path / "pg.jsonl").read_text() == (tmp_path / "a.jsonl").read_text()
    with Records.open(tmp_path / "b.sqlite", clock=lambda: DAY) as b:
        b.import_(tmp_path / "pg.jsonl")
        assert _hashes(b) == before and b.verify().ok


def test_an_import_already_held_writes_nothing_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    with Records.open(tmp_path / "a.sqlite", clock=lambda: DAY) as a:
        _fill(a)
        a.export(tmp_path / "a.jsonl")
    with Records.open(pg_url, clock=lambda: DAY) as pg:
        n = pg.import_(tmp_path / "a.jsonl")
        with pytest.raises(ArgumentError, match="already held"):
            pg.import_(tmp_path / "a.jsonl")
        assert len(pg.referrals()) == n


def test_the_canary_leaves_no_trace_in_a_pg_dump(
    tmp_path: Path, pg_server: pg.Server, pg_url: str
) -> None:
    pg_dump = pg.find_bin("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    plan = Directory.load().route(CANARY, area="西区")
    with Records.open(pg_url, clock=lambda: DAY) as r:
        rid = r.record_from_plan(plan, 1, basis="meeting_106_6")  # the plan carries the note
        for _what, call in CALLS:
            with contextlib.suppress(ReferralError):
                call(r, CANARY, rid)
        r.update(rid, "accepted")
    database = sa.make_url(pg_url).database
    assert database is not None
    dump = subprocess.run(
        [pg_dump, *pg_server.psql_args(database)], capture_output=True, check=True
    ).stdout
    assert rid.encode() in dump  # the dump holds the records ...
    assert [m for m in MARKS if m.encode() in dump] == []  # ... and nothing of the canary
    log = (pg_server.folder / "server.log").read_bytes()
    assert [m for m in MARKS if m.encode() in log] == []  # nor does the server's log


def test_a_postgresql_url_on_the_command_line(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["records", "consent", "--db", pg_url, "--json"]) == 0
    scope = json.loads(capsys.readouterr().out)["scope"]
    argv = ["records", "record", AGENCY, "hoarding", "--basis", "consent", "--scope", scope]
    assert main([*argv, "--db", pg_url]) == 0
    assert main(["records", "verify", "--db", pg_url, "--lang", "en"]) == 0
    assert "records intact: 1 referrals, 1 events" in capsys.readouterr().out


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://referral:secret@/nowhere?host={tmp_path}&port=1"
    with pytest.raises(RecordsAccessError, match="cannot connect") as caught:
        Records.open(url)
    assert "secret" not in str(caught.value)


def _boundaries(r: Records, clock: list[dt.datetime]) -> None:
    """Referrals at the same instant, answers at exactly 30 days and one microsecond more,
    re-referrals at exactly 90 days and one microsecond more, some entered in error (the
    records wait 31 days for an answer)."""
    households = [f"{i:032x}" for i in range(1, 4)]
    made = []
    for i, gap in enumerate([0, 0, 1, 0, 90 * 86_400_000_000, 1, 86_400_000_000 * 90 + 1] * 2):
        clock[0] += dt.timedelta(microseconds=gap)
        made.append(r.record(AGENCY, ["hoarding"], household=households[i % 3],
                             basis="meeting_106_6"))  # fmt: skip
    created = {x.id: x.created_at for x in r.referrals()}
    for i, rid in enumerate(made[:6]):  # the clock goes back: each answer after its referral
        clock[0] = created[rid] + dt.timedelta(days=30, microseconds=i % 2)
        r.update(rid, ["accepted", "declined", "entered_in_error"][i % 3],
                 "waitlist" if i % 3 == 1 else None)  # fmt: skip
    clock[0] += dt.timedelta(days=29, hours=23, microseconds=999_999)


def test_the_outcome_report_is_the_same_in_sql_on_both_and_as_the_oracle(
    tmp_path: Path, pg_url: str
) -> None:
    from records_oracle import oracle_report  # noqa: PLC0415

    from referral.records_synth import synthetic_referrals  # noqa: PLC0415

    reports = []
    for target in (tmp_path / "a.sqlite", pg_url):
        clock = [DAY.replace(microsecond=123_456)]
        with Records.open(target, clock=lambda c=clock: c[0], no_response_days=31) as r:  # type: ignore[misc]
            _boundaries(r, clock)
            synthetic_referrals(target, 400, seed=5, start=DAY - dt.timedelta(days=200))
            got = (r.report(), r.report(ward="西区"))
            r.expire()
            with r._engine.connect() as c:
                assert got[0] == oracle_report(c)
            assert got[1] == [x for x in got[0] if x.ward == "nishi"]
            reports.append(got)
    assert reports[0] == reports[1]
    assert any(not x.suppressed and x.re_referred for x in reports[0][0])
