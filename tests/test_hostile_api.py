"""Hostile calls and hostile invocations: every failure is a ReferralError (which also is the
builtin a caller would catch), the command line never shows a traceback, and the note keeps
its safety advice however it is given."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from referral import Directory, gaps, interop, synth
from referral.errors import ArgumentError, ArgumentTypeError, ReferralError
from referral.matching import Matcher, load_concerns

ROOT = Path(__file__).resolve().parent.parent
D = Directory.load()
NAN = float("nan")

HOSTILE: dict[str, Callable[[], Any]] = {
    "Directory(None)": lambda: Directory(None),  # type: ignore[arg-type]
    "Directory(1)": lambda: Directory(1),  # type: ignore[arg-type]
    "from_path(None)": lambda: Directory.from_path(None),  # type: ignore[arg-type]
    "from_path(lone surrogate)": lambda: Directory.from_path("\ud800"),
    "from_path(NUL)": lambda: Directory.from_path("a\x00b"),
    "from_path(max_bytes='x')": lambda: Directory.from_path(
        "data/agencies.json",
        max_bytes="x",  # type: ignore[arg-type]
    ),
    "agency(None)": lambda: D.agency(None),  # type: ignore[arg-type]
    "agency(surrogate)": lambda: D.agency("\ud800"),
    "agency(a million chars)": lambda: D.agency("x" * 10**6),
    "area([])": lambda: D.area([]),  # type: ignore[arg-type]
    "agencies_in(kind=1)": lambda: D.agencies_in("nishi", kind=1),  # type: ignore[arg-type]
    "agencies_in(kind='nope')": lambda: D.agencies_in("nishi", kind="nope"),
    "ward_of(None)": lambda: D.ward_of(None),  # type: ignore[arg-type]
    "ward_of(an id)": lambda: D.ward_of("nishi.ward_office"),  # type: ignore[arg-type]
    "contact({})": lambda: D.contact({}),  # type: ignore[arg-type]
    "links_of(None)": lambda: list(D.links_of(None)),  # type: ignore[arg-type]
    "find(1)": lambda: D.find(1),  # type: ignore[arg-type]
    "find(limit='x')": lambda: D.find("西", limit="x"),  # type: ignore[arg-type]
    "find(limit=-1)": lambda: D.find("西", limit=-1),
    "concern(None)": lambda: D.concern(None),  # type: ignore[arg-type]
    "match(bytes)": lambda: D.match(b"abc"),  # type: ignore[arg-type]
    "match(min_confidence='x')": lambda: D.match("死にたい", min_confidence="x"),  # type: ignore[arg-type]
    "match(min_confidence=nan)": lambda: D.match("死にたい", min_confidence=NAN),
    "match(min_confidence=2)": lambda: D.match("死にたい", min_confidence=2),
    "match(min_confidence=True)": lambda: D.match("死にたい", min_confidence=True),
    "read(min_confidence=-1)": lambda: D.read("a", min_confidence=-1),
    "route(None)": lambda: D.route(None, area="西区"),  # type: ignore[arg-type]
    "route(area=1)": lambda: D.route("死にたい", area=1),  # type: ignore[arg-type]
    "route(age='x')": lambda: D.route("死にたい", area="西区", age="x"),  # type: ignore[arg-type]
    "route(age=nan)": lambda: D.route("死にたい", area="西区", age=NAN),  # type: ignore[arg-type]
    "route(origin_kind='nope')": lambda: D.route("死にたい", area="西区", origin_kind="nope"),
    "route([None])": lambda: D.route([None], area="西区"),  # type: ignore[list-item]
    "route({})": lambda: D.route({}, area="西区"),  # type: ignore[arg-type]
    "route(note=1)": lambda: D.route(["hoarding"], area="西区", note=1),  # type: ignore[arg-type]
    "coverage(ward=1)": lambda: D.coverage(ward=1),  # type: ignore[arg-type]
    "coverage(ward='nope')": lambda: D.coverage(ward="nope"),
    "what_if([1])": lambda: D.what_if([1]),  # type: ignore[list-item]
    "what_if('nope')": lambda: D.what_if("nope"),
    "data_health(today='x')": lambda: D.data_health(today="x"),  # type: ignore[arg-type]
    "with_agency({})": lambda: D.with_agency({}),
    "with_agency(None)": lambda: D.with_agency(None),  # type: ignore[arg-type]
    "with_changes(no such field)": lambda: D.with_changes("nishi.ward_office", nope=1),
    "with_changes(bad value)": lambda: D.with_changes("nishi.ward_office", phones="x"),
    "without_agency(None)": lambda: D.without_agency(None),  # type: ignore[arg-type]
    "with_link({})": lambda: D.with_link({}),
    "with_link(None)": lambda: D.with_link(None),  # type: ignore[arg-type]
    "without_link(None, None, None)": lambda: D.without_link(None, None, None),  # type: ignore[arg-type]
    "save(None)": lambda: D.save(None),  # type: ignore[arg-type]
    "save(lone surrogate)": lambda: D.save("/tmp/\ud800.json"),
    "export('nope')": lambda: D.export("nope", "/tmp/referral-x"),  # type: ignore[arg-type]
    "interop.export(None)": lambda: interop.export(None, "csv", "/tmp/x"),  # type: ignore[arg-type]
    "resolve_area(limit='x')": lambda: D.resolve_area("西区", limit="x"),  # type: ignore[arg-type]
    "resolve_area(limit=-1)": lambda: D.resolve_area("西区", limit=-1),
    "districts(1)": lambda: D.districts(1),  # type: ignore[arg-type]
    "Matcher(None)": lambda: Matcher(None),  # type: ignore[arg-type]
    "Matcher([1])": lambda: Matcher([1]),  # type: ignore[list-item]
    "Matcher(min_confidence=nan)": lambda: Matcher(load_concerns(), min_confidence=NAN),
    "load_concerns(1)": lambda: load_concerns(1),  # type: ignore[arg-type]
    "load_concerns('/nonexistent')": lambda: load_concerns("/nonexistent"),
    "synth.generate(wards='x')": lambda: synth.generate(wards="x"),  # type: ignore[arg-type]
    "synth.generate(wards=-1)": lambda: synth.generate(wards=-1),
    "synth.generate(drop=nan)": lambda: synth.generate(drop=NAN),
    "synth.generate(individuals={'x': 1})": lambda: synth.generate(individuals={"x": 1}),
    "synth.generate(individuals=5)": lambda: synth.generate(individuals=5),  # type: ignore[arg-type]
    "synth.generate(template=1)": lambda: synth.generate(template=1),  # type: ignore[arg-type]
    "gaps.coverage(None)": lambda: gaps.coverage(None),
}


@pytest.mark.parametrize("call", list(HOSTILE))
def test_every_hostile_call_fails_as_a_referral_error(call: str) -> None:
    with pytest.raises(ReferralError) as err:
        HOSTILE[call]()
    assert str(err.value)  # a message, and the builtin a caller would catch
    assert isinstance(err.value, ValueError | TypeError | LookupError | OSError)


def test_a_confidence_threshold_is_a_number_from_zero_to_one() -> None:
    for bad in (NAN, 2, -0.1, float("inf")):
        with pytest.raises(ArgumentError):
            D.match("死にたい", min_confidence=bad)
    with pytest.raises(ArgumentTypeError):
        D.match("死にたい", min_confidence="0.5")  # type: ignore[arg-type]
    assert D.match("死にたい", min_confidence=1.0)[0].concern == "suicide_risk"


def _cli(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "referral", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "REFERRAL_CACHE_DIR": "off", **(env or {})},
        check=False,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_a_note_with_a_given_concern_still_speaks() -> None:
    code, out, _ = _cli(
        "route", "息子が死にたいと言っている", "--concern", "hoarding", "--area", "戸部本町"
    )
    text = out.decode()
    assert code == 0 and "ごみ屋敷" in text
    assert text.index("0120-279-338") < text.index("1. 【")  # before any suggestion


@pytest.mark.parametrize(
    "note",
    [
        "not sure but she said she wants to die",
        "Not sure, she said she wants to die",
        "I am not certain, but he says he wants to die",
    ],
)
def test_a_negation_does_not_reach_across_a_clause(note: str) -> None:
    assert [c.rule for c in D.read(note).safety] == ["suicide_emergency"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16"])
def test_a_note_on_standard_input_is_read_in_any_usual_encoding(encoding: str) -> None:
    code, out, err = _cli("match", "-", stdin="死にたいと言っている".encode(encoding))
    assert code == 0 and "0120-279-338" in out.decode(), err.decode()


def test_a_note_in_no_known_encoding_is_refused_without_quoting_it() -> None:
    code, _, err = _cli("match", "-", "--lang", "en", stdin=b"\xff\xfe\xfd" * 5 + b"\x80\x81")
    assert code == 2 and "not text in UTF-8" in err.decode() and "Traceback" not in err.decode()


def test_a_full_disk_on_standard_output_is_a_clear_error() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with Path("/dev/full").open("wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "referral", "concerns"],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "REFERRAL_CACHE_DIR": "off"},
            check=False,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "cannot write the output" in err and "internal" not in err


def test_a_closed_pipe_stops_quietly() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "referral", "agencies"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "REFERRAL_CACHE_DIR": "off"},
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # the reader leaves, as `| head` does
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert code in (0, 2) and "internal" not in err and "Traceback" not in err


def test_ctrl_c_exits_130_without_a_traceback() -> None:
    code = (
        "import sys, referral.cli; print('ready', flush=True); "
        "sys.exit(referral.cli.main(['match', '-']))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "REFERRAL_CACHE_DIR": "off"},
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(1.0)  # now waiting for the note on standard input
        proc.send_signal(signal.SIGINT)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 130
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["nan", "2", "-1", "x", "inf"])
def test_min_confidence_out_of_range_is_a_usage_error(value: str) -> None:
    code, _, err = _cli("match", "死にたい", "--min-confidence", value)
    assert code == 2 and "--min-confidence" in err.decode() and "internal" not in err.decode()


def test_the_private_way_to_give_a_note_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "referral route - --area 戸部本町 < note.txt" in readme
    assert "/proc" in security and "shell history" in security and "standard input" in security
    assert "130" in readme  # Ctrl-C's exit code is documented


def test_today_must_be_a_date() -> None:
    with pytest.raises(ArgumentTypeError):
        D.data_health(today="2026-11-30")  # type: ignore[arg-type]
    assert D.data_health(today=dt.date(2026, 11, 30)).stale_total == 0
