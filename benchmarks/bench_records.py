"""Gap analysis from outcomes: the outcome report over many generated referrals.

``referral.records_synth.synthetic_referrals`` writes N referrals with outcomes (100,000;
3,000 with ``--quick``) into a fresh SQLite file; then, on that file:

1. ``Records.report()`` — the funnel per body × concern × ward with Wilson intervals, median
   days to the first answer, decline reasons and re-referral loops, counted in SQL (it
   writes no event: overdue referrals count as no response without being marked);
2. ``Records.report(ward="nishi")`` — one ward's cells, filtered in the database (what the
   gaps page and ``gaps --ward --records`` ask for);
3. baseline (floor): one SQL ``COUNT(*) ... GROUP BY agency, concern, ward`` — the least any
   report of those cells must read;
4. baseline (naive): the same funnel counts by a pure-Python loop that asks the database for
   each referral's events one query at a time (what a first version would write).

Seconds are this machine's; compare the ratios.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

FULL, QUICK = 100_000, 3_000
WARD = "nishi"


def _median(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def _count(path: Path) -> int:
    with sqlite3.connect(path) as c:
        rows = c.execute(
            "SELECT r.agency, k.concern, r.ward, COUNT(*) FROM referral r "
            "JOIN referral_concern k ON k.referral = r.id AND k.position = 0 "
            "GROUP BY r.agency, k.concern, r.ward"
        ).fetchall()
    return len(rows)


def _naive(path: Path) -> int:
    cells: dict[tuple[str, str, str], Counter[str]] = {}
    with sqlite3.connect(path) as c:
        for rid, agency, ward in c.execute("SELECT id, agency, ward FROM referral").fetchall():
            (concern,) = c.execute(
                "SELECT concern FROM referral_concern WHERE referral = ? AND position = 0", (rid,)
            ).fetchone()
            statuses = {
                s for (s,) in c.execute("SELECT status FROM event WHERE referral = ?", (rid,))
            }
            cell = cells.setdefault((agency, concern, ward), Counter())
            cell["referred"] += 1
            cell.update(statuses - {"referred"})
    return len(cells)


def run(*, quick: bool = False, n: int | None = None) -> dict[str, Any]:
    from referral.records import Records  # noqa: PLC0415
    from referral.records_synth import synthetic_referrals  # noqa: PLC0415

    n = n or (QUICK if quick else FULL)
    runs = 3 if quick else 1
    with tempfile.TemporaryDirectory(prefix="referral-records-") as tmp:
        path = Path(tmp) / "bench.sqlite"
        t = time.perf_counter()
        synthetic_referrals(path, n, seed=16)
        generate_s = time.perf_counter() - t
        with Records.open(path, role="auditor") as r:
            report_s, cells = _median(r.report, runs)
            ward_s, ward_cells = _median(lambda: r.report(ward=WARD), runs)
        count_s, groups = _median(lambda: _count(path), runs)
        naive_s, naive_cells = _median(lambda: _naive(path), runs)
        mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    shown = [c for c in cells if not c.suppressed]  # type: ignore[attr-defined]
    return {
        "referrals": n,
        "quick": quick,
        "file_mb": mb,
        "generate_s": generate_s,
        "cells": len(cells),  # type: ignore[arg-type]
        "cells_shown": len(shown),
        "report_s": report_s,
        "ward": WARD,
        "ward_s": ward_s,
        "ward_cells": len(ward_cells),  # type: ignore[arg-type]
        "ward_ratio_to_report": ward_s / report_s,
        "count_s": count_s,
        "naive_s": naive_s,
        "groups": groups,
        "naive_cells": naive_cells,
        "ratio_to_count": report_s / count_s,
        "ratio_to_naive": report_s / naive_s,
        "referrals_per_s": n / report_s,
    }


def report(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Outcome report over {r['referrals']:,} generated referrals "
            f"({r['file_mb']:.0f} MB SQLite; generated in {r['generate_s']:.1f} s)",
            f"  Records.report(): {r['cells']} cells ({r['cells_shown']} not suppressed)"
            f"  {r['report_s']:8.2f} s   {r['referrals_per_s']:,.0f} referrals/s",
            f"  Records.report(ward={r['ward']!r}): {r['ward_cells']} cells"
            f"{'':19}{r['ward_s']:8.2f} s   {r['ward_ratio_to_report']:.2f}× the whole report",
            f"  baseline SQL COUNT ... GROUP BY (floor)        {r['count_s']:8.2f} s   "
            f"report is {r['ratio_to_count']:.1f}× the floor",
            f"  baseline naive loop, one query per referral    {r['naive_s']:8.2f} s   "
            f"report is {r['ratio_to_naive']:.2f}× the naive loop",
        ]
    )


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
