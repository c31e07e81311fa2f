"""The referral records on a real PostgreSQL server (tests/pg_server.py; skipped without one).

The API tests of tests/test_records.py run on both backends already; these check what is
PostgreSQL's own: TRUNCATE, moving records between the backends, a pg_dump's contents, the
group roles' privileges (as LOGIN roles made members of them), the authenticated role, and
that a purge's VACUUM (FULL) leaves no purged token in the table files.
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
from referral._records_roles import PURGED_TABLES
from referral.cli import main
from referral.errors import ArgumentError, RecordsAccessError, ReferralError
from referral.records import DEFAULT_NO_RESPONSE_DAYS, GroupRoles, Records

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


# -- group roles: privileges, authenticated roles, and secure deletion ---------------------

_REFUSED = [  # what the application role may never do, whatever the triggers
    "UPDATE event SET status = 'served'",
    "DELETE FROM event",
    "TRUNCATE event CASCADE",
    "UPDATE referral SET agency = 'x'",
    "DELETE FROM referral",
    "TRUNCATE referral CASCADE",
    "UPDATE referral_concern SET concern = 'food'",
    "DELETE FROM referral_concern",
    "UPDATE chain_head SET referral = referral",
    "DELETE FROM chain_head",
    "UPDATE consent SET form = 'verbal'",
    "DELETE FROM consent",
    "UPDATE access_log SET role = 'auditor'",
    "DELETE FROM access_log",
    "UPDATE purge_gate SET open = 1",
    "INSERT INTO outcome_fact (month, ward, concern, kind, outcome) "
    "VALUES ('2026-01', 'nishi', 'hoarding', 'ward_office', 'served')",
    "ALTER TABLE event DISABLE TRIGGER ALL",
    "DROP TABLE referral CASCADE",
]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = DAY

    def __call__(self) -> dt.datetime:
        return self.now


def _groups(pg_url: str) -> GroupRoles:
    """Group roles of this test's own (roles are the whole server's, databases are not)."""
    return GroupRoles.with_prefix(f"g_{sa.make_url(pg_url).database}")


def _as(pg_url: str, login: str, *groups: str) -> str:
    """A new LOGIN role (trust: no password), member of ``groups``; its URL."""
    database = sa.make_url(pg_url).database
    name = f"{login}_{database}"
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
        for group in groups:
            c.exec_driver_sql(f"GRANT {group} TO {name}")
    engine.dispose()
    return sa.make_url(pg_url).set(username=name).render_as_string(hide_password=False)


def _roles_named(pg_url: str, prefix: str) -> int:
    engine = sa.create_engine(pg_url)
    with engine.connect() as c:
        found = c.execute(
            sa.text("SELECT count(*) FROM pg_roles WHERE rolname LIKE :p"), {"p": f"{prefix}_%"}
        ).scalar_one()
    engine.dispose()
    return int(found)


def _sqlstate(url: str, sql: str) -> str | None:
    """The SQLSTATE that refuses ``sql`` on a plain connection as the URL's login."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            c.exec_driver_sql(sql)
    except sa.exc.DBAPIError as exc:
        return getattr(exc.orig, "sqlstate", "?")
    finally:
        engine.dispose()
    return None


def _granted(pg_url: str, clock: Clock | None = None) -> tuple[GroupRoles, str]:
    """The owner (the server's superuser) grants the group roles and records one referral."""
    roles = _groups(pg_url)
    with Records.open(pg_url, clock=clock or (lambda: DAY)) as owner:
        statements = owner.grant_roles(roles)
        assert any("REVOKE ALL ON referral" in s for s in statements)
        rid = owner.record(AGENCY, ["hoarding"], basis="meeting_106_6")
    return roles, rid


@pytest.mark.parametrize("triggers", ["kept", "dropped"])
def test_the_application_role_may_only_insert_and_select(pg_url: str, triggers: str) -> None:
    roles, held = _granted(pg_url)
    app = _as(pg_url, "app", roles.app)
    with Records.open(app, roles=roles, clock=lambda: DAY) as r:
        scope = r.give_consent()
        rid = r.record(AGENCY, ["hoarding", "isolation"], basis="consent", scope=scope)
        r.update(rid, "accepted")
        assert {x.id for x in r.open_referrals()} == {held, rid}
        assert r.withdraw_consent(scope) == [rid]
        assert {x.id: x.status for x in r.referrals()} == {held: "referred", rid: "withdrawn"}
        assert r.verify().ok
    if triggers == "dropped":  # the owner drops every trigger: the privileges still refuse
        engine = sa.create_engine(pg_url)
        with engine.begin() as c:
            for table in ("event", "referral", "referral_concern"):
                c.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
                c.exec_driver_sql(f"DROP TRIGGER {table}_no_truncate ON {table}")
            c.exec_driver_sql("DROP TRIGGER purge_gate_one_row ON purge_gate")
        engine.dispose()
        assert _sqlstate(pg_url, "UPDATE purge_gate SET open = 0") is None  # the owner may
    for sql in _REFUSED:
        assert (sql, _sqlstate(app, sql)) == (sql, "42501")  # insufficient_privilege
    with Records.open(pg_url) as owner:
        assert len(owner.referrals()) == 2 and owner.verify().ok


def test_the_auditor_reads_and_verifies_but_writes_no_referral(tmp_path: Path, pg_url: str) -> None:
    roles, held = _granted(pg_url)
    auditor = _as(pg_url, "audit", roles.auditor)
    with Records.open(auditor, role="auditor", roles=roles, clock=lambda: DAY) as r:
        assert r.verify().ok and [x.id for x in r.referrals()] == [held]
        assert r.export(tmp_path / "out.jsonl") == 0  # the one referral is a meeting's
        with pytest.raises(RecordsAccessError, match="permission denied"):
            r.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        with pytest.raises(RecordsAccessError, match="permission denied"):
            r.give_consent()
    insert = (
        "INSERT INTO consent (scope, form, given_at) VALUES (repeat('a', 32), 'written', now())"
    )
    assert _sqlstate(auditor, insert) == "42501"
    with Records.open(pg_url) as owner:
        assert [x.id for x in owner.referrals()] == [held]


def test_the_auditor_lists_and_reports_overdue_referrals_without_writing(pg_url: str) -> None:
    """Overdue referrals count as no response for a reader, who may not write the event."""
    roles, held = _granted(pg_url)
    auditor = _as(pg_url, "late", roles.auditor)
    later = DAY + dt.timedelta(days=DEFAULT_NO_RESPONSE_DAYS + 1)
    with Records.open(auditor, role="auditor", roles=roles, clock=lambda: later) as r:
        assert r.open_referrals() == []
        (cell,) = r.report()
        assert cell.suppressed  # one referral: counted, not shown
        assert [x.status for x in r.referrals()] == ["referred"]  # nothing was written
    with Records.open(pg_url, clock=lambda: later) as owner:
        assert [x.id for x in owner.referrals()] == [held]
        assert [x.status for x in owner.referrals()] == ["referred"]


def test_a_claimed_role_is_checked_against_the_login(tmp_path: Path, pg_url: str) -> None:
    roles = _groups(pg_url)
    loose = _as(pg_url, "loose")
    engine = sa.create_engine(pg_url)
    with engine.begin() as c:  # before the group roles: no check (as before them)
        Records.open(pg_url).close()
        c.exec_driver_sql(
            f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {sa.make_url(loose).username}"
        )
    engine.dispose()
    Records.open(loose, role="member", roles=roles).close()
    _granted(pg_url)
    app = _as(pg_url, "app", roles.app)
    member = _as(pg_url, "member", roles.member)
    nobody = _as(pg_url, "nobody")
    for url, role in [(app, "member"), (app, "system"), (app, "auditor"), (nobody, "coordinator")]:
        with pytest.raises(RecordsAccessError, match="not a member of the group role"):
            Records.open(url, role=role, roles=roles)  # type: ignore[arg-type]
    with pytest.raises(RecordsAccessError, match=roles.member):
        Records.open(loose, role="member", roles=roles)
    with Records.open(member, role="member", roles=roles) as r:  # a member may export it all
        assert r.export(tmp_path / "all.jsonl", include_meeting=True) >= 1
    with Records.open(member, role="coordinator", roles=roles) as r:  # and do the daily work
        r.record(AGENCY, ["hoarding"], basis="meeting_106_6")
    with (
        Records.open(app, role="coordinator", roles=roles) as r,
        pytest.raises(ArgumentError, match="only a member"),
    ):
        r.export(tmp_path / "all.jsonl", include_meeting=True)


def test_only_the_retention_role_purges(pg_url: str) -> None:
    clock = Clock()
    roles, held = _granted(pg_url, clock)
    app = _as(pg_url, "app", roles.app)
    retention = _as(pg_url, "keeper", roles.retention)
    with Records.open(app, roles=roles, clock=clock) as r:
        r.update(held, "withdrawn")
        clock.now += dt.timedelta(days=365 * 3)
        with pytest.raises(RecordsAccessError, match="permission denied"):
            r.purge(dry_run=False)
        assert len(r.referrals()) == 1
    with Records.open(retention, role="system", roles=roles, clock=clock) as r:
        report = r.purge(dry_run=False)
    assert report.referrals == 1
    assert (report.vacuumed, report.not_vacuumed) == ((), PURGED_TABLES)  # not the owner
    with Records.open(pg_url) as owner:
        assert owner.referrals() == [] and owner.verify().ok


def _table_files(server: pg.Server) -> bytes:
    """Every byte of every file under the data folder's ``base/`` (the databases' tables)."""
    files = sorted(p for p in (server.folder / "data" / "base").rglob("*") if p.is_file())
    return b"".join(p.read_bytes() for p in files)


def _checkpoint(pg_url: str) -> None:
    """Write every changed page to the table files (the superuser may)."""
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def test_a_purge_by_the_owner_leaves_no_trace_in_the_table_files(
    pg_server: pg.Server, pg_url: str
) -> None:
    clock = Clock()
    household = "0123456789abcdef" * 2
    with Records.open(pg_url, clock=clock) as r:
        gone = r.record(AGENCY, ["hoarding"], basis="meeting_106_6", household=household)
        kept = r.record(AGENCY, ["isolation"], basis="meeting_106_6")
        r.update(gone, "declined", "waitlist")
        r.update(kept, "accepted")
        _checkpoint(pg_url)
        before = _table_files(pg_server)
        assert gone.encode() in before and household.encode() in before  # the test can see
        clock.now += dt.timedelta(days=365 * 3)
        report = r.purge(dry_run=False)
        assert (report.referrals, report.vacuumed, report.not_vacuumed) == (1, PURGED_TABLES, ())
        assert [x.id for x in r.referrals()] == [kept] and r.verify().ok
    _checkpoint(pg_url)
    after = _table_files(pg_server)
    assert kept.encode() in after
    assert gone.encode() not in after and household.encode() not in after


def test_grant_on_the_command_line(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"c_{sa.make_url(pg_url).database}"
    assert main(["records", "grant", "--db", pg_url, "--print", "--role-prefix", prefix]) == 0
    printed = capsys.readouterr().out
    assert f"GRANT SELECT, INSERT ON referral, referral_concern, event TO {prefix}_app;" in printed
    assert _roles_named(pg_url, prefix) == 0  # --print ran nothing
    assert main(["records", "grant", "--db", pg_url, "--role-prefix", prefix, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["statements"][-1].startswith("GRANT USAGE")
    nobody = _as(pg_url, "nobody")
    argv = ["records", "list", "--db", nobody, "--role-prefix", prefix, "--lang", "en"]
    assert main(argv) == 2
    assert "not a member of the group role" in capsys.readouterr().err
    for extra in ([], ["--print"]):
        assert main(["records", "grant", "--db", str(tmp_path / "p.sqlite"), *extra]) == 2
        assert "triggers" in capsys.readouterr().err


def test_grant_roles_on_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    with Records.open(tmp_path / "p.sqlite") as r, pytest.raises(ArgumentError, match="SQLite"):
        r.grant_roles()


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
