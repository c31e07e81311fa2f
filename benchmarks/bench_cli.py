"""Cold start of ``referral route`` beside a bare ``import networkx, pydantic, rapidfuzz``;
and of reading one note in a new process (``referral match``, and the matcher alone) beside
the matcher as it was before concepts (``baseline/matcher_v1.py``), in the same run.

Each run is a new process, timed from launch to exit; the figure is the median of many runs,
alternating the two commands so that both see the same machine. The first ``referral route``
after an install (or a change to the data or the code) validates the bundled directory and
writes the per-user cache; that first run is measured apart, with a fresh cache folder. The
package is byte-compiled first, as an installation does (a source checkout run with
``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module on every start).
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NOTE = "80代の母が認知症で、同居の50代の息子はひきこもり。家はゴミ屋敷になっている"
ROUTE = [sys.executable, "-m", "referral", "route", NOTE, "--area", "戸部本町"]
BARE = [sys.executable, "-c", "import networkx, pydantic, rapidfuzz"]
MATCH_NOTE = "父親が子どもを殴っている。腕にあざがある"
READ_NEW = [
    sys.executable,
    "-c",
    "import sys; from referral.matching import default_matcher; "
    "default_matcher().read(sys.argv[1])",
    MATCH_NOTE,
]
READ_OLD = [
    sys.executable,
    "-c",
    "import sys; from baseline.matcher_v1 import old_matcher; old_matcher().match(sys.argv[1])",
    MATCH_NOTE,
]


def _referral_command() -> list[str]:
    """The installed console script when there is one (what a coordinator runs)."""
    script = shutil.which("referral", path=str(Path(sys.executable).parent))
    return [script, *ROUTE[3:]] if script else ROUTE


def _once(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def run(*, quick: bool = False) -> dict[str, Any]:
    runs = 7 if quick else 21
    import referral  # noqa: PLC0415

    # as pip does when it installs: compiled bytecode, so no run pays for compiling
    compileall.compile_dir(str(Path(referral.__file__).parent), quiet=1)
    route = _referral_command()
    with tempfile.TemporaryDirectory(prefix="referral-cache-") as tmp:
        env = {**os.environ, "REFERRAL_CACHE_DIR": tmp}
        first = _once(route, env)  # validates the data and writes the cache
        _once(route, env)
        bare, ours = [], []
        for _ in range(runs):
            bare.append(_once(BARE, env))
            ours.append(_once(route, env))
        off = [_once(route, {**env, "REFERRAL_CACHE_DIR": "off"}) for _ in range(max(3, runs // 3))]
        here = str(Path(__file__).resolve().parent)
        benv = {**env, "PYTHONPATH": os.pathsep.join([here, env.get("PYTHONPATH", "")])}
        match = [*route[:-4], "match", MATCH_NOTE]  # the same program, another command
        reads: dict[str, list[float]] = {"cli": [], "new": [], "old": []}
        for _ in range(runs):
            reads["old"].append(_once(READ_OLD, benv))
            reads["new"].append(_once(READ_NEW, env))
            reads["cli"].append(_once(match, env))
    b, o = statistics.median(bare), statistics.median(ours)
    rd = {k: statistics.median(v) * 1e3 for k, v in reads.items()}
    return {
        "read_old_ms": rd["old"],
        "read_new_ms": rd["new"],
        "read_ratio": rd["new"] / rd["old"],
        "match_cli_ms": rd["cli"],
        "runs": runs,
        "bare_import_ms": b * 1e3,
        "route_cold_ms": o * 1e3,
        "ratio": o / b,
        "route_first_run_ms": first * 1e3,
        "route_without_cache_ms": statistics.median(off) * 1e3,
        "ratio_without_cache": statistics.median(off) / b,
        "command": " ".join(Path(route[0]).name if i == 0 else a for i, a in enumerate(route)),
    }


def report(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"CLI cold start, median of {r['runs']} runs each (new process every time)",
            f"  python -c 'import networkx, pydantic, rapidfuzz'  {r['bare_import_ms']:7.0f} ms",
            f"  referral route NOTE --area 戸部本町             {r['route_cold_ms']:7.0f} ms"
            f"   {r['ratio']:.2f}× the bare import",
            f"    first run (validates, writes the cache)       {r['route_first_run_ms']:7.0f} ms",
            f"    with the cache off (REFERRAL_CACHE_DIR=off)    "
            f"{r['route_without_cache_ms']:7.0f} ms   {r['ratio_without_cache']:.2f}×",
            "Reading one note in a new process:",
            f"  the matcher before concepts (baseline)          {r['read_old_ms']:7.0f} ms",
            f"  the matcher now (morphology, lexicon, models)   {r['read_new_ms']:7.0f} ms"
            f"   {r['read_ratio']:.2f}× the old one",
            f"  referral match NOTE (the command)               {r['match_cli_ms']:7.0f} ms",
        ]
    )


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
