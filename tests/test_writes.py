"""Writes that cannot lose an edit or harm what is at the path.

Concurrent editors are serialised (no change is lost, and a save over a file changed since it
was read is refused); a save writes only regular files (through a symlink to its regular-file
target), creates new files owner-only (0600) unless public and never widens a file's mode; a
killed save's temporary file is recognisable and removed by the next save of the same file.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import tiny_document, write_document

from referral import DataError, Directory, ReferralError, SaveConflictError, SaveError, editing
from referral._data import dump_document
from referral.models import Document
from referral.synth import generate

ROOT = Path(__file__).resolve().parent.parent
POSIX = hasattr(os, "fork") and hasattr(signal, "SIGKILL")


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process umask for one test (restored after)."""
    old = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def _small(tmp_path: Path) -> tuple[Path, list[str]]:
    doc = generate(wards=2, areas_per_ward=3, seed=1)
    path = write_document(tmp_path / "d.json", doc)
    return path, sorted(a.id for a in doc.agencies)


# -- 1. concurrent editors lose nothing ----------------------------------------------------
def _cli_edit(barrier: object, path: str, agency_id: str, note: str) -> None:
    from referral.cli import main  # noqa: PLC0415 - imported before the fork, in the parent

    barrier.wait()  # type: ignore[attr-defined]
    sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - the child's own stdout
    os._exit(main(["edit", "--data", path, "set", agency_id, f"notes={note}"]))


@pytest.mark.skipif(not POSIX, reason="needs fork")
def test_concurrent_cli_editors_lose_no_change(tmp_path: Path) -> None:
    import referral.cli  # noqa: F401, PLC0415 - loaded once, shared by the forked editors

    path, ids = _small(tmp_path)
    processes, rounds = 8, 3
    ctx = multiprocessing.get_context("fork")
    lost = 0
    for r in range(rounds):
        barrier = ctx.Barrier(processes)
        chosen = ids[r * processes : (r + 1) * processes]
        procs = [
            ctx.Process(target=_cli_edit, args=(barrier, str(path), i, f"round {r} {i}"))
            for i in chosen
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert [p.exitcode for p in procs] == [0] * processes  # every editor said "saved"
        d = Directory.from_path(path)
        lost += sum(d.agency(i).notes != f"round {r} {i}" for i in chosen)
    assert lost == 0
    later = Directory.from_path(path)  # and no round undid an earlier one
    assert all(
        (later.agency(i).notes or "").startswith("round ") for i in ids[: processes * rounds]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]


def test_a_save_over_a_file_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    seen = editing.snapshot(path)
    mine = editing.update_agency(tiny_document(), "w.ward_office", notes="mine")
    theirs = editing.update_agency(tiny_document(), "w.ward_office", notes="theirs")
    editing.save(theirs, path)  # someone else saved after we read
    with pytest.raises(SaveConflictError, match="changed since it was read") as info:
        editing.save(mine, path, expect=seen)
    assert isinstance(info.value, ReferralError) and isinstance(info.value, OSError)
    assert str(path) in str(info.value) and "mine" not in str(info.value)
    assert Directory.from_path(path).document == theirs  # their change survives
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]
    # a file only touched (same bytes) is not a conflict; a fresh snapshot saves
    os.utime(path, (1, 1))
    editing.save(mine, path, expect=editing.snapshot(path))
    assert Directory.from_path(path).document == mine


def test_a_snapshot_of_a_missing_file_refuses_a_file_that_appeared(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    seen = editing.snapshot(path)
    editing.save(tiny_document(), path)
    with pytest.raises(SaveConflictError, match="changed since it was read"):
        editing.save(tiny_document(), path, expect=seen)
    with pytest.raises(DataError, match=r"other\.json"):  # a snapshot of another file
        editing.save(tiny_document(), path, expect=editing.snapshot(tmp_path / "other.json"))


def test_edit_file_changes_the_file_under_the_lock(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    out = editing.edit_file(
        path, lambda doc: editing.update_agency(doc, "w.ward_office", notes="locked")
    )
    assert out == path and Directory.from_path(path).agency("w.ward_office").notes == "locked"
    with editing.locked(path):  # the lock is re-entrant in one process
        editing.edit_file(path, lambda doc: editing.update_agency(doc, "w.ward_office", notes="2"))
    assert Directory.from_path(path).agency("w.ward_office").notes == "2"


def test_edit_file_refuses_when_another_program_writes_meanwhile(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    other = editing.update_agency(tiny_document(), "w.ward_office", notes="other")

    def change(doc: Document) -> Document:
        write_document(path, other)  # a program that takes no lock (a text editor)
        return editing.update_agency(doc, "w.ward_office", notes="mine")

    with pytest.raises(SaveConflictError):
        editing.edit_file(path, change)
    assert Directory.from_path(path).document == other


HOLDER = """
import sys, time
from referral import editing
with editing.locked(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(not editing.CAN_LOCK or not POSIX, reason="needs flock")
def test_a_save_waits_for_the_lock_and_a_killed_holder_frees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    before = path.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        monkeypatch.setattr(editing, "LOCK_TIMEOUT", 0.3)
        new = editing.update_agency(tiny_document(), "w.ward_office", notes="after")
        with pytest.raises(SaveError, match="another process is still saving"):
            editing.save(new, path)
        assert path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    editing.save(new, path)  # the kernel freed the killed holder's lock
    assert Directory.from_path(path).document == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]


def test_threads_editing_one_file_lose_no_change(tmp_path: Path) -> None:
    path, ids = _small(tmp_path)
    threads, rounds = 8, 3

    def edit(agency_id: str, note: str) -> Path:
        return editing.edit_file(
            path, lambda doc: editing.update_agency(doc, agency_id, notes=note)
        )

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for r in range(rounds):
            chosen = ids[r * threads : (r + 1) * threads]
            list(pool.map(edit, chosen, [f"thread {r} {i}" for i in chosen]))
    d = Directory.from_path(path)
    chosen = ids[: threads * rounds]
    assert [d.agency(i).notes for i in chosen] == [
        f"thread {n // threads} {i}" for n, i in enumerate(chosen)
    ]


# -- 6. writes only replace regular files ----------------------------------------------------
def _special(kind: str, where: Path) -> Path:
    path = where / "special"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        try:  # a /dev/null of our own (needs root): writing into it is harmless
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except (PermissionError, AttributeError):
            pytest.skip("cannot make a device node here")
    elif kind == "link to /dev/null":
        path.symlink_to("/dev/null")
    elif kind == "directory":
        path.mkdir()
    else:  # a link to nothing
        path.symlink_to(where / "missing.json")
    return path


SPECIAL = ["fifo", "device", "link to /dev/null", "directory", "dangling link"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX files")
@pytest.mark.parametrize("kind", SPECIAL)
def test_a_save_never_replaces_what_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    path = _special(kind, tmp_path)
    before = os.lstat(path)
    with pytest.raises(SaveError, match=r"not a regular file|missing") as info:
        editing.save(tiny_document(), path)
    assert str(path) in str(info.value)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["special"]  # no temporary left


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="needs /dev/null")
def test_saving_over_dev_null_is_refused() -> None:
    before = Path("/dev/null").stat()
    writes: list[Callable[[], object]] = [
        lambda: editing.save(tiny_document(), "/dev/null"),
        lambda: editing.atomic_write("/dev/null", b"x"),
        lambda: editing.edit_file("/dev/null", lambda doc: doc),
    ]
    for write in writes:
        with pytest.raises(SaveError, match="not a regular file"):
            write()
    assert Path("/dev/null").is_char_device() and Path("/dev/null").stat().st_ino == before.st_ino


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="needs /proc")
def test_the_cli_refuses_a_link_to_its_own_stdout(tmp_path: Path) -> None:
    link = tmp_path / "schema.json"
    link.symlink_to("/proc/self/fd/1")
    run = subprocess.run(
        [sys.executable, "-m", "referral", "schema", "--out", str(link)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert run.returncode != 0 and b"not a regular file" in run.stderr
    assert link.is_symlink() and link.readlink() == Path("/proc/self/fd/1")
    assert run.stdout == b""


def test_a_save_writes_through_a_symlink_to_its_target(tmp_path: Path) -> None:
    real = write_document(tmp_path / "real.json", tiny_document())
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    new = editing.update_agency(tiny_document(), "w.ward_office", notes="through")
    assert editing.save(new, link) == link
    assert link.is_symlink() and link.readlink() == Path("real.json")
    assert Directory.from_path(real).document == new
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_cli_edit_through_a_symlink_changes_the_real_file(tmp_path: Path) -> None:
    from referral.cli import main  # noqa: PLC0415

    real = write_document(tmp_path / "real.json", tiny_document())
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["edit", "--data", str(link), "set", "w.ward_office", "notes=via link"]) == 0
    assert link.is_symlink()
    assert Directory.from_path(real).agency("w.ward_office").notes == "via link"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize(("mask", "public"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o644)])
def test_a_new_file_is_owner_only_unless_public(
    mask: int, public: int, tmp_path: Path, umask: Callable[[int], None]
) -> None:
    from referral.cli import main  # noqa: PLC0415

    umask(mask)
    # a directory (or an export of one) may hold confidential addresses: owner only
    assert editing.save(tiny_document(), tmp_path / "new.json").stat().st_mode & 0o777 == 0o600
    assert editing.atomic_write(tmp_path / "n.csv", b"a\n").stat().st_mode & 0o777 == 0o600
    # public files: 0644 less the umask
    assert editing.atomic_write(tmp_path / "p.csv", b"a\n", mode=0o644).stat().st_mode & 0o777 == (
        public
    )
    assert main(["schema", "--out", str(tmp_path / "schema.json")]) == 0
    assert (tmp_path / "schema.json").stat().st_mode & 0o777 == public


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o666])
def test_an_existing_file_keeps_its_mode(
    mode: int, tmp_path: Path, umask: Callable[[int], None]
) -> None:
    umask(0o022)
    real = write_document(tmp_path / "real.json", tiny_document())
    real.chmod(mode)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    editing.save(tiny_document(), link)  # through a link: the target keeps its own mode
    editing.atomic_write(real, dump_document(tiny_document()).encode())
    assert real.stat().st_mode & 0o777 == mode and link.is_symlink()
    world_writable = [
        p.name
        for p in tmp_path.iterdir()
        if not p.is_symlink() and p.stat().st_mode & 0o002 and mode & 0o002 == 0
    ]
    assert world_writable == []


# -- 7. a killed save's temporary file is removed by the next save ----------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.skipif(not POSIX, reason="needs POSIX processes")
def test_stale_temporary_files_are_removed_by_the_next_save(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            "dead": f".d.json.referral-{_dead_pid()}-abcd1234.tmp",
            "alive": f".d.json.referral-{alive.pid}-abcd1234.tmp",
            "old": f".d.json.referral-{alive.pid}-zzzz9999.tmp",
            "not ours to judge": ".d.json.k3j4h5g6.tmp",  # an old version's, or the user's
            "another file's": f".e.json.referral-{_dead_pid()}-abcd1234.tmp",
            "not a temporary": ".d.json.notes.txt",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"partial")
        long_ago = time.time() - editing.STALE_SECONDS - 60
        for key in ("old", "not ours to judge"):
            os.utime(tmp_path / names[key], (long_ago, long_ago))
        editing.save(tiny_document(), path)
        left = {k for k, n in names.items() if (tmp_path / n).exists()}
        assert left == {"alive", "not ours to judge", "another file's", "not a temporary"}
    finally:
        alive.kill()
        alive.wait()


WRITER = """
import sys
from referral import Directory
d = Directory.from_path(sys.argv[1])
print("ready", flush=True)
while True:
    d.save(sys.argv[2])
"""


@pytest.mark.skipif(not POSIX, reason="needs POSIX signals")
def test_saves_killed_mid_write_leave_nothing_after_the_next_save(tmp_path: Path) -> None:
    source = write_document(tmp_path / "source.json", generate(wards=6, areas_per_ward=6, seed=3))
    work = tmp_path / "work"
    work.mkdir()
    path = work / "d.json"
    cleaned = 0
    for attempt in range(30):  # until three kills have landed inside a write
        if cleaned >= 3:
            break
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(source), str(path)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(0.1 + 0.07 * (attempt % 5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        leftovers = {p.name for p in work.iterdir()} - {"d.json"}
        assert all(re.fullmatch(r"\.d\.json\.referral-\d+-\w{8}\.tmp", n) for n in leftovers)
        if leftovers:
            Directory(tiny_document()).save(path)  # the next save of the same file cleans up
            assert [p.name for p in work.iterdir()] == ["d.json"]
            cleaned += 1
    assert cleaned >= 3
