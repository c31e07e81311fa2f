"""The outcome report where it is used: ``gaps --records``, ``route --records`` and
``Directory.route(outcomes=...)``, re-referral loops and the synthetic generator (issue 16)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from referral import Directory
from referral._records_explain import outcome_reason, with_outcomes
from referral.cli import main
from referral.models import Text
from referral.records import Records
from referral.records_synth import synthetic_referrals

T0 = dt.datetime(2026, 1, 5, 9)
HOUSEHOLD = "ab" * 16


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "s.sqlite"
    synthetic_referrals(path, 1500, seed=7)
    return path


def test_the_generator_is_seeded_and_its_chains_verify(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert synthetic_referrals(a, 300, seed=3) == synthetic_referrals(b, 300, seed=3) == 300
    with Records.open(a) as ra, Records.open(b) as rb:
        assert ra.verify().ok
        assert [x.model_dump() for x in ra.referrals()] == [x.model_dump() for x in rb.referrals()]


def test_a_re_referral_within_90_days_is_a_loop_of_the_earlier_body(tmp_path: Path) -> None:
    now = [T0]
    with Records.open(tmp_path / "p.sqlite", clock=lambda: now[0]) as r:
        for i in range(5):
            now[0] = T0 + dt.timedelta(hours=i)
            h = HOUSEHOLD if i == 0 else f"{i:032x}"
            r.update(r.record("nishi.ward_welfare_section", ["hoarding"], household=h,
                              basis="meeting_106_6"), "accepted")  # fmt: skip
        now[0] = T0 + dt.timedelta(days=60)
        r.record("nishi.hoarding_liaison", ["hoarding"], household=HOUSEHOLD, basis="meeting_106_6")
        now[0] = T0 + dt.timedelta(days=61)
        cells = {c.agency: c for c in r.report()}
    welfare = cells["nishi.ward_welfare_section"]
    assert welfare.re_referred == 1 and welfare.answered_in_time == 5
    assert cells["nishi.hoarding_liaison"].suppressed


def test_a_reason_only_from_a_cell_not_suppressed() -> None:
    name = Text(ja="ごみ屋敷", en="hoarding")
    cell = {"suppressed": False, "referred": 11, "answered_in_time": 4}
    reason = outcome_reason(cell, name)
    assert reason is not None
    assert reason.ja == "ごみ屋敷の紹介11件のうち4件に30日以内に応答"
    assert reason.en == "answered 4 of 11 hoarding referrals within 30 days"
    assert outcome_reason({"suppressed": True, "referred": None}, name) is None


def test_route_with_outcomes_adds_a_reason_and_changes_nothing_else(synthetic: Path) -> None:
    d = Directory.load()
    with Records.open(synthetic) as r:
        cells = r.report()
    plain = d.route(["hoarding"], area="西区")
    told = d.route(["hoarding"], area="西区", outcomes=cells)
    assert [s.agency.id for s in plain.suggestions] == [s.agency.id for s in told.suggestions]
    added = [
        s.reasons[len(p.reasons) :]
        for p, s in zip(plain.suggestions, told.suggestions, strict=True)
    ]
    assert any("within 30 days" in r.en for extra in added for r in extra)
    assert d.route(["hoarding"], area="西区", outcomes=[]) == plain
    # the JSON of the report works as well as its models
    as_json = [c.model_dump(mode="json") for c in cells]
    assert with_outcomes(plain, as_json) == told


def test_route_records_on_the_command_line(
    capsys: pytest.CaptureFixture[str], synthetic: Path
) -> None:
    argv = ["route", "--area", "西区", "--concern", "hoarding", "--lang", "en"]
    assert main(argv) == 0
    plain = capsys.readouterr().out
    assert "within 30 days" not in plain
    assert main([*argv, "--records", str(synthetic)]) == 0
    told = capsys.readouterr().out
    assert "referrals within 30 days" in told
    assert len(told.splitlines()) == len(plain.splitlines())


def test_gaps_records_adds_the_outcome_section_and_json(
    capsys: pytest.CaptureFixture[str], synthetic: Path
) -> None:
    assert main(["gaps", "--ward", "西区", "--json"]) == 0
    assert "outcomes" not in json.loads(capsys.readouterr().out)
    assert main(["gaps", "--ward", "西区", "--json", "--records", str(synthetic)]) == 0
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    assert outcomes and {c["ward"] for c in outcomes} == {"nishi"}
    shown = [c for c in outcomes if not c["suppressed"]]
    assert shown and all(c["no_response_rate"]["low"] <= c["no_response_rate"]["value"]
                         for c in shown)  # fmt: skip
    assert all("re_referred" in c and "decline_reasons" in c for c in shown)
    assert main(["gaps", "--ward", "西区", "--lang", "en", "--records", str(synthetic)]) == 0
    out = capsys.readouterr().out
    assert "Referral outcomes" in out and "re_referred_90d" in out


def test_a_small_cell_is_shown_as_under_five(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "p.sqlite"
    with Records.open(db) as r:
        r.record("nishi.ward_welfare_section", ["hoarding"], basis="meeting_106_6")
    assert main(["gaps", "--ward", "西区", "--lang", "en", "--records", str(db)]) == 0
    out = capsys.readouterr().out
    assert "1 under 5 suppressed" in out and "<5" in out
