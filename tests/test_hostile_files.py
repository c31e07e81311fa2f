"""Hostile data files: files made to exhaust memory, time or patience are refused with bounded
memory and work and a clear message naming the file.

Memory is measured with ``tracemalloc`` (bytes Python allocates; the JSON parser's and
pydantic-core's own buffers are native and not traced), work by counting, never by the clock.
Reading devices and pipes runs in a child process, so a regression fails the test instead of
hanging the suite or filling the machine's memory.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pydantic
import pytest
from helpers import tiny_raw_document
from rapidfuzz import process
from test_adversarial import _work

from referral import (
    ArgumentError,
    ArgumentTypeError,
    DataFileError,
    Directory,
    Document,
    ValidationError,
)
from referral._data import bundled_path, read_bytes
from referral._schema import MissingFieldError, validator
from referral.cli import main
from referral.errors import Omitted
from referral.validation import MAX_PROBLEMS, MAX_SUGGESTIONS, validate_data

ROOT = Path(__file__).resolve().parents[1]

# -- 2. amplification: a small file that asks for a great many problems --------------------
AMPLIFIERS: dict[str, tuple[Callable[[], bytes], int]] = {  # the file, and its problem count
    "300,000 empty agencies": (
        lambda: b'{"agencies": [' + b"{}," * 299_999 + b"{}]}",
        4 + 300_000 * 8,  # the header's four missing fields, eight per agency
    ),
    "a million ones": (lambda: b'{"agencies": [' + b"1," * 999_999 + b"1]}", 4 + 1_000_000),
    "one agency with 200,000 bad phone numbers": (
        lambda: b'{"agencies": [{"phones": [' + b'"",' * 199_999 + b'""]}]}',
        4 + 8 + 200_000,  # and the agency's eight missing fields
    ),
    "one agency with 100,000 unknown fields": (
        lambda: b'{"agencies": [{' + b",".join(b'"%x": 0' % i for i in range(100_000)) + b"}]}",
        4 + 8 + 100_000,
    ),
}

MEMORY_FACTOR = 40
"""Peak traced memory while refusing an amplifying file is at most this many times its size
(decoding JSON into Python objects alone costs up to about 30 times: an empty object, 64
bytes, is written in 3)."""


def _write(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "hostile.json"
    path.write_bytes(AMPLIFIERS[name][0]())
    return path


@pytest.mark.parametrize("name", list(AMPLIFIERS))
def test_an_amplifying_file_is_refused_in_memory_proportional_to_its_size(
    tmp_path: Path, name: str
) -> None:
    path = _write(tmp_path, name)
    size, total = path.stat().st_size, AMPLIFIERS[name][1]
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as info:
            Directory.from_path(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= MEMORY_FACTOR * size, f"{peak / size:.1f} bytes per input byte"
    err = info.value
    assert err.total == total
    listed = len(err.problems) - 1
    # up to MAX_PROBLEMS listed (of one record with too many faults, those found when each
    # list stops at its first bad item), the rest counted
    assert 0 < listed <= MAX_PROBLEMS and (name != "a million ones" or listed == MAX_PROBLEMS)
    last = err.problems[-1]
    assert isinstance(last, Omitted) and last.count == total - listed
    assert last.message == (
        f"… and {total - listed:,} more problems (only the first {MAX_PROBLEMS:,} are listed)"
    )
    assert str(err).startswith(f"{path}: {total:,} problems: $.")
    assert str(err).endswith(f"(and {total - 1:,} more)")


def test_validate_lists_the_first_problems_then_how_many_more(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(b'{"agencies": [' + b"1," * 4_999 + b"1]}")
    code, lines = _cli(["validate", str(path)])
    assert code == 2 and len(lines) == MAX_PROBLEMS + 2
    assert (
        lines[4]
        == f"{path}: $.agencies[0]: Input should be a valid dictionary or instance of Agency"
    )
    assert lines[-2] == (
        f"{path}: $: … and {5_004 - MAX_PROBLEMS:,} more problems (only the first "
        f"{MAX_PROBLEMS:,} are listed)"
    )
    assert lines[-1] == f"{path}: 5,004 problems"


def test_the_fast_check_stops_at_the_first_bad_item_and_builds_the_same_document() -> None:
    header = json.dumps({k: v for k, v in tiny_raw_document().items() if k != "agencies"})
    hostile = header[:-1].encode() + b', "agencies": [' + b"1," * 9_999 + b"1]}"
    with pytest.raises(pydantic.ValidationError) as info:
        validator(Document, "check").validate_json(hostile)
    assert info.value.error_count() == 1  # not 10,000: pydantic kept the fail-fast lists
    with pytest.raises(MissingFieldError):  # a missing field stops it at once
        validator(Document, "check").validate_json(b'{"agencies": [' + b"{}," * 999 + b"{}]}")
    data = bundled_path().read_bytes()
    fast, plain = (
        validator(Document, "check").validate_json(data),
        Document.model_validate_json(data),
    )
    assert fast == plain and fast.model_fields_set == plain.model_fields_set
    assert all(
        a.model_fields_set == b.model_fields_set
        for a, b in zip(fast.agencies, plain.agencies, strict=True)
    )


# -- 3. many dangling links: linear work, did-you-mean for the first few only ----------------
def _dangling(n: int) -> dict[str, Any]:
    """The tiny directory with ``n`` more agencies and ``n`` links to agencies that are not
    there (each a near miss of an agency that is)."""
    data = tiny_raw_document()
    model = next(a for a in data["agencies"] if a["id"] == "w.a.care_plaza")
    for i in range(n):
        data["agencies"].append({**model, "id": f"w.a.extra{i}"})
        data["links"].append(
            {
                "source": f"w.a.extra{i}",
                "target": f"w.a.extra{i}x",
                "kind": "connects_to",
                "sources": [{"source": "test"}],
            }
        )
    return data


def _compared(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, Any]:
    """Python calls made validating ``data``, and the ids did-you-mean compared against."""
    compared = 0
    extract = process.extract  # what referral._suggest.suggest calls

    def counting(query: str, choices: Any, **kwargs: Any) -> Any:
        nonlocal compared
        choices = list(choices)
        compared += len(choices)
        return extract(query, choices, **kwargs)

    monkeypatch.setattr(process, "extract", counting)
    calls, result = _work(lambda: validate_data(data))
    return calls, compared, result


def test_dangling_links_cost_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = _dangling(500), _dangling(2_000)
    calls_small, compared_small, (doc, problems) = _compared(small, monkeypatch)
    calls_large, compared_large, (doc_large, problems_large) = _compared(large, monkeypatch)
    assert doc is None and doc_large is None
    assert len(problems) == 500 and len(problems_large) == MAX_PROBLEMS + 1
    assert compared_small > 0  # did-you-mean went through the counter
    assert problems[0].message.startswith("unknown agency 'w.a.extra0x'; did you mean 'w.a.")
    assert problems[MAX_SUGGESTIONS].message == f"unknown agency 'w.a.extra{MAX_SUGGESTIONS}x'"
    # four times the links and agencies: at most four times the calls (plus a constant) ...
    assert calls_large <= 4 * calls_small + 50_000, (calls_small, calls_large)
    # ... and did-you-mean compares the first few misses with each agency, not every miss
    agencies = len(large["agencies"])
    assert compared_large <= MAX_SUGGESTIONS * agencies, compared_large
    assert compared_small <= MAX_SUGGESTIONS * len(small["agencies"]), compared_small


# -- 4. devices, pipes and links to them are refused, never read -----------------------------
CHILD = r"""
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression fails, not swaps
from referral import Directory, DataFileError
from referral.hsds import read_hsds
from referral.cli import main
case, path = sys.argv[1], sys.argv[2]
if case == "hsds":
    try:
        read_hsds(path)
        print(json.dumps("read"))
    except DataFileError as exc:
        print(json.dumps(str(exc)))
elif case == "library":
    try:
        Directory.from_path(path)
        print(json.dumps("read"))
    except DataFileError as exc:
        print(json.dumps(str(exc)))
else:
    sys.exit(main([case, "--data", path] if case == "agencies" else [case, path]))
"""


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


def _link_to_zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.json"
    path.symlink_to("/dev/zero")
    return path


def _hsds_folder(tmp_path: Path) -> Path:
    (tmp_path / "services.json").write_text("[]")
    (tmp_path / "organizations.json").symlink_to("/dev/zero")
    return tmp_path


SPECIAL: dict[str, tuple[Callable[[Path], Path], str, str]] = {  # the path, what is said
    "/dev/zero": (lambda _: Path("/dev/zero"), "", "is a character device"),
    "a FIFO": (_fifo, "", "is a named pipe (FIFO)"),
    "a symlink to /dev/zero": (_link_to_zero, "", "links to /dev/zero, a character device"),
    "an HSDS folder with a member linked to /dev/zero": (
        _hsds_folder,
        "organizations.json",
        "links to /dev/zero, a character device",
    ),
}


def _child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, not a measure of speed
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


@pytest.mark.parametrize("name", list(SPECIAL))
def test_devices_and_pipes_are_refused_without_reading(tmp_path: Path, name: str) -> None:
    make, member, what = SPECIAL[name]
    path = make(tmp_path)
    named = path / member if member else path
    message = f"{named}: {what}, not a regular file; only regular files are read"
    if member:
        proc = _child("hsds", str(path))
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == message
        return
    proc = _child("library", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == message
    for command in ("validate", "agencies"):
        proc = _child(command, str(path))
        assert (proc.returncode, proc.stderr) == (2, f"referral: error: {message}\n")


# -- 15. a size limit that is no size ---------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "0", "1e400"])
def test_a_max_mb_that_is_no_size_is_a_usage_error(tiny_path: Path, value: str) -> None:
    code, lines = _cli(["validate", "--lang", "en", f"--max-mb={value}", str(tiny_path)])
    assert code == 2
    shown = f"{float(value):g}"
    assert lines == [f"referral: --max-mb must be a positive, finite number of MB, not {shown}"]
    code, lines = _cli(["validate", f"--max-mb={value}", str(tiny_path)])  # Japanese by default
    assert code == 2 and lines[0].startswith("referral: --max-mb には正の有限の数（MB）を指定")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (float("inf"), ArgumentTypeError, "max_bytes must be an int, not float"),
        (1e6, ArgumentTypeError, "max_bytes must be an int, not float"),
        (True, ArgumentTypeError, "max_bytes must be an int, not bool"),
        ("64", ArgumentTypeError, "max_bytes must be an int, not str"),
        (0, ArgumentError, "max_bytes must be at least 1, not 0"),
        (-5, ArgumentError, "max_bytes must be at least 1, not -5"),
    ],
)
def test_a_max_bytes_that_is_no_size_is_refused(
    tiny_path: Path, value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        Directory.from_path(tiny_path, max_bytes=value)
    assert str(info.value) == message


def test_a_huge_max_bytes_reads_the_file(tiny_path: Path) -> None:
    assert Directory.from_path(tiny_path, max_bytes=10**30).agencies


@pytest.mark.parametrize(("limit", "read"), [(1_000, False), (5_000, True)])
def test_a_file_that_grows_while_it_is_read_is_read_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, read: bool
) -> None:
    path = tmp_path / "growing.json"
    path.write_bytes(b"x" * 3_000)
    real = os.fstat

    def stale(fd: int) -> Any:  # the size seen when the file was opened: 10 bytes
        info = real(fd)
        return os.stat_result((*info[:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", stale)
    if read:
        assert read_bytes(path, max_bytes=limit) == b"x" * 3_000
    else:
        with pytest.raises(DataFileError) as info:
            read_bytes(path, max_bytes=limit)
        assert str(info.value) == f"{path}: file grew past the limit of 0 MB while it was read"


def _cli(argv: list[str]) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue().splitlines()
