"""The outcome report counted in SQL equals the Python oracle, filters by ward, writes nothing.

The oracle (tests/records_oracle.py) is the report as it was first written: every event read
into Python. Generated histories go through the public API with a clock the test moves,
including steps of zero (two referrals at the same instant), of one microsecond, and of the
exact waiting, answering and loop times, where an off-by-one would show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from helpers import spy_on_report
from hypothesis import given, settings
from hypothesis import strategies as st
from records_oracle import oracle_report

from referral import _records_schema as schema
from referral.cli import main
from referral.errors import TransitionError, UnknownVocabularyError
from referral.records import Records
from referral.records_synth import synthetic_referrals

T0 = dt.datetime(2026, 1, 5, 9)
AGENCIES = ("nishi.ward_welfare_section", "nishi.hoarding_liaison", "naka.ward_welfare_section")
CONCERNS = (["hoarding"], ["hoarding", "isolation"], ["dementia"])
HOUSEHOLDS = tuple(f"{i:032x}" for i in range(1, 4))
STATUSES = ("accepted", "accepted", "contacted", "served", "declined", "declined", "withdrawn",
            "entered_in_error")  # fmt: skip
GAPS = (
    dt.timedelta(0),
    dt.timedelta(microseconds=1),
    dt.timedelta(seconds=1),
    dt.timedelta(hours=5),
    dt.timedelta(days=1),
    dt.timedelta(days=30),
    dt.timedelta(days=30, microseconds=1),
    dt.timedelta(days=90),
    dt.timedelta(days=90, microseconds=1),
    dt.timedelta(days=89, hours=23, minutes=59, seconds=59, microseconds=999_999),
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """An empty records file with its schema, copied for each generated history."""
    folder = Path(tempfile.mkdtemp(prefix="referral-report-"))
    Records.open(folder / "empty.sqlite").close()
    yield folder / "empty.sqlite"
    shutil.rmtree(folder)


def _events(r: Records) -> int:
    with r._engine.connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(schema.event)).scalar_one())


def _oracle(r: Records, ward: str | None = None) -> list[Any]:
    """What the first version reported: expire() wrote its events, then every row was read."""
    r.expire()
    with r._engine.connect() as c:
        return [x for x in oracle_report(c) if ward is None or x.ward == ward]


step = st.one_of(  # a referral, or a new status for one of them (refused ones write nothing)
    st.tuples(
        st.just("record"),
        st.sampled_from(AGENCIES[:1] * 4 + AGENCIES),  # most in one cell: 5 or more
        st.sampled_from((0, 0, 0, 1, 2)),
        st.sampled_from(HOUSEHOLDS),
    ),
    st.tuples(
        st.just("update"),
        st.integers(0, 40),
        st.sampled_from(STATUSES),
        st.sampled_from(("waitlist", "no_capacity", "other")),
    ),
)


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.sampled_from(GAPS[:5] * 3 + GAPS), step), min_size=12, max_size=50),
    st.sampled_from(GAPS),
)
def test_the_sql_report_equals_the_oracle(
    template: Path, steps: list[tuple[dt.timedelta, tuple[Any, ...]]], end: dt.timedelta
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.sqlite"
        shutil.copy(template, path)
        clock = Clock()
        with Records.open(path, clock=clock) as r:
            made: list[str] = []
            for gap, (action, a, b, c) in steps:
                clock.now += gap
                if action == "record":
                    made.append(r.record(a, CONCERNS[b], household=c, basis="meeting_106_6"))
                elif made:
                    with contextlib.suppress(TransitionError):
                        r.update(made[a % len(made)], b, c if b == "declined" else None)
            clock.now += end
            before = _events(r)
            got, nishi = r.report(), r.report(ward="nishi")
            assert _events(r) == before  # reading the report wrote no event
            assert got == _oracle(r)
            assert nishi == [x for x in got if x.ward == "nishi"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "s.sqlite"
    synthetic_referrals(path, 2000, seed=11)
    return path


@pytest.mark.parametrize("now", [dt.datetime(2025, 6, 1), dt.datetime(2027, 1, 1)])
def test_generated_records_report_as_the_oracle(synthetic: Path, tmp_path: Path, now: Any) -> None:
    path = tmp_path / "s.sqlite"
    shutil.copy(synthetic, path)
    with Records.open(path, clock=lambda: now) as r:
        got = r.report()
        by_ward = {w: r.report(ward=w) for w in ("nishi", "naka", "aoba")}
        want = _oracle(r)
    assert got == want and any(not c.suppressed and c.re_referred for c in got)
    for ward, cells in by_ward.items():
        assert cells == [c for c in want if c.ward == ward] != []


def test_a_ward_by_id_or_name_and_an_unknown_one(synthetic: Path) -> None:
    with Records.open(synthetic, role="auditor") as r:
        nishi = r.report(ward="nishi")
        assert {c.ward for c in nishi} == {"nishi"}
        assert r.report(ward="西区") == r.report(ward="Nishi Ward") == nishi
        assert r.report(ward="sakae") == []  # a ward of the city with no referral
        with pytest.raises(UnknownVocabularyError, match="did you mean 'nishi'") as caught:
            r.report(ward="nishii")
        assert caught.value.what == "ward"


def test_the_report_writes_only_its_access_log_row(tmp_path: Path) -> None:
    clock = Clock()
    with Records.open(tmp_path / "r.sqlite", clock=clock) as r:
        for _ in range(5):
            r.record(AGENCIES[0], ["hoarding"], basis="meeting_106_6")
        clock.now += dt.timedelta(days=30)  # exactly the waiting time: overdue
        with r._engine.connect() as c:
            logged = c.execute(sa.select(sa.func.count()).select_from(schema.access_log))
            before = (_events(r), logged.scalar_one())
        (cell,) = r.report()
        assert (cell.no_response, cell.open, cell.answered_in_time) == (5, 0, 0)
        with r._engine.connect() as c:
            logged = c.execute(sa.select(sa.func.count()).select_from(schema.access_log))
            assert (_events(r), logged.scalar_one()) == (before[0], before[1] + 1)
        assert {x.status for x in r.referrals()} == {"referred"}
        assert {x.status for x in r.open_referrals()} == set()  # expire() still writes


def test_records_report_ward_on_the_command_line(
    synthetic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["records", "report", "--db", str(synthetic), "--role", "auditor", "--json"]
    assert main([*argv, "--ward", "西区"]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert cells and {c["ward"] for c in cells} == {"nishi"}
    assert main([*argv, "--ward", "nishii", "--lang", "en"]) == 2
    assert "unknown ward 'nishii'; did you mean 'nishi'" in capsys.readouterr().err
    assert main([*argv, "--ward", "nishii"]) == 2
    assert "「nishii」という区はありません" in capsys.readouterr().err


def test_gaps_asks_the_records_for_its_ward_only(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = spy_on_report(monkeypatch)
    assert main(["gaps", "--ward", "西区", "--json", "--records", str(synthetic)]) == 0
    assert asked == ["nishi"]
    capsys.readouterr()
