"""The command line's cache when the environment is odd (no home, relative folders) or the
cache file was edited or crafted: commands still work, and only the true data is served."""

from __future__ import annotations

import os
import pickle
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from referral import _cache, directory, matching
from referral._data import bundled_path
from referral.cli import main

NOTE = "ゴミ屋敷"
PLAZA = "nishi.tobe_honcho.care_plaza"
PHONE = "045-321-3300"  # the care plaza's number in the bundled data
FAKE = "045-321-3309"  # one digit off: the same size, in no record


@pytest.fixture
def fresh() -> Iterator[None]:
    """Each test starts as a new process would; the shared bundled objects are restored."""
    saved_dir, saved_match = list(directory._BUNDLED), dict(matching._BUNDLED)
    directory._BUNDLED.clear()
    matching._BUNDLED.clear()
    yield
    directory._BUNDLED[:] = saved_dir
    matching._BUNDLED.clear()
    matching._BUNDLED.update(saved_match)


def _no_passwd(uid: int) -> pwd.struct_passwd:
    raise KeyError(f"getpwuid(): uid not found: {uid}")


def _no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a container run under a uid with no passwd entry and no HOME."""
    for name in ("HOME", "XDG_CACHE_HOME", "REFERRAL_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd)


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("bundled-*")) if folder.exists() else []


# -- finding 12: no home, relative folders -------------------------------------------------
def test_with_no_home_there_is_no_cache_and_commands_work(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fresh: None,
) -> None:
    _no_home(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError):
        Path.home()  # the situation is real: Python cannot say where home is
    assert _cache.cache_dir() is None
    assert main(["route", NOTE, "--area", "戸部本町"]) == 0
    assert main(["show", PLAZA]) == 0
    out = capsys.readouterr().out
    assert "ケアプラザ" in out and PHONE in out
    assert list(tmp_path.iterdir()) == []  # nothing written where the command ran


def test_with_no_home_a_new_process_works(tmp_path: Path) -> None:
    """``env -u HOME`` under a uid without a passwd entry (simulated: ``pwd.getpwuid``
    raises ``KeyError``, as it does for such a uid)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HOME", "XDG_CACHE_HOME", "REFERRAL_CACHE_DIR")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(Path(_cache.__file__).parents[1]), *sys.path])
    code = (
        "import pwd, runpy, sys\n"
        "def no_entry(uid): raise KeyError(uid)\n"
        "pwd.getpwuid = no_entry\n"
        "sys.argv = ['referral', *sys.argv[1:]]\n"
        "runpy.run_module('referral', run_name='__main__')\n"
    )
    for argv in (["route", NOTE, "--area", "戸部本町"], ["show", PLAZA]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        assert PHONE in proc.stdout.decode()
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CACHE_HOME": "rel/cache"}, "{home}/.cache/referral"),  # relative: ignored (XDG)
        ({"XDG_CACHE_HOME": ""}, "{home}/.cache/referral"),  # empty: as if unset
        ({"XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/referral"),
        ({"REFERRAL_CACHE_DIR": "~/mine"}, "{home}/mine"),  # ~ is the home folder
        ({"REFERRAL_CACHE_DIR": "~"}, "{home}"),
        ({"REFERRAL_CACHE_DIR": "{tmp}/abs"}, "{tmp}/abs"),
        ({"REFERRAL_CACHE_DIR": "relative/dir"}, None),  # relative: refused, no cache
        ({"REFERRAL_CACHE_DIR": "./x"}, None),
        ({"REFERRAL_CACHE_DIR": "OFF"}, None),
        ({"HOME": "relative-home"}, None),  # a home that is not absolute is no home
        ({"HOME": ""}, None),
    ],
)
def test_the_cache_folder_is_absolute_or_there_is_none(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    expected: str | None,
) -> None:
    home = tmp_path / "home"
    for name in ("XDG_CACHE_HOME", "REFERRAL_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    got = _cache.cache_dir()
    if expected is None:
        assert got is None
    else:
        assert got == Path(expected.format(home=home, tmp=tmp_path))
        assert got.is_absolute()


@pytest.mark.parametrize(
    "env", [{"XDG_CACHE_HOME": "rel"}, {"REFERRAL_CACHE_DIR": "rel"}, {"HOME": "rel"}]
)
def test_a_relative_setting_never_writes_where_the_command_runs(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fresh: None,
    env: dict[str, str],
) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    monkeypatch.delenv("REFERRAL_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(work)
    assert main(["route", NOTE, "--area", "戸部本町"]) == 0
    assert "ケアプラザ" in capsys.readouterr().out
    assert list(work.iterdir()) == []


# -- finding 13: an edited or crafted cache ------------------------------------------------
@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> Path:
    """A cache folder, filled by one command (then the process is 'new' again)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("REFERRAL_CACHE_DIR", str(folder))
    _cache.load_bundled()
    directory._BUNDLED.clear()
    matching._BUNDLED.clear()
    return folder


def test_an_edited_cache_is_detected_and_the_true_number_served(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert FAKE not in bundled_path().read_text(encoding="utf-8")
    (file,) = _cache_files(cache)
    raw = file.read_bytes()
    assert PHONE.encode() in raw
    edited = raw.replace(PHONE.encode(), FAKE.encode())
    assert len(edited) == len(raw)
    file.write_bytes(edited)
    assert main(["show", PLAZA]) == 0
    assert main(["route", NOTE, "--area", "戸部本町"]) == 0
    out = capsys.readouterr().out
    assert PHONE in out and FAKE not in out
    (again,) = _cache_files(cache)  # rebuilt: the edit is gone
    assert FAKE.encode() not in again.read_bytes()


class _Plant:
    """Unpickling this makes a folder (what a crafted cache file would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.mkdir, (str(self.marker),))


def _crafted(kind: str, marker: Path, real: bytes) -> bytes:
    if kind == "pickle":
        return pickle.dumps((_Plant(marker), _Plant(marker)))
    if kind == "pickle-after-header":  # the real first line, then a pickle
        return real.split(b"\n", 1)[0] + b"\n" + pickle.dumps(_Plant(marker))
    if kind == "json-naming-a-function":
        return b'{"o": ["os.mkdir", [' + repr(str(marker)).replace("'", '"').encode() + b"]]}"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["pickle", "pickle-after-header", "json-naming-a-function"])
def test_a_crafted_cache_file_never_runs(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    marker = tmp_path / "ran"
    (file,) = _cache_files(cache)
    file.write_bytes(_crafted(kind, marker, file.read_bytes()))
    file.chmod(0o600)
    assert main(["show", PLAZA]) == 0
    assert PHONE in capsys.readouterr().out
    assert not marker.exists()
