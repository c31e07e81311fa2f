"""Editing a directory file: the dry-run diff beside the save it previews, and editors at once.

1. In this process, on a copy of the bundled file (and, in full runs, on a synthetic
   prefecture of about 33 MB): ``editing.diff(old, new)`` beside ``editing.save(new)`` for one
   body's notes changed (the middle body by id), alternating, median of several runs.
2. The commands, each a new process: ``referral edit --data COPY --dry-run set ID notes=…``
   beside the same without ``--dry-run`` (which reads, changes and saves under the file's
   lock), alternating, median.
3. Editors at once: P processes started together, R rounds, each setting a different body's
   notes on one copy of the bundled file; the changes lost (there must be none), the editors
   that failed, and seconds per round (the saves take turns on the lock).

Seconds are this machine's; compare the ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _in_process(path: Path, runs: int) -> dict[str, Any]:
    from referral import Directory, editing  # noqa: PLC0415

    old = Directory.from_path(path, max_bytes=2**31).document
    ids = sorted(a.id for a in old.agencies)
    new = editing.update_agency(old, ids[len(ids) // 2], notes="checked by phone")
    diff_s: list[float] = []
    save_s: list[float] = []
    for _ in range(runs):
        diff_s.append(_median(lambda: editing.diff(old, new), 1))
        save_s.append(_median(lambda: editing.save(new, path), 1))
    d, s = statistics.median(diff_s), statistics.median(save_s)
    return {"mb": path.stat().st_size / 1e6, "diff_s": d, "save_s": s, "ratio": d / s}


def _cli(path: Path, agency_id: str, note: str, *, dry_run: bool) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "referral", "edit", "--data", str(path)]
    cmd += ["--dry-run"] if dry_run else []
    cmd += ["set", agency_id, f"notes={note}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFERRAL_CACHE_DIR": "off"}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _commands(path: Path, runs: int) -> dict[str, Any]:
    dry: list[float] = []
    save: list[float] = []
    for i in range(runs):
        for dry_run, out in ((True, dry), (False, save)):
            t = time.perf_counter()
            proc = _cli(path, "nishi.ward_office", f"run {i}", dry_run=dry_run)
            proc.communicate()
            out.append(time.perf_counter() - t)
    d, s = statistics.median(dry), statistics.median(save)
    return {"dry_run_s": d, "save_s": s, "ratio": d / s}


def _editors(path: Path, processes: int, rounds: int) -> dict[str, Any]:
    from referral import Directory  # noqa: PLC0415

    ids = sorted(a.id for a in Directory.from_path(path).agencies)
    step = max(1, len(ids) // (processes * rounds))
    lost = failed = 0
    seconds = []
    for r in range(rounds):
        chosen = [ids[(r * processes + p) * step] for p in range(processes)]
        t = time.perf_counter()
        procs = [_cli(path, i, f"editor {r} {i}", dry_run=False) for i in chosen]
        failed += sum(p.wait() != 0 for p in procs)
        seconds.append(time.perf_counter() - t)
        for p in procs:
            if p.stderr is not None:
                p.stderr.close()
        d = Directory.from_path(path)
        lost += sum(d.agency(i).notes != f"editor {r} {i}" for i in chosen)
    return {
        "processes": processes,
        "rounds": rounds,
        "changes": processes * rounds,
        "lost": lost,
        "failed": failed,
        "round_s": statistics.median(seconds),
    }


def run(
    *, quick: bool = False, runs: int | None = None, editors: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The figures; ``runs`` and ``editors`` (processes, rounds) shorten a smoke test."""
    from referral._data import bundled_path  # noqa: PLC0415

    runs = runs or (3 if quick else 7)
    processes, rounds = editors or ((4, 2) if quick else (8, 3))
    with tempfile.TemporaryDirectory(prefix="referral-edit-") as tmp:
        copy = Path(tmp) / "agencies.json"
        shutil.copyfile(bundled_path(), copy)
        result: dict[str, Any] = {"runs": runs, "bundled": _in_process(copy, runs)}
        if not quick:
            from referral import Directory  # noqa: PLC0415
            from referral.synth import generate  # noqa: PLC0415

            big = Path(tmp) / "prefecture.json"
            Directory(generate(wards=60, areas_per_ward=20, seed=1)).save(big)
            result["prefecture"] = _in_process(big, 3)
        result["commands"] = _commands(copy, runs)
        result["editors"] = _editors(copy, processes, rounds)
    return result


def report(r: dict[str, Any]) -> str:
    lines = [f"Dry-run diff beside the save it previews (one body's notes), median of {r['runs']}"]
    for name in ("bundled", "prefecture"):
        if name in r:
            f = r[name]
            lines.append(
                f"  {name:<10} {f['mb']:5.1f} MB   diff {f['diff_s']:6.2f} s   "
                f"save {f['save_s']:6.2f} s   {f['ratio']:.2f}× the save"
            )
    c = r["commands"]
    lines.append(
        f"  referral edit --dry-run {c['dry_run_s']:.2f} s, without {c['save_s']:.2f} s "
        f"(new processes, bundled file)   {c['ratio']:.2f}×"
    )
    e = r["editors"]
    lines.append(
        f"Editors at once: {e['processes']} processes × {e['rounds']} rounds, "
        f"{e['changes']} changes: {e['lost']} lost, {e['failed']} failed, "
        f"{e['round_s']:.1f} s per round"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
