"""A backup of a plaza's records file in use: consistent, whole, private, atomic."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from test_records_privacy import CANARY, _traces

from referral import Directory
from referral.cli import main
from referral.errors import ArgumentError, RecordsAccessError
from referral.records import Records

CLOCK = dt.datetime(2026, 1, 1)


def _filled(path: Path, n: int = 3, clock: dt.datetime = CLOCK) -> tuple[Records, list[str]]:
    r = Records.open(path, clock=lambda: clock)
    ids = [r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6") for _ in range(n)]
    return r, ids


def _hashes(path: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT referral, seq, hash FROM event ORDER BY 1, 2").fetchall()


def test_a_backup_of_a_file_in_use_holds_what_the_wal_holds_and_verifies(tmp_path: Path) -> None:
    r = Records.open(tmp_path / "p.sqlite", clock=lambda: CLOCK)
    keeper = sqlite3.connect(tmp_path / "p.sqlite")  # keeps the -wal from being folded in
    keeper.execute("SELECT count(*) FROM referral").fetchone()
    ids = [r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6") for _ in range(3)]
    assert (tmp_path / "p.sqlite-wal").stat().st_size > 0
    assert r.backup(tmp_path / "copy.sqlite") == len(ids)
    assert _hashes(tmp_path / "copy.sqlite") == _hashes(tmp_path / "p.sqlite")
    assert (tmp_path / "copy.sqlite").stat().st_mode & 0o777 == 0o600
    keeper.close()
    r.close()
    with Records.open(tmp_path / "copy.sqlite") as copy:
        assert copy.verify().ok
        assert sorted(x.id for x in copy.referrals()) == sorted(ids)


def test_a_backup_taken_while_another_program_writes_is_one_consistent_snapshot(
    tmp_path: Path,
) -> None:
    r, _ = _filled(tmp_path / "p.sqlite", n=1)
    stop = threading.Event()

    def write() -> None:
        with Records.open(tmp_path / "p.sqlite", clock=lambda: CLOCK) as w:
            while not stop.is_set():
                w.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        counts = [r.backup(tmp_path / f"copy{i}.sqlite") for i in range(5)]
    finally:
        stop.set()
        writer.join()
    r.close()
    assert counts == sorted(counts)
    for i in range(5):
        with Records.open(tmp_path / f"copy{i}.sqlite") as copy:
            report = copy.verify()
            assert report.ok
            assert report.referrals == counts[i]


def test_the_canary_passed_to_the_records_is_in_no_backup(tmp_path: Path) -> None:
    folder = tmp_path / "plaza"
    folder.mkdir()
    plan = Directory.load().route(CANARY, area="西区")
    with Records.open(folder / "p.sqlite", clock=lambda: CLOCK) as r:
        r.record_from_plan(plan, 1, basis="meeting_106_6")  # the plan carries the note
        r.backup(folder / "backup.sqlite")
    assert (folder / "backup.sqlite").exists()
    assert _traces(folder) == []


def test_a_purged_referral_leaves_no_byte_in_a_later_backup(tmp_path: Path) -> None:
    now = [CLOCK]
    with Records.open(tmp_path / "p.sqlite", clock=lambda: now[0], retention_months=1) as r:
        old = r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6")
        household = r.referrals()[0].household
        r.update(old, "withdrawn")
        kept = r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6")
        r.backup(tmp_path / "before.sqlite")
        now[0] = CLOCK + dt.timedelta(days=400)
        assert r.purge(dry_run=False).referrals == 1
        r.backup(tmp_path / "after.sqlite")
    before = (tmp_path / "before.sqlite").read_bytes()
    after = (tmp_path / "after.sqlite").read_bytes()
    for token in (old, household):
        assert token.encode() in before  # the finder would see it
        assert token.encode() not in after
    assert kept.encode() in after


def test_a_failed_backup_leaves_the_earlier_one_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r, _ = _filled(tmp_path / "p.sqlite", n=2)
    r.backup(tmp_path / "copy.sqlite")
    earlier = (tmp_path / "copy.sqlite").read_bytes()
    r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6")

    def fail(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(RecordsAccessError, match="earlier one is intact"):
        r.backup(tmp_path / "copy.sqlite")
    monkeypatch.undo()
    r.close()
    assert (tmp_path / "copy.sqlite").read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("target", "error", "words"),
    [
        ("p.sqlite", ArgumentError, "cannot replace the records file"),
        ("p.sqlite-wal", ArgumentError, "cannot replace the records file"),
        ("folder", RecordsAccessError, "not a file"),
        ("missing/copy.sqlite", RecordsAccessError, "cannot be written"),
    ],
)
def test_a_backup_refuses_a_bad_target_and_writes_nothing(
    tmp_path: Path, target: str, error: type[Exception], words: str
) -> None:
    (tmp_path / "folder").mkdir()
    r, _ = _filled(tmp_path / "p.sqlite", n=1)
    before = _hashes(tmp_path / "p.sqlite")
    with pytest.raises(error, match=words):
        r.backup(tmp_path / target)
    r.close()
    assert _hashes(tmp_path / "p.sqlite") == before
    assert not (tmp_path / "missing").exists()


def test_records_backup_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "p.sqlite")
    r, _ = _filled(tmp_path / "p.sqlite", n=2)
    r.close()
    assert main(["records", "backup", str(tmp_path / "b.sqlite"), "--db", db]) == 0
    assert "つなぎ 2 件" in capsys.readouterr().out
    assert main(["records", "backup", db, "--db", db, "--lang", "en"]) == 2  # a usage error
    assert "cannot replace the records file" in capsys.readouterr().err
