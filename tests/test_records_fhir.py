"""The records as FHIR R4 Tasks: valid resources, mapped statuses, no person, no meeting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("fhir.resources")

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task

from referral.cli import main
from referral.errors import ArgumentError
from referral.records import FHIR_TASK_STATUS, Records

CLOCK = dt.datetime(2026, 3, 1, 9, 30)

# each history ends in the status named first; the FHIR status is FHIR_TASK_STATUS's
HISTORIES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("referred", []),
    ("accepted", [("accepted", None)]),
    ("contacted", [("accepted", None), ("contacted", None)]),
    ("served", [("accepted", None), ("contacted", None), ("served", None)]),
    ("declined", [("declined", "waitlist")]),
    ("withdrawn", [("withdrawn", None)]),
    ("entered_in_error", [("entered_in_error", None)]),
]


def _filled(path: Path) -> tuple[Records, dict[str, str]]:
    r = Records.open(path, clock=lambda: CLOCK, role="member")
    scope = r.give_consent()
    ids = {}
    for final, steps in HISTORIES:
        rid = r.record("nishi.ward_office", ["hoarding", "dementia"], basis="consent", scope=scope)
        for status, reason in steps:
            r.update(rid, status, reason)
        ids[final] = rid
    ids["meeting"] = r.record("nishi.ward_office", ["elder_abuse"], basis="meeting_106_6")
    return r, ids


def test_every_task_is_a_valid_fhir_r4_task_with_its_status_mapped(tmp_path: Path) -> None:
    r, ids = _filled(tmp_path / "p.sqlite")
    assert r.export(tmp_path / "tasks.json", format="fhir") == len(HISTORIES)
    household = {x.id: x.household for x in r.referrals()}
    r.close()
    text = (tmp_path / "tasks.json").read_text(encoding="utf-8")
    assert Bundle.model_validate_json(text).type == "collection"  # a valid FHIR R4 Bundle
    document: dict[str, Any] = json.loads(text)
    tasks = {e["resource"]["id"]: e["resource"] for e in document["entry"]}
    for final, _ in HISTORIES:
        t = tasks[ids[final]]
        Task.model_validate(t)  # each a valid FHIR R4 Task
        assert t["status"] == FHIR_TASK_STATUS[final]
        assert t["businessStatus"]["coding"][0]["code"] == final
        assert t["intent"] == "order"
        assert t["code"]["coding"][0]["code"] == "hoarding"
        concerns = [i["valueCodeableConcept"]["coding"][0]["code"] for i in t["input"]]
        assert concerns == ["hoarding", "dementia"]
        assert t["owner"]["identifier"]["value"] == "nishi.ward_office"
        assert "for" not in t  # no person
        assert dt.datetime.fromisoformat(t["authoredOn"]) == CLOCK.replace(tzinfo=dt.UTC)
    assert tasks[ids["declined"]]["statusReason"]["coding"][0]["code"] == "waitlist"
    assert "end" in tasks[ids["served"]]["executionPeriod"]
    assert "end" not in tasks[ids["accepted"]]["executionPeriod"]
    assert ids["meeting"] not in tasks  # support-meeting records stay with the meeting
    for token in household.values():
        assert token not in text  # the household's token never leaves the plaza


def test_a_member_may_add_the_meetings_records_and_no_one_else(tmp_path: Path) -> None:
    r, ids = _filled(tmp_path / "p.sqlite")
    assert r.export(tmp_path / "all.json", format="fhir", include_meeting=True) == 8
    r.close()
    assert ids["meeting"] in (tmp_path / "all.json").read_text(encoding="utf-8")
    with (
        Records.open(tmp_path / "p.sqlite", role="coordinator") as c,
        pytest.raises(ArgumentError, match="only a member"),
    ):
        c.export(tmp_path / "no.json", format="fhir", include_meeting=True)
    assert not (tmp_path / "no.json").exists()


def test_an_unknown_export_format_suggests_the_known_ones(tmp_path: Path) -> None:
    with Records.open(tmp_path / "p.sqlite") as r, pytest.raises(LookupError, match="'fhir'"):
        r.export(tmp_path / "x.json", format="fhri")
    assert not (tmp_path / "x.json").exists()


def test_records_export_format_fhir_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r, _ = _filled(tmp_path / "p.sqlite")
    r.close()
    out = tmp_path / "tasks.json"
    argv = ["records", "export", str(out), "--format", "fhir", "--db", str(tmp_path / "p.sqlite")]
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": str(out), "tasks": len(HISTORIES)}
    assert json.loads(out.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    assert out.stat().st_mode & 0o777 == 0o600
