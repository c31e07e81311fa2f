"""The referral records: schema, state machine, consent, retention, export and errors."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from referral import Directory
from referral import _records_schema as schema
from referral import _records_store as store
from referral._records_report import wilson
from referral.errors import (
    ArgumentError,
    RecordsAccessError,
    RecordsSchemaError,
    TransitionError,
    UnknownAgencyError,
    UnknownVocabularyError,
)
from referral.records import FHIR_TASK_STATUS, Records

AGENCY = "nishi.ward_office"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "plaza.sqlite"


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, db: Path) -> Path | str:
    """The records on each backend: a SQLite file, or a new database on a real PostgreSQL
    server (skipped when none can be started; see tests/pg_server.py)."""
    if request.param == "sqlite":
        return db
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def records(target: Path | str, clock: Clock) -> Iterator[Records]:
    with Records.open(target, clock=clock) as r:
        yield r


@contextmanager
def raw(target: Path | str) -> Iterator[sa.Connection]:
    """A plain connection to the records, past the API (as another program would be)."""
    engine = sa.create_engine(target if isinstance(target, str) else f"sqlite:///{target}")
    try:
        with engine.connect() as c:
            yield c
    finally:
        engine.dispose()


def counts(target: Path | str) -> dict[str, int]:
    with raw(target) as c:
        return {
            name: c.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in ("referral", "event", "consent", "referral_concern")
        }


def test_the_api_records_and_updates(records: Records) -> None:
    scope = records.give_consent()
    rid = records.record(AGENCY, ["hoarding"], basis="consent", scope=scope)
    for status in ("accepted", "contacted", "served"):
        records.update(rid, status)
    assert records.open_referrals() == []
    [done] = records.referrals()
    assert (done.status, done.agency, done.kind, done.ward) == (
        "served",
        AGENCY,
        "ward_office",
        "nishi",
    )
    assert records.verify().ok


def test_record_from_plan(records: Records) -> None:
    d = Directory.load()
    plan = d.route("ごみ屋敷で悪臭、住人は高齢の男性", area="西区")
    rid = records.record_from_plan(plan, 1, basis="meeting_106_6")
    [r] = records.open_referrals()
    assert r.id == rid and r.agency == plan.suggestions[0].agency.id and r.scope is None


def test_a_referral_without_a_basis_is_refused_by_the_database(
    records: Records, target: Path | str
) -> None:
    row = {
        "id": "a" * 32,
        "household": "b" * 32,
        "agency": AGENCY,
        "kind": "ward_office",
        "ward": "nishi",
        "plan_hash": "c" * 64,
        "rank": 1,
        "created_at": dt.datetime(2026, 1, 1),
    }
    columns = ", ".join(row)
    values = ", ".join(f":{k}" for k in row)
    with raw(target) as c:
        with pytest.raises(sa.exc.IntegrityError, match=r"(?i)not.null"):
            c.execute(sa.text(f"INSERT INTO referral ({columns}) VALUES ({values})"), row)
        c.rollback()
        with pytest.raises(sa.exc.IntegrityError, match=r"(?i)check"):
            c.execute(
                sa.text(f"INSERT INTO referral ({columns}, basis) VALUES ({values}, :basis)"),
                {**row, "basis": "because"},
            )


@pytest.mark.parametrize(
    ("agency", "concerns", "error", "hint"),
    [
        ("nishi.ward_ofice", ["hoarding"], UnknownAgencyError, "nishi.ward_office"),
        (AGENCY, ["hording"], UnknownVocabularyError, "hoarding"),
    ],
)
def test_unknown_ids_suggest_and_write_nothing(
    records: Records,
    target: Path | str,
    agency: str,
    concerns: list[str],
    error: type[Exception],
    hint: str,
) -> None:
    before = counts(target)
    with pytest.raises(error, match=f"did you mean '{hint}'"):
        records.record(agency, concerns, basis="meeting_106_6")
    assert counts(target) == before


def test_events_are_append_only(records: Records, target: Path | str) -> None:
    records.record(AGENCY, ["hoarding"], basis="meeting_106_6")
    with raw(target) as c:
        for sql in (
            "UPDATE event SET status = 'served'",
            "DELETE FROM event",
            "UPDATE referral SET agency = 'x'",
            "DELETE FROM referral",
            "UPDATE referral_concern SET concern = 'food'",
            "DELETE FROM referral_concern",
            "INSERT INTO purge_gate (open) VALUES (1)",
        ):
            refused = r"append-only|never change|retention purge|one row"
            with pytest.raises(sa.exc.IntegrityError, match=refused):
                c.exec_driver_sql(sql)
            c.rollback()
    assert counts(target)["event"] == 1


@pytest.mark.parametrize(
    ("path", "status", "reason", "message"),
    [
        ((), "served", None, "cannot become served"),
        (("accepted", "contacted", "served"), "accepted", None, "is closed"),
        ((), "declined", None, "needs its reason"),
        ((), "accepted", "waitlist", "only a decline"),
        (("accepted", "contacted"), "declined", "waitlist", "cannot become declined"),
    ],
)
def test_forbidden_moves_raise_and_write_nothing(
    records: Records,
    target: Path | str,
    path: tuple[str, ...],
    status: str,
    reason: str | None,
    message: str,
) -> None:
    rid = records.record(AGENCY, ["hoarding"], basis="meeting_106_6")
    for step in path:
        records.update(rid, step)
    before = counts(target)
    with pytest.raises(TransitionError, match=message):
        records.update(rid, status, reason)
    assert counts(target) == before


def test_a_decline_with_its_reason(records: Records) -> None:
    rid = records.record(AGENCY, ["hoarding"], basis="meeting_106_6")
    records.update(rid, "declined", "waitlist")
    [r] = records.referrals()
    assert (r.status, r.reason) == ("declined", "waitlist")


def test_no_response_after_the_waiting_time(target: Path | str, clock: Clock) -> None:
    with Records.open(target, clock=clock, no_response_days=10) as r:
        rid = r.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        clock.advance(days=9)
        assert [x.id for x in r.open_referrals()] == [rid]
        clock.advance(days=1)
        assert r.open_referrals() == []
        assert r.referrals()[0].status == "no_response"
        with pytest.raises(TransitionError):
            r.update(rid, "no_response")


def test_withdrawing_consent_closes_its_open_referrals(records: Records) -> None:
    scope = records.give_consent()
    other = records.give_consent(form="verbal")
    a = records.record(AGENCY, ["hoarding"], basis="consent", scope=scope)
    b = records.record(AGENCY, ["isolation"], basis="consent", scope=scope)
    c = records.record(AGENCY, ["isolation"], basis="consent", scope=other)
    records.update(b, "declined", "no_capacity")
    assert records.withdraw_consent(scope) == [a]
    assert [r.id for r in records.open_referrals()] == [c]
    with pytest.raises(TransitionError, match="withdrawn"):
        records.record(AGENCY, ["hoarding"], basis="consent", scope=scope)
    assert records.verify().ok


def test_consent_basis_needs_a_scope(records: Records) -> None:
    with pytest.raises(ArgumentError, match="scope"):
        records.record(AGENCY, ["hoarding"], basis="consent")


def test_a_newer_schema_is_refused(db: Path) -> None:
    Records.open(db).close()
    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(RecordsSchemaError, match="newer referral"):
        Records.open(db)


def test_the_migrations_match_the_tables_and_go_down_and_up(target: Path | str) -> None:
    assert ScriptDirectory(str(store.MIGRATIONS)).get_current_head() == store.HEAD
    engine = store.connect(target)
    store.upgrade(engine)
    with engine.connect() as c:
        assert store.revision(c) == store.HEAD
        assert compare_metadata(MigrationContext.configure(c), schema.metadata) == []
    store.downgrade(engine, "base")
    with engine.connect() as c:
        assert sa.inspect(c).get_table_names() == ["alembic_version"]
    store.upgrade(engine)
    with engine.connect() as c:
        assert store.revision(c) == store.HEAD
    engine.dispose()


def test_a_read_only_file_is_refused(db: Path) -> None:
    Records.open(db).close()
    db.chmod(0o444)
    try:
        if os.access(db, os.W_OK):
            pytest.skip("running as a user who can write anything")
        with pytest.raises(RecordsAccessError, match="read-only"):
            Records.open(db)
    finally:
        db.chmod(0o644)


@pytest.mark.parametrize("where", ["folder", "device"])
def test_a_folder_or_a_device_is_no_records_file(tmp_path: Path, where: str) -> None:
    path = tmp_path if where == "folder" else Path("/dev/null")
    if not path.exists():
        pytest.skip("no /dev/null here")
    with pytest.raises(RecordsAccessError, match="not a records file"):
        Records.open(path)


def test_a_locked_file_is_refused_and_nothing_written(db: Path, clock: Clock) -> None:
    Records.open(db).close()
    with Records.open(db, clock=clock):
        locker = sqlite3.connect(db, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            engine = store.connect(db, timeout=0.1)
            fast = Records(
                engine,
                Directory.load().document,
                role="coordinator",
                clock=clock,
                no_response_after=dt.timedelta(days=30),
                retention_months=24,
            )
            with pytest.raises(RecordsAccessError, match="locked"):
                fast.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        finally:
            locker.rollback()
            locker.close()
    assert counts(db)["referral"] == 0


def test_purge_leaves_one_fact_per_old_closed_referral(target: Path | str, clock: Clock) -> None:
    with Records.open(target, clock=clock, retention_months=24) as r:
        old = [r.record(AGENCY, ["hoarding", "isolation"], basis="meeting_106_6") for _ in range(3)]
        r.update(old[0], "declined", "out_of_area")
        r.update(old[1], "withdrawn")
        still_open = old[2]
        clock.advance(days=365 * 2 + 40)
        recent = r.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        r.update(recent, "withdrawn")
        dry = r.purge(dry_run=True)
        assert (dry.referrals, dry.events, dry.facts) == (2, 4, 2)
        assert counts(target)["referral"] == 4
        done = r.purge(dry_run=False)
        assert done.referrals == 2
        ids = {x.id for x in r.referrals()}
        assert ids == {still_open, recent}
        assert r.verify().ok
    with raw(target) as c:
        facts = c.exec_driver_sql(
            "SELECT month, ward, concern, kind, outcome, reason FROM outcome_fact"
        )
        assert sorted(facts.all(), key=str) == [
            ("2026-01", "nishi", "hoarding", "ward_office", "declined", "out_of_area"),
            ("2026-01", "nishi", "hoarding", "ward_office", "withdrawn", None),
        ]
        cutoff = clock.now - dt.timedelta(days=730)
        old_events = c.execute(
            sa.text(
                "SELECT count(*) FROM event e JOIN referral r ON r.id = e.referral "
                "WHERE e.status NOT IN ('referred','accepted','contacted') AND e.at < :cutoff"
            ),
            {"cutoff": cutoff},
        )
        assert old_events.scalar_one() == 0
        assert c.exec_driver_sql("SELECT open FROM purge_gate").scalar_one() == 0


def test_export_and_import_keep_every_hash(tmp_path: Path, clock: Clock) -> None:
    with Records.open(tmp_path / "a.sqlite", clock=clock) as a:
        scope = a.give_consent()
        rid = a.record(AGENCY, ["hoarding"], basis="consent", scope=scope)
        a.update(rid, "accepted")
        secret = a.record(AGENCY, ["elder_abuse"], basis="meeting_106_6")
        n = a.export(tmp_path / "out.jsonl")
        with pytest.raises(ArgumentError, match="member"):
            a.export(tmp_path / "all.jsonl", include_meeting=True)
    text = (tmp_path / "out.jsonl").read_text()
    assert secret not in text and rid in text and n == len(text.splitlines())
    with Records.open(tmp_path / "b.sqlite", clock=clock) as b:
        assert b.import_(tmp_path / "out.jsonl") == 1
        assert [x.id for x in b.referrals()] == [rid] and b.verify().ok
    with Records.open(tmp_path / "a.sqlite", clock=clock, role="member") as m:
        m.export(tmp_path / "all.jsonl", include_meeting=True)
    assert secret in (tmp_path / "all.jsonl").read_text()


def test_an_import_that_breaks_a_chain_writes_nothing(tmp_path: Path, clock: Clock) -> None:
    with Records.open(tmp_path / "a.sqlite", clock=clock) as a:
        rid = a.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        a.update(rid, "accepted")
        a.export(tmp_path / "out.jsonl", include_meeting=False)
    # meeting referrals stay out of an export: record one on consent to have something
    with Records.open(tmp_path / "c.sqlite", clock=clock) as a:
        scope = a.give_consent()
        rid = a.record(AGENCY, ["hoarding"], basis="consent", scope=scope)
        a.update(rid, "accepted")
        a.export(tmp_path / "out.jsonl")
    text = (tmp_path / "out.jsonl").read_text().replace('"accepted"', '"contacted"')
    (tmp_path / "bad.jsonl").write_text(text)
    with Records.open(tmp_path / "b.sqlite", clock=clock) as b:
        with pytest.raises(ArgumentError, match="hash chain"):
            b.import_(tmp_path / "bad.jsonl")
        assert b.referrals() == []


def test_fhir_task_status_covers_every_status() -> None:
    assert set(FHIR_TASK_STATUS) == set(schema.STATUSES)
    assert FHIR_TASK_STATUS["no_response"] == "on-hold"


def test_every_text_column_is_an_enum_or_a_bounded_token() -> None:
    checks = schema.column_checks()
    assert checks and all(checks.values()), [k for k, v in checks.items() if not v]
    for table in schema.metadata.sorted_tables:
        for column in table.columns:
            assert isinstance(column.type, sa.String | sa.Integer | sa.DateTime), column
            if isinstance(column.type, sa.String):
                assert column.type.length is not None and column.type.length <= 120


def test_the_database_pragmas(db: Path) -> None:
    with Records.open(db) as records, records._engine.connect() as c:
        got = [
            c.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "secure_delete")
        ]
    assert got == ["wal", 1, 1]


def test_the_outcome_report_suppresses_small_cells(records: Records, clock: Clock) -> None:
    for i in range(6):
        rid = records.record(AGENCY, ["hoarding"], basis="meeting_106_6")
        clock.advance(days=2)
        if i < 3:
            records.update(rid, "accepted")
            records.update(rid, "contacted")
            records.update(rid, "served")
        elif i < 5:
            records.update(rid, "declined", "waitlist")
    records.record(AGENCY, ["isolation"], basis="meeting_106_6")
    clock.advance(days=40)
    cells = records.report()
    big, small = cells
    assert small.concern == "isolation" and small.suppressed and small.referred is None
    assert (big.referred, big.accepted, big.served, big.declined, big.no_response) == (
        6,
        3,
        3,
        2,
        1,
    )
    assert big.decline_reasons == {"waitlist": 2}
    assert big.median_days_to_response == 2.0
    assert big.no_response_rate is not None
    assert big.no_response_rate.low < 1 / 6 < big.no_response_rate.high


def test_wilson_interval_matches_the_formula() -> None:
    r = wilson(0, 5)
    assert r.value == 0 and r.low == 0 and 0.43 < r.high < 0.44
