"""Run the benchmarks: one command, figures and ratios against baselines measured in the same run.

Usage::

    python benchmarks/run.py                  # everything, full length
    python benchmarks/run.py --quick          # shorter runs (what the test suite smoke-tests)
    python benchmarks/run.py --only matching  # one benchmark
    python benchmarks/run.py --json results.json

Speed figures are wall-clock on this machine, single-threaded; compare ratios, not seconds,
between machines. Nothing here is a test: targets live in the issues and the closing notes.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_gaps  # noqa: E402
import bench_matching  # noqa: E402
import bench_routing  # noqa: E402

Bench = tuple[Callable[..., dict[str, Any]], Callable[[dict[str, Any]], str]]

BENCHMARKS: dict[str, Bench] = {
    "matching": (bench_matching.run, bench_matching.report),
    "routing": (bench_routing.run, bench_routing.report),
    "gaps": (bench_gaps.run, bench_gaps.report),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument(
        "--only", default="", help="comma-separated names: " + ", ".join(BENCHMARKS)
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "quick": args.quick,
    }
    for name in names:
        run, report = BENCHMARKS[name]
        print(f"== {name} ==")
        results[name] = run(quick=args.quick)
        print(report(results[name]), end="\n\n", flush=True)
    if args.json:
        Path(args.json).write_text(
            json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
