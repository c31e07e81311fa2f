"""``referral records``: each subcommand, its JSON, its errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest

pytest.importorskip("sqlalchemy")

from referral import Directory
from referral.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_closed_loop_on_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "p.sqlite")
    code, out, _ = run(capsys, "records", "consent", "--db", db, "--json")
    scope = json.loads(out)["scope"]
    code, out, _ = run(
        capsys, "records", "record", "nishi.ward_office", "hoarding", "--basis", "consent",
        "--scope", scope, "--db", db, "--json",
    )  # fmt: skip
    rid = json.loads(out)["id"]
    assert code == 0
    code, out, _ = run(capsys, "records", "list", "--db", db, "--lang", "en")
    assert code == 0 and rid in out and "referred" in out
    code, _, err = run(capsys, "records", "update", rid, "served", "--db", db, "--lang", "en")
    assert code == 2 and "cannot become served" in err
    code, out, _ = run(capsys, "records", "update", rid, "declined", "--reason", "waitlist",
                       "--db", db, "--lang", "en")  # fmt: skip
    assert code == 0 and "declined" in out
    code, out, _ = run(capsys, "records", "list", "--db", db)
    assert code == 1  # nothing open
    code, out, _ = run(capsys, "records", "verify", "--db", db, "--lang", "en")
    assert code == 0 and "records intact: 1 referrals, 2 events" in out
    code, out, _ = run(capsys, "records", "purge", "--dry-run", "--db", db, "--json")
    assert code == 0 and json.loads(out)["referrals"] == 0
    code, out, _ = run(capsys, "records", "export", str(tmp_path / "o.jsonl"), "--db", db)
    assert code == 0 and (tmp_path / "o.jsonl").exists()
    code, out, _ = run(capsys, "records", "report", "--db", db, "--json")
    assert code == 0 and json.loads(out)[0]["suppressed"] is True
    code, out, _ = run(capsys, "records", "withdraw", scope, "--db", db, "--json")
    assert code == 0 and json.loads(out) == {"closed": []}
    other = str(tmp_path / "q.sqlite")
    code, out, _ = run(capsys, "records", "import", str(tmp_path / "o.jsonl"), "--db", other)
    assert code == 0


def test_unknown_ids_exit_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "p.sqlite")
    code, _, err = run(capsys, "records", "record", "nishi.ward_ofice", "hoarding",
                       "--basis", "meeting_106_6", "--db", db)  # fmt: skip
    assert code == 1 and "nishi.ward_office" in err
    code, out, _ = run(capsys, "records", "record", "nishi.ward_office", "hording",
                       "--basis", "meeting_106_6", "--db", db, "--json")  # fmt: skip
    assert code == 2 and json.loads(out)["error"]["message"]


def test_without_the_extra_the_command_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with mock.patch.dict("sys.modules", {"referral.records": None}):
        code, _, err = run(capsys, "records", "list", "--db", str(tmp_path / "p.sqlite"))
    assert code == 2 and "pip install 'referral[records]'" in err


@pytest.mark.parametrize(
    ("agency", "concerns", "want_agency", "want_concerns"),
    [
        ("新山下地域ケアプラザ", ["ごみ屋敷"], "naka.shin_yamashita.care_plaza", ["hoarding"]),
        ("寺尾地域ケアプラザ", ["hoarding", "認知症"], "tsurumi.terao.care_plaza",
         ["hoarding", "dementia"]),
        ("横浜市寺尾地域ケアプラザ", ["8050"], "tsurumi.terao.care_plaza", ["eighty_fifty"]),
        ("nishi.ward_office", ["hoarding"], "nishi.ward_office", ["hoarding"]),
    ],
)  # fmt: skip
def test_records_take_japanese_names_and_say_which_body_was_recorded(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    agency: str,
    concerns: list[str],
    want_agency: str,
    want_concerns: list[str],
) -> None:
    db = str(tmp_path / "p.sqlite")
    code, out, _ = run(capsys, "records", "record", agency, *concerns,
                       "--basis", "meeting_106_6", "--db", db, "--json")  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["agency"] == want_agency
    assert json.loads(out)["concerns"] == want_concerns
    code, out, _ = run(capsys, "records", "record", agency, *concerns,
                       "--basis", "meeting_106_6", "--db", db)  # fmt: skip
    assert code == 0 and f"({want_agency})" in out
    code, out, _ = run(capsys, "records", "list", "--db", db)
    name = Directory.load().agency(want_agency).name.ja
    assert code == 0 and name[:10] in out


@pytest.mark.parametrize(
    ("agency", "words"),
    [
        ("区役所", "区役所"),  # every ward's: the candidates, nothing recorded
        ("新山下", "新山下"),  # the plaza, its centre and its aggregates
        ("しんやました", "shin"),  # a reading: suggested, never settled on
        ("新山下地域ケアプラザx", "新山下地域ケアプラザ"),  # near, but not exact: never fuzzy
    ],
)
def test_records_never_record_a_body_a_name_only_resembles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, agency: str, words: str
) -> None:
    db = tmp_path / "p.sqlite"
    code, _, err = run(capsys, "records", "record", agency, "hoarding",
                       "--basis", "meeting_106_6", "--db", str(db))  # fmt: skip
    assert code == 1 and words in err
    code, _, _ = run(capsys, "records", "list", "--all", "--db", str(db))
    assert code == 1  # nothing was recorded


def test_the_waiting_time_before_no_response_is_an_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "p.sqlite")
    code, out, _ = run(capsys, "records", "record", "nishi.ward_office", "hoarding",
                       "--basis", "meeting_106_6", "--db", db, "--json")  # fmt: skip
    rid = json.loads(out)["id"]
    # a referral made today has not waited 30 days, nor 1: it stays open
    assert run(capsys, "records", "list", "--db", db, "--no-response-days", "1")[0] == 0
    code, _, err = run(capsys, "records", "list", "--db", db, "--no-response-days", "0")
    assert code == 2 and "no_response_days" in err  # at least one day
    assert rid
