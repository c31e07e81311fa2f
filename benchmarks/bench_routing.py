"""Route latency (warm, p50/p99) on the bundled data and on larger networks, beside a naive
router that searches the whole graph per query, measured in the same run.

Locality shows as a ratio near 1 between the p50 on a network ten times larger and on the
bundled one; the naive router's time grows with the network.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx

from referral import Directory
from referral.models import ReferralPlan
from referral.synth import generate

CONCERN_SETS: tuple[tuple[str, ...], ...] = (
    ("eighty_fifty",),
    ("young_carer",),
    ("hoarding",),
    ("hikikomori",),
    ("dementia",),
    ("child_abuse",),
    ("eighty_fifty", "hikikomori", "hoarding"),
    ("poverty", "housing"),
    ("suicide_risk", "mental_health"),
    ("domestic_violence", "child_abuse"),
    ("double_care", "carer_burnout"),
    ("isolation", "welfare_check"),
)


def naive_route(d: Directory, concerns: Sequence[str], area: str) -> list[tuple[str, int]]:
    """The baseline: for every primary kind, scan the whole graph for bodies of that kind and
    search the whole graph for the nearest one from the area's commissioners.
    """
    G = d.graph
    origin = f"{area}.welfare_commissioner"
    dist = nx.single_source_shortest_path_length(G, origin)
    out = []
    for cid in concerns:
        for ref in d.concern(cid).primary:
            nodes = [n for n, k in G.nodes(data="kind") if k == ref.kind]
            reach = [(dist[n], n) for n in nodes if n in dist]
            if reach:
                hops, node = min(reach)
                out.append((node, hops))
    return out


def _queries(d: Directory, n: int, seed: int) -> list[tuple[tuple[str, ...], str]]:
    rng = random.Random(seed)
    areas = [a.id for a in d.areas if a.kind == "district"]
    return [(rng.choice(CONCERN_SETS), rng.choice(areas)) for _ in range(n)]


def latencies(
    fn: Callable[[tuple[str, ...], str], Any], queries: list[tuple[tuple[str, ...], str]]
) -> list[float]:
    for concerns, area in queries[:20]:  # warm up: indexes, caches
        fn(concerns, area)
    out = []
    for concerns, area in queries:
        t = time.perf_counter()
        fn(concerns, area)
        out.append(time.perf_counter() - t)
    return out


def _pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1] if len(xs) > 1 else xs[0]


def measure(d: Directory, name: str, n: int, *, naive: bool = True) -> dict[str, Any]:
    queries = _queries(d, n, seed=1)
    ours = latencies(lambda c, a: d.route(list(c), area=a), queries)
    row: dict[str, Any] = {
        "network": name,
        "nodes": d.graph.number_of_nodes(),
        "edges": d.graph.number_of_edges(),
        "p50_ms": _pct(ours, 50) * 1e3,
        "p99_ms": _pct(ours, 99) * 1e3,
    }
    if naive:
        few = queries[: max(10, n // 10)]
        base = latencies(lambda c, a: naive_route(d, c, a), few)
        row["naive_p50_ms"] = _pct(base, 50) * 1e3
        row["speedup_vs_naive"] = row["naive_p50_ms"] / row["p50_ms"]
    return row


def run(
    *, quick: bool = False, scales: Sequence[tuple[str, int, int]] | None = None
) -> dict[str, Any]:
    n = 100 if quick else 1000
    bundled = Directory.load()
    rows = [measure(bundled, "bundled (Yokohama)", n)]
    for name, wards, areas in scales or (("synthetic ×10", 180, 8),):
        d = Directory(generate(wards=wards, areas_per_ward=areas, seed=3))
        rows.append(measure(d, name, n))
    base = rows[0]["p50_ms"]
    for row in rows:
        row["p50_ratio_to_bundled"] = row["p50_ms"] / base
    return {"rows": rows, "queries": n}


def report(result: dict[str, Any]) -> str:
    head = (
        f"{'network':<22} {'nodes':>9} {'edges':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'×bundled':>9} {'naive p50':>10} {'speed-up':>9}"
    )
    lines = [f"Route latency, warm, {result['queries']} queries per network", head, "-" * len(head)]
    for r in result["rows"]:
        lines.append(
            f"{r['network']:<22} {r['nodes']:>9,} {r['edges']:>10,} {r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['p50_ratio_to_bundled']:>9.2f} "
            f"{r.get('naive_p50_ms', float('nan')):>10.1f} "
            f"{r.get('speedup_vs_naive', float('nan')):>8.0f}×"
        )
    return "\n".join(lines)


def check(plan: ReferralPlan) -> None:
    """A route must have suggestions (used by the smoke test)."""
    assert plan.suggestions


if __name__ == "__main__":
    print(report(run()))
