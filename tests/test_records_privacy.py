"""A name, a phone number and a note passed anywhere to the records never reach their files."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from referral import Directory
from referral._records_schema import column_checks
from referral.cli import main
from referral.errors import ReferralError
from referral.records import Records

NAME = "山田花子"
PHONE = "090-1234-5678"
NOTE = "CANARY7f3a9 ゴミ屋敷で悪臭、住人は高齢の男性"
CANARY = f"{NAME} {PHONE} {NOTE}"
MARKS = (NAME, PHONE, "CANARY7f3a9", "ゴミ屋敷")


def _traces(folder: Path) -> list[str]:
    """The marks found in any file of ``folder`` (the database, -wal, -shm, exports)."""
    found = []
    for path in folder.iterdir():
        data = path.read_bytes()
        for mark in MARKS:
            for encoded in (mark.encode("utf-8"), mark.encode("utf-16-le")):
                if encoded in data:
                    found.append(f"{path.name}: {mark}")
    return found


CALLS: list[tuple[str, Callable[[Records, str, str], Any]]] = [
    ("give_consent(form)", lambda r, c, s: r.give_consent(form=c)),
    ("withdraw_consent(scope)", lambda r, c, s: r.withdraw_consent(c)),
    ("record(agency)", lambda r, c, s: r.record(c, ["hoarding"], basis="meeting_106_6")),
    ("record(concerns)", lambda r, c, s: r.record("nishi.ward_office", [c], basis="meeting_106_6")),
    (
        "record(household)",
        lambda r, c, s: r.record(
            "nishi.ward_office", ["hoarding"], basis="meeting_106_6", household=c
        ),
    ),
    ("record(basis)", lambda r, c, s: r.record("nishi.ward_office", ["hoarding"], basis=c)),
    (
        "record(scope)",
        lambda r, c, s: r.record("nishi.ward_office", ["hoarding"], basis="consent", scope=c),
    ),
    ("update(id)", lambda r, c, s: r.update(c, "accepted")),
    ("update(status)", lambda r, c, s: r.update(s, c)),
    ("update(reason)", lambda r, c, s: r.update(s, "declined", c)),
]


def test_the_canary_in_every_argument_is_refused_or_leaves_no_trace(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "plaza"
    folder.mkdir()
    caplog.set_level(logging.DEBUG)
    plan = Directory.load().route(CANARY, area="西区")
    with Records.open(folder / "p.sqlite", clock=lambda: dt.datetime(2026, 1, 1)) as r:
        keeper = sqlite3.connect(folder / "p.sqlite")  # keeps the -wal and -shm files there
        keeper.execute("SELECT count(*) FROM referral").fetchone()
        rid = r.record_from_plan(plan, 1, basis="meeting_106_6")  # the plan carries the note
        for _what, call in CALLS:
            with contextlib.suppress(ReferralError):
                call(r, CANARY, rid)
        with contextlib.suppress(ReferralError):
            Records.open(folder / "p.sqlite", role=CANARY)  # type: ignore[arg-type]
        (tmp_path / "bad.jsonl").write_text(
            '{"table": "referral", "row": {"id": "' + CANARY + '"}}\n', encoding="utf-8"
        )
        with contextlib.suppress(ReferralError):
            r.import_(tmp_path / "bad.jsonl")
        r.export(folder / "out.jsonl")
        assert r.verify().ok
        for name in ("p.sqlite-wal", "p.sqlite-shm"):  # look at them while they are there
            assert (folder / name).exists()
        assert _traces(folder) == []
        keeper.close()
    assert _traces(folder) == []
    logged = caplog.text + "".join(capsys.readouterr())
    assert not [m for m in MARKS if m in logged]


def test_the_canary_on_the_command_line_leaves_no_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "p.sqlite")
    for argv in (
        ["record", CANARY, "hoarding", "--basis", "meeting_106_6"],
        ["record", "nishi.ward_office", CANARY, "--basis", "meeting_106_6"],
        ["record", "nishi.ward_office", "hoarding", "--basis", "consent", "--scope", CANARY],
        ["update", CANARY, "accepted"],
        ["withdraw", CANARY],
    ):
        assert main(["records", *argv, "--db", db]) in (1, 2)
    capsys.readouterr()
    assert _traces(tmp_path) == []


def test_every_column_is_an_enum_a_date_a_count_a_hash_or_a_token() -> None:
    """No free-text column: each String column has a CHECK (an enum or a bounded token)."""
    checks = column_checks()
    assert not [column for column, found in checks.items() if not found]
    for column, found in checks.items():
        assert any(" IN (" in c or "length(" in c for c in found), column


def test_the_trace_finder_finds_a_mark(tmp_path: Path) -> None:
    (tmp_path / "x.bin").write_bytes(b"\x00" + PHONE.encode() + NAME.encode("utf-16-le"))
    assert _traces(tmp_path) == [f"x.bin: {NAME}", f"x.bin: {PHONE}"]
