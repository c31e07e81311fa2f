"""The command line's cache when the environment is odd (no home, relative folders) or the
cache file was edited or crafted: commands still work, and only the true data is served."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import pwd
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# -- no home, relative folders -------------------------------------------------------------
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


# -- an edited or crafted cache ------------------------------------------------------------
@pytest.fixture(scope="module")
def _written(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """The cache file one command writes (made once: it takes seconds)."""
    folder = tmp_path_factory.mktemp("written") / "cache"
    saved_dir, saved_match = list(directory._BUNDLED), dict(matching._BUNDLED)
    directory._BUNDLED.clear()
    matching._BUNDLED.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REFERRAL_CACHE_DIR", str(folder))
        _cache.load_bundled()
    directory._BUNDLED[:] = saved_dir
    matching._BUNDLED.clear()
    matching._BUNDLED.update(saved_match)
    (file,) = _cache_files(folder)
    return file.name, file.read_bytes()


@pytest.fixture
def cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None, _written: tuple[str, bytes]
) -> Path:
    """A cache folder as one command leaves it (the next command is a new process)."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    name, content = _written
    (folder / name).write_bytes(content)
    (folder / name).chmod(0o600)
    monkeypatch.setenv("REFERRAL_CACHE_DIR", str(folder))
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


def _framed(key: str, shapes: list[list[object]], constants: list[object], ops: list[int]) -> bytes:
    """A cache file in the current format, its digest right (as a forger would make it)."""
    header = {"format": _cache._FORMAT, "key": key, "shapes": shapes, "constants": constants}
    return _cache._frame(json.dumps(header).encode() + b"\n" + _cache._pack(ops))


@pytest.mark.parametrize(
    ("module", "name", "kind", "fields"),
    [
        ("os", "mkdir", "o", ["path"]),
        ("builtins", "eval", "o", ["source"]),
        ("subprocess", "Popen", "o", ["args"]),
        ("referral.__main__", "main", "o", ["argv"]),  # never imported because it is named
        ("referral.models", "_restore", "o", ["cls"]),  # a function of an allowed module
        ("referral.directory", "Path", "o", ["path"]),  # a class it imports, not its own
        ("referral.rules", "Rule", "s", ["__class__"]),  # not a slot of the class
        ("referral.directory", "Directory", "s", ["source"]),  # the wrong kind
    ],
)
def test_a_forged_cache_file_builds_nothing_but_the_packages_records(
    cache: Path, tmp_path: Path, module: str, name: str, kind: str, fields: list[str]
) -> None:
    marker = tmp_path / "ran"
    (file,) = _cache_files(cache)
    key = file.name.removeprefix("bundled-").removesuffix(".cache")
    shapes: list[list[object]] = [[module, name, kind, fields, None]]
    file.write_bytes(_framed(key, shapes, [str(marker)], [_cache._RECORD, 1, 0]))
    with pytest.raises((ValueError, KeyError)):
        _cache._decode(file.read_bytes(), key)
    assert _cache._read(file, key) is None  # refused, and removed to be rebuilt
    assert not file.exists() and not marker.exists()
    if module == "referral.__main__":
        assert module not in sys.modules  # naming a module never imports it


@pytest.mark.parametrize(
    "content", ["empty", "blank lines", "wrong digest", "another key", "no objects"]
)
def test_a_cache_file_that_is_not_this_ones_is_refused(cache: Path, content: str) -> None:
    (file,) = _cache_files(cache)
    key = file.name.removeprefix("bundled-").removesuffix(".cache")
    file.write_bytes(
        {
            "empty": b"",
            "blank lines": b"\n\n",
            "wrong digest": b"0" * 64 + file.read_bytes()[64:],
            "another key": _cache._encode((1, 2.5), "another key"),
            "no objects": _framed(key, [], [], []),  # a right digest and key
        }[content]
    )
    assert _cache._read(file, key) is None
    assert not file.exists()


def _same(a: Any, b: Any, seen: dict[int, int]) -> None:
    """``b`` is ``a`` rebuilt: the same types and values all the way down, and an object
    reached twice in ``a`` is one object in ``b`` (strings and dates may be shared more)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, str | int | float | bool | dt.date) or a is None:
        assert a == b or (a != a and b != b)  # noqa: PLR0124 - NaN
        return
    if id(a) in seen:
        assert seen[id(a)] == id(b)
        return
    seen[id(a)] = id(b)
    if isinstance(a, list | tuple) and type(a) in (list, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y, seen)
    elif isinstance(a, set | frozenset):
        assert a == b
    elif isinstance(a, dict):
        assert list(a) == list(b)
        assert getattr(a, "default_factory", None) is getattr(b, "default_factory", None)
        for k in a:
            _same(a[k], b[k], seen)
    elif isinstance(a, re.Pattern):
        assert (a.pattern, a.flags) == (b.pattern, b.flags)
    else:
        _same_object(a, b, seen)


def _same_object(a: Any, b: Any, seen: dict[int, int]) -> None:
    """:func:`_same` for any other object: its pydantic state, its items when it is a tuple
    with attributes, then its slots and its ``__dict__``."""
    if isinstance(a, pydantic.BaseModel):
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
        assert b.__pydantic_extra__ is None and b.__pydantic_private__ is None
    if isinstance(a, tuple):  # a tuple with attributes: its items, then those
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y, seen)
    slots = [n for c in type(a).__mro__ for n in getattr(c, "__slots__", ())]
    for n in (s for s in slots if not s.startswith("__")):
        assert hasattr(a, n) == hasattr(b, n)
        if hasattr(a, n):
            _same(getattr(a, n), getattr(b, n), seen)
    if hasattr(a, "__dict__"):
        assert list(vars(a)) == list(vars(b))
        for k, v in vars(a).items():
            _same(v, vars(b)[k], seen)


def test_the_cache_gives_back_exactly_what_was_built(fresh: None) -> None:
    d = directory.Directory.load()
    d._route_index, d._area_index  # noqa: B018
    built = (d, matching.default_matcher())
    again = _cache._decode(_cache._encode(built, "k"), "k")
    _same(built, again, {})
    assert again[0].route(NOTE, area="戸部本町") == d.route(NOTE, area="戸部本町")
    agency = again[0].document.agencies[0]
    assert again[0].agency(agency.id) is agency  # shared as built, not copied


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.frozensets(st.text(max_size=3) | st.integers(), max_size=4)
        | st.sets(st.tuples(st.text(max_size=3)), max_size=4)
        | st.dictionaries(st.text(max_size=3) | st.tuples(st.integers()), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(value=_values)
def test_any_graph_of_builtins_comes_back_the_same(value: Any) -> None:
    shared = [value, -0.0]
    root = (shared, shared, value)  # a list reached twice stays one list
    again = _cache._decode(_cache._encode(root, "k"), "k")
    _same(root, again, {})
    assert again[0] is again[1]
    assert str(again[0][1]) == "-0.0"


@pytest.mark.parametrize(
    "value",
    [
        [lambda: None],  # a function
        {"f": os.system},  # a builtin function
        (Path("x"),),  # a class outside the package
        pytest.param("cycle", id="cycle"),
    ],
)
def test_what_the_format_cannot_hold_is_refused_when_written(value: Any) -> None:
    if value == "cycle":
        value = []
        value.append(value)
    with pytest.raises(_cache._UnencodableError):
        _cache._encode((value,), "k")
