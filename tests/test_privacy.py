"""A canary note passed through every entry point never appears in log records, warnings,
exception messages, temporary files or anything written to disk."""

from __future__ import annotations

import builtins
import io
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from referral import Directory, ReferralError
from referral.cli import main
from referral.matching import MAX_NOTE_CHARS, Matcher, load_concerns

TOKEN = "CANARY7f3a9"  # a marker to look for
# the token sits past the start of the note: an error may quote a note's first words only
FILLER = "一人暮らしの高齢の母について、近所の方から連絡がありました。" * 3
NOTES = [
    f"{FILLER}{TOKEN} 田中花子さん（090-1234-5678）、家がゴミ屋敷で息子がひきこもり",
    f"{FILLER}{TOKEN}",  # no concern in it: NoConcernError
    f"{FILLER}{TOKEN}" * (MAX_NOTE_CHARS // 20),  # too long: NoteTooLongError
]
FORMS = [TOKEN.encode(), TOKEN.encode("utf-16-le"), TOKEN.encode("utf-32-le")]


def _entry_points(d: Directory) -> list[tuple[str, Callable[[str], Any]]]:
    matcher = Matcher(load_concerns())
    return [
        ("match", d.match),
        ("Matcher.match", matcher.match),
        ("route", lambda n: d.route(n, area="戸部本町")),
        ("route, note as the area", lambda n: d.route(["hoarding"], area=n)),
        ("route, note as a concern", lambda n: d.route([n], area="戸部本町")),
        ("route, note as the origin", lambda n: d.route(["hoarding"], area="西区", origin_kind=n)),
        ("resolve_area", d.resolve_area),
        ("require_area", d.require_area),
        ("find", d.find),
        ("agency", d.agency),
        ("area", d.area),
        ("concern", d.concern),
        ("what_if", d.what_if),
        ("coverage", lambda n: d.coverage(ward=n)),
    ]


def _exception_text(exc: BaseException) -> str:
    """Everything an exception carries that a logger or a traceback might print."""
    parts = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args), repr(vars(seen))]
        parts += [str(n) for n in getattr(seen, "__notes__", ())]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every file opened for writing (any write fails the test afterwards)."""
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(m in mode for m in "wax+"):
            opened.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            opened.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    yield opened


def test_the_canary_leaves_no_trace_in_the_library(
    bundled: Directory,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_writes: list[str],
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    fresh = Directory(bundled.document)  # first use builds its indexes with the note at hand
    calls = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for d in (bundled, fresh):
            for _name, fn in _entry_points(d):
                for note in NOTES:
                    calls += 1
                    try:
                        result = fn(note)
                    except ReferralError as exc:
                        assert TOKEN not in _exception_text(exc), _name
                    else:
                        del result  # results are the caller's: evidence quotes matched words
    assert calls == 2 * 14 * 3
    assert TOKEN not in caplog.text and not caplog.records
    assert all(TOKEN not in str(w.message) for w in caught)
    assert no_writes == []
    assert list(tmp_path.iterdir()) == []


def test_the_canary_leaves_no_trace_from_threads(bundled: Directory, no_writes: list[str]) -> None:
    def run(note: str) -> str:
        try:
            bundled.route(note, area="戸部本町")
        except ReferralError as exc:
            return _exception_text(exc)
        return ""

    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(run, NOTES * 10))
    assert all(TOKEN not in t for t in texts)
    assert no_writes == []


def test_the_canary_leaves_no_trace_from_the_command_line(tmp_path: Path) -> None:
    """Every command that takes a note, in fresh processes whose home, temporary and working
    folders (and the bundled-data cache, turned on) are empty folders we then search."""
    home, tmp, work, cache = (tmp_path / n for n in ("home", "tmp", "work", "cache"))
    for folder in (home, tmp, work):
        folder.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "REFERRAL_CACHE_DIR": str(cache),
    }
    runs = [
        (["route", NOTES[0], "--area", "戸部本町"], None),
        (["route", "-", "--area", "戸部本町", "--json"], NOTES[0]),
        (["route", NOTES[1], "--area", "戸部本町"], None),
        (["route", "-", "--area", "戸部本町"], NOTES[2]),
        (["route", NOTES[2][:12_000], "--area", "戸部本町"], None),
        (["route", "ゴミ屋敷", "--area", NOTES[0]], None),
        (["match", NOTES[0]], None),
        (["match", NOTES[1], "--json"], None),
        (["match", NOTES[2][:12_000]], None),
        (["where", NOTES[0]], None),
        (["show", NOTES[0]], None),
    ]
    for argv, stdin in runs:
        proc = subprocess.run(
            [sys.executable, "-m", "referral", *argv],
            input=(stdin or "").encode(),
            capture_output=True,
            cwd=work,
            env=env,
            check=False,
        )
        assert proc.returncode in (0, 1, 2)
        assert TOKEN.encode() not in proc.stderr, argv[:2]
        assert b"Traceback" not in proc.stderr
    assert any(cache.iterdir())  # the cache was written: it holds the public data only
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in FORMS), path
    assert not any(work.iterdir()) and not any(tmp.iterdir())


def test_errors_never_quote_a_note_in_full(bundled: Directory) -> None:
    note = NOTES[0]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["route", "ゴミ屋敷", "--area", note])
    assert code == 1 and TOKEN not in err.getvalue() and note[:20] in err.getvalue()


def test_no_network_connection_is_ever_opened(
    bundled: Directory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Matching, routing, analysis, export and the command line open no socket at all."""
    import socket  # noqa: PLC0415

    opened: list[tuple[Any, ...]] = []

    class NoSocket(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            opened.append(args)
            raise OSError("the test forbids sockets")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    note = "80代の母と無職の50代の息子。死にたいと言っている"
    bundled.read(note)
    bundled.route(note, area="戸部本町")
    bundled.coverage(ward="nishi")
    bundled.export("hsds", tmp_path)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["route", note, "--area", "戸部本町", "--json"]) == 0
    assert opened == []
