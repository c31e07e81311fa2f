"""Run the benchmarks: one command, figures and ratios against baselines measured in the same run.

Usage::

    python benchmarks/run.py                  # everything (about 15 minutes, 10 GB of RAM)
    python benchmarks/run.py --quick          # shorter runs, no prefecture or national network
    python benchmarks/run.py --only scale,cli # some benchmarks
    python benchmarks/run.py --compare benchmarks/results/2026-11-28T23-10-00.json

Every run writes its figures as JSON to ``benchmarks/results/<start time>.json`` (or
``--json PATH``); ``--compare OLD.json`` prints each figure beside the old one.

Benchmarks: corpus (quality on text we did not write, safety notes, notes/s beside the old
matcher), matching (notes/s, F1 on the team's own notes), routing (route latency, locality),
gaps (coverage and other analyses on the bundled data), scale (load, memory, route and
coverage from one ward to a national network), cli (cold start of ``referral route``), edit
(the dry-run diff beside the save, and editors at once on one file), web (``referral serve``:
plan pages and ``/api/route`` per second and latency at 1, 4 and 16 clients, beside the
library's own route), records (the outcome report over 100,000 generated referrals, beside
SQL COUNT and a naive loop).

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

import bench_cli  # noqa: E402
import bench_corpus  # noqa: E402
import bench_edit  # noqa: E402
import bench_gaps  # noqa: E402
import bench_matching  # noqa: E402
import bench_records  # noqa: E402
import bench_routing  # noqa: E402
import bench_scale  # noqa: E402
import bench_web  # noqa: E402

Bench = tuple[Callable[..., dict[str, Any]], Callable[[dict[str, Any]], str]]

BENCHMARKS: dict[str, Bench] = {
    "corpus": (bench_corpus.run, bench_corpus.report),
    "matching": (bench_matching.run, bench_matching.report),
    "routing": (bench_routing.run, bench_routing.report),
    "gaps": (bench_gaps.run, bench_gaps.report),
    "scale": (bench_scale.run, bench_scale.report),
    "cli": (bench_cli.run, bench_cli.report),
    "edit": (bench_edit.run, bench_edit.report),
    "web": (bench_web.run, bench_web.report),
    "records": (bench_records.run, bench_records.report),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument(
        "--only", default="", help="comma-separated names: " + ", ".join(BENCHMARKS)
    )
    parser.add_argument(
        "--json", metavar="PATH", help="where to write the figures (default benchmarks/results/)"
    )
    parser.add_argument("--compare", metavar="OLD", help="a previous run's JSON to compare with")
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
    out = Path(args.json or HERE / "results" / f"{results['started'].replace(':', '-')}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"wrote {out}")
    if args.compare:
        old = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        print(compare(old, results))
    return 0


def _figures(node: Any, path: str = "") -> dict[str, float]:
    """Every number in a result, by a readable path (rows by their network name)."""
    if isinstance(node, bool):
        return {}
    if isinstance(node, int | float):
        return {path: float(node)}
    if isinstance(node, dict):
        out: dict[str, float] = {}
        for key, val in node.items():
            out.update(_figures(val, f"{path}.{key}"))
        return out
    if isinstance(node, list):
        out = {}
        for i, item in enumerate(node):
            label = item.get("network", i) if isinstance(item, dict) else i
            out.update(_figures(item, f"{path}[{label}]"))
        return out
    return {}


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Each figure present in both runs: old, new and new/old."""
    a, b = _figures(old), _figures(new)
    lines = [f"{'figure':<60} {'old':>12} {'new':>12} {'new/old':>8}"]
    for key in sorted(a.keys() & b.keys()):
        ratio = b[key] / a[key] if a[key] else float("nan")
        lines.append(f"{key.lstrip('.'):<60} {a[key]:>12.4g} {b[key]:>12.4g} {ratio:>8.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
