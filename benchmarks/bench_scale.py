"""From one ward to a national network: load time and memory, route latency, coverage.

For the bundled Yokohama data and synthetic networks of growing size
(:data:`referral.synth.SCALES`: ward, city, prefecture, national), each in fresh processes:

1. the network is generated and written as a directory file (synthetic ones);
2. the baseline reads the same file with ``json.loads`` and no validation (time, peak memory);
3. ``Directory.from_path`` loads and validates it (schema and integrity), then the route index
   is built (time, peak and resident memory, bytes per node); files under 100 MB are read
   five times, by both, and the fastest time kept;
4. warm route latency, p50 and p99 over a seeded set of queries after 20 warm-up queries (the
   first query after loading pays the garbage collection deferred during loading, reported
   apart), beside a naive router that searches the whole graph per query;
5. the coverage matrix for one ward (median over up to ten wards) and for the whole network.

Peak memory is the process's high-water resident set (``VmHWM``, reset when the worker
starts), interpreter and imports included. Seconds and megabytes are this machine's; compare
ratios between machines.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

NETWORKS = ("bundled", "ward", "city", "prefecture", "national")
QUICK = ("bundled", "ward", "city")


def _status_mb(field: str) -> float:
    status = Path("/proc/self/status")
    for line in status.read_text(encoding="ascii").splitlines() if status.exists() else ():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Forget the peak inherited from the parent process (Linux keeps it across fork and
    exec); without this a small network would report the benchmark runner's memory.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _peak_mb() -> float:
    """Peak resident memory of this process since :func:`_reset_peak` (``VmHWM``), or
    ``ru_maxrss`` where /proc is not available.
    """
    peak = _status_mb("VmHWM")
    if not math.isnan(peak):
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _resident_mb() -> float:
    return _status_mb("VmRSS")


# -- workers (each runs in its own process) ------------------------------------------------
def make(name: str, path: str) -> dict[str, Any]:
    from referral import editing  # noqa: PLC0415
    from referral.synth import SCALES, generate  # noqa: PLC0415

    scale = SCALES[name]
    t = time.perf_counter()
    doc = generate(
        wards=scale.wards,
        areas_per_ward=scale.areas_per_ward,
        individuals=scale.individuals,
        seed=1,
    )
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    editing.save(doc, path)
    return {
        "gen_s": gen_s,
        "write_s": time.perf_counter() - t,
        "gen_peak_mb": _peak_mb(),
        "file_mb": Path(path).stat().st_size / 1e6,
    }


SMALL_FILE = 100e6
"""Bytes below which a file counts as small (read five times, the fastest kept)."""


def _repeats(path: str) -> int:
    """Small files are read five times and the fastest kept (one reading is noisy)."""
    return 5 if Path(path).stat().st_size < SMALL_FILE else 1


def baseline(path: str) -> dict[str, Any]:
    best = float("inf")
    for _ in range(_repeats(path)):
        gc.collect()
        t = time.perf_counter()
        data = json.loads(Path(path).read_bytes())
        best = min(best, time.perf_counter() - t)
        assert data["agencies"]
        del data
    return {"baseline_load_s": best, "baseline_peak_mb": _peak_mb()}


def load_time(path: str) -> dict[str, Any]:
    """Directory.from_path timed like the baseline (its own process: memory is measured
    on one load, in :func:`measure`).
    """
    from referral import Directory  # noqa: PLC0415

    best = float("inf")
    for _ in range(_repeats(path)):
        gc.collect()
        t = time.perf_counter()
        d = Directory.from_path(path, max_bytes=1 << 40)
        best = min(best, time.perf_counter() - t)
        del d
    return {"load_s": best}


def measure(path: str, queries: int, naive_queries: int) -> dict[str, Any]:
    import bench_routing as br  # noqa: PLC0415

    from referral import Directory  # noqa: PLC0415

    before = _resident_mb()
    t = time.perf_counter()
    d = Directory.from_path(path, max_bytes=1 << 40)
    out: dict[str, Any] = {"single_load_s": time.perf_counter() - t, "load_peak_mb": _peak_mb()}
    t = time.perf_counter()
    idx = d._route_index
    out["index_s"] = time.perf_counter() - t
    nodes = len(d.agencies)
    out.update(nodes=nodes, links=len(d.links), areas=len(idx.district_areas()))
    out["resident_mb"] = _resident_mb()
    out["bytes_per_node"] = (out["resident_mb"] - before) * 2**20 / nodes

    qs = br._queries(d, queries, seed=1)
    t = time.perf_counter()
    d.route(list(qs[0][0]), area=qs[0][1])
    out["first_route_ms"] = (time.perf_counter() - t) * 1e3
    lat = br.latencies(lambda c, a: d.route(list(c), area=a), qs)
    out["p50_ms"], out["p99_ms"] = br._pct(lat, 50) * 1e3, br._pct(lat, 99) * 1e3

    wards = sorted({w for _, w in idx.district_areas()})
    d.coverage(ward=wards[-1])  # warm: the analysis module and the concerns load once
    per_ward = []
    for ward in wards[:10]:
        t = time.perf_counter()
        d.coverage(ward=ward)
        per_ward.append(time.perf_counter() - t)
    out["coverage_ward_ms"] = statistics.median(per_ward) * 1e3
    t = time.perf_counter()
    d.coverage()
    out["coverage_all_s"] = time.perf_counter() - t
    out["peak_mb"] = _peak_mb()

    t = time.perf_counter()
    d.graph  # noqa: B018 - the naive router searches the networkx graph
    out["graph_s"] = time.perf_counter() - t
    gc.collect()
    base = br.latencies(lambda c, a: br.naive_route(d, c, a), qs[:naive_queries])
    out["naive_p50_ms"] = br._pct(base, 50) * 1e3
    out["speedup_vs_naive"] = out["naive_p50_ms"] / out["p50_ms"]
    out["peak_with_graph_mb"] = _peak_mb()
    return out


# -- the driver ----------------------------------------------------------------------------
def _worker(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"worker {args[:2]} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(*, quick: bool = False, networks: tuple[str, ...] | None = None) -> dict[str, Any]:
    from referral._data import bundled_path  # noqa: PLC0415

    names = networks or (QUICK if quick else NETWORKS)
    queries = 200 if quick else 1000
    rows = []
    with tempfile.TemporaryDirectory(prefix="referral-bench-") as tmp:
        for name in names:
            row: dict[str, Any] = {"network": name}
            if name == "bundled":
                path = str(bundled_path())
                row["file_mb"] = Path(path).stat().st_size / 1e6
            else:
                path = str(Path(tmp) / f"{name}.json")
                row.update(_worker("make", name, path))
            row.update(_worker("baseline", path))
            row.update(_worker("loadtime", path))
            naive = 3 if name == "national" else 10 if name == "prefecture" else 30
            row.update(_worker("measure", path, str(queries), str(naive)))
            row["load_ratio"] = row["load_s"] / row["baseline_load_s"]
            rows.append(row)
            if name != "bundled":
                Path(path).unlink()
            print(f"  measured {name}", file=sys.stderr, flush=True)
    base = next((r["p50_ms"] for r in rows if r["network"] == "bundled"), rows[0]["p50_ms"])
    for r in rows:
        r["p50_ratio_to_bundled"] = r["p50_ms"] / base
    return {"rows": rows, "queries": queries}


def report(result: dict[str, Any]) -> str:
    rows = result["rows"]
    cols = [
        ("network", "{:<10}", "network"),
        ("nodes", "{:>9,}", "nodes"),
        ("links", "{:>10,}", "links"),
        ("file_mb", "{:>8.1f}", "file MB"),
        ("baseline_load_s", "{:>9.2f}", "json s"),
        ("load_s", "{:>8.2f}", "load s"),
        ("load_ratio", "{:>7.2f}×", "×json"),
        ("baseline_peak_mb", "{:>9,.0f}", "json MB"),
        ("peak_mb", "{:>9,.0f}", "peak MB"),
        ("bytes_per_node", "{:>8,.0f}", "B/node"),
    ]
    cols2 = [
        ("network", "{:<10}", "network"),
        ("index_s", "{:>8.2f}", "index s"),
        ("first_route_ms", "{:>9.1f}", "1st ms"),
        ("p50_ms", "{:>7.2f}", "p50 ms"),
        ("p99_ms", "{:>7.2f}", "p99 ms"),
        ("p50_ratio_to_bundled", "{:>8.2f}×", "×bundled"),
        ("naive_p50_ms", "{:>10,.1f}", "naive ms"),
        ("speedup_vs_naive", "{:>8,.1f}×", "speed-up"),
        ("coverage_ward_ms", "{:>9.1f}", "ward ms"),
        ("coverage_all_s", "{:>8.2f}", "all s"),
        ("peak_with_graph_mb", "{:>10,.0f}", "+graph MB"),
    ]

    def table(spec: list[tuple[str, str, str]]) -> list[str]:
        widths = [len(fmt.format(rows[0][key])) for key, fmt, _ in spec]
        head = " ".join(f"{label:>{w}}" for (_, _, label), w in zip(spec, widths, strict=True))
        lines = [head, "-" * len(head)]
        lines += [" ".join(fmt.format(r[key]) for key, fmt, _ in spec) for r in rows]
        return lines

    return "\n".join(
        [
            "Load (validated, integrity-checked) beside json.loads of the same file; memory",
            *table(cols),
            "",
            f"Route latency, warm ({result['queries']} queries; naive: a few), and coverage",
            *table(cols2),
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("make", "baseline", "loadtime", "measure"):
        _reset_peak()
        step, *rest = sys.argv[1:]
        if step == "make":
            res = make(*rest)
        elif step == "baseline":
            res = baseline(*rest)
        elif step == "loadtime":
            res = load_time(*rest)
        else:
            res = measure(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(res))
    else:
        print(report(run(quick="--quick" in sys.argv)))
