"""The command line's cache of the bundled directory: same results, never trusted blindly,
never fatal, never holding a user's own file or a note."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from referral import Directory, _cache, directory, matching
from referral._data import bundled_path
from referral.cli import main
from referral.matching import default_matcher

NOTE = "母親が認知症で、50代の息子がひきこもり。家はゴミ屋敷"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder for one test; the process-wide bundled objects are restored after."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("REFERRAL_CACHE_DIR", str(folder))
    saved_dir, saved_match = list(directory._BUNDLED), dict(matching._BUNDLED)
    yield folder
    directory._BUNDLED[:] = saved_dir
    matching._BUNDLED.clear()
    matching._BUNDLED.update(saved_match)


def _fresh_process() -> None:
    directory._BUNDLED.clear()
    matching._BUNDLED.clear()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("bundled-*")) if folder.exists() else []


def _key_of(file: Path) -> str:
    return file.name.removeprefix("bundled-").removesuffix(".cache")


def test_second_run_comes_from_the_cache_and_gives_the_same_answers(
    cache: Path, bundled: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh_process()
    first = _cache.load_bundled()
    (file,) = _files(cache)
    assert file.stat().st_mode & 0o777 == 0o600 and cache.stat().st_mode & 0o777 == 0o700
    _fresh_process()

    def no_validation(*_: object, **__: object) -> None:
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(directory, "bundled_document", no_validation)
    again = _cache.load_bundled()
    assert again is not first and Directory.load() is again
    assert again.document == bundled.document
    assert again.route(NOTE, area="戸部本町") == bundled.route(NOTE, area="戸部本町")
    assert default_matcher().match(NOTE) == matching.Matcher(matching.load_concerns()).match(NOTE)
    assert again._route_index == bundled._route_index


def test_off_means_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REFERRAL_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() is None
    assert main(["route", NOTE, "--area", "戸部本町"]) == 0
    assert "ケアプラザ" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda f: f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2]),  # truncated
        lambda f: f.write_bytes(b"not a cache"),
        lambda f: f.write_bytes(_cache._encode(("a", "b"), _key_of(f))),  # wrong contents
        lambda f: f.chmod(0o666),  # others may write it: never loaded
        lambda f: f.parent.chmod(0o777),  # others may write the folder: never loaded
    ],
)
def test_a_bad_cache_file_is_ignored_and_replaced(cache: Path, spoil: object) -> None:
    _fresh_process()
    _cache.load_bundled()
    (file,) = _files(cache)
    spoil(file)  # type: ignore[operator]
    _fresh_process()
    d = _cache.load_bundled()
    assert d.route(["hoarding"], area="戸部本町").suggestions
    cache.chmod(0o700)
    (again,) = _files(cache)
    assert _cache._decode(again.read_bytes(), _key_of(again))[0].document == d.document


def test_a_changed_data_file_or_module_means_a_new_entry(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh_process()
    _cache.load_bundled()
    (old,) = _files(cache)
    data = tmp_path / "agencies.json"
    data.write_bytes(bundled_path().read_bytes())
    monkeypatch.setattr(_cache, "bundled_path", lambda: data)
    os.utime(data, ns=(1, 1))
    assert _cache._key(data) == _key_of(old)  # the same bytes: the same entry
    data.write_bytes(bundled_path().read_bytes() + b"\n")  # valid JSON, other bytes
    assert _cache._key(data) != _key_of(old)
    _fresh_process()
    _cache.load_bundled()
    (new,) = _files(cache)
    assert new.name != old.name
    module = tmp_path / "module.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(_cache, "_package_files", lambda: [module])
    before = _cache._key(data)
    module.write_text("x = 2\n")  # the same size, other code
    assert _cache._key(data) != before


def test_an_unwritable_cache_never_fails_a_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    monkeypatch.setenv("REFERRAL_CACHE_DIR", str(blocker / "cache"))
    saved = list(directory._BUNDLED)
    try:
        _fresh_process()
        assert main(["route", "ゴミ屋敷", "--area", "戸部本町"]) == 0
    finally:
        directory._BUNDLED[:] = saved
    assert "ゴミ屋敷" in capsys.readouterr().out


def test_a_users_own_file_is_never_cached(cache: Path, tiny_path: Path) -> None:
    assert main(["route", "ゴミ屋敷", "--area", "w.a", "--data", str(tiny_path)]) in (0, 1)
    assert not cache.exists()
