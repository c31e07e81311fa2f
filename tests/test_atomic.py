"""Nothing lost: every write goes through the atomic save, and a writer killed at any moment
leaves the old or the new valid file, never a broken one."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from referral import Directory
from referral.synth import generate

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from referral import Directory
from referral.synth import generate
versions = [Directory(generate(wards=3, areas_per_ward=4, seed=s)) for s in (1, 2)]
print("ready", flush=True)
i = 0
while True:
    versions[i % 2].save(sys.argv[1])
    i += 1
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_writer_killed_at_random_moments_leaves_a_valid_file(tmp_path: Path) -> None:
    versions = [generate(wards=3, areas_per_ward=4, seed=s) for s in (1, 2)]
    path = tmp_path / "directory.json"
    Directory(versions[0]).save(path)
    rng = random.Random(7)
    outcomes: set[int] = set()
    for attempt in range(40):  # at least 12 kills, until both versions have been seen
        if attempt >= 12 and outcomes == {0, 1}:
            break
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.25))  # somewhere inside a save: write, fsync or rename
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        doc = Directory.from_path(path).document  # always loads: old or new, never half
        assert doc in versions
        outcomes.add(versions.index(doc))
    assert outcomes == {0, 1}  # the kills landed between saves of both versions
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != path.name]
    assert all(re.fullmatch(r"\.directory\.json\..+\.tmp", n) for n in leftovers), leftovers


def test_every_write_in_the_package_goes_through_the_atomic_save() -> None:
    """The only code that opens a file for writing is editing.atomic_write (a records
    database is written by SQLite itself, with its own journal: see tests/test_records.py)."""
    writes = re.compile(
        r"\bopen\([^)]*['\"](?:[wax]|r\+)[bt+]*['\"]|write_text\(|write_bytes\(|\bmkstemp\(|\bfdopen\(|"
        r"os\.replace\(|\.replace\(target\)|os\.rename\(|shutil\.(copy|move)|savefig\(|to_csv\("
    )
    found = {}
    for source in sorted((ROOT / "referral").glob("*.py")):
        for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if writes.search(line) and not line.lstrip().startswith("#"):
                found[f"{source.name}:{n}"] = line.strip()
    allowed = {k for k, v in found.items() if k.startswith("editing.py:")}
    assert set(found) == allowed, found
    assert len(allowed) >= 3  # mkstemp, fdopen, rename: all inside atomic_write
    text = (ROOT / "referral" / "editing.py").read_text(encoding="utf-8")
    body = text[text.index("def atomic_write") :]  # the last function of the module
    assert all(found[k] in body for k in allowed)
