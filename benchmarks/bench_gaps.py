"""Time to compute the full coverage matrix (concern × area) for the bundled data, per ward
and for the whole city, beside a naive computation that searches the whole graph for every
concern × area × window, measured in the same run; and the other gap analyses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from referral import Directory
from referral.gaps import coverage, district_areas, single_points_of_failure, what_if
from referral.locality import RouteIndex
from referral.matching import load_concerns


def naive_coverage(G: nx.MultiDiGraph, *, limit: int | None = None) -> int:
    """The baseline: for every area, a shortest-path search over the whole graph from its
    commissioners, then a scan of every node for each concern's primary kinds.
    """
    concerns = load_concerns()
    found = 0
    for area, _ in district_areas(G)[:limit]:
        dist = nx.single_source_shortest_path_length(G, f"{area}.welfare_commissioner")
        for c in concerns:
            for ref in c.primary:
                found += any(k == ref.kind and n in dist for n, k in G.nodes(data="kind"))
    return found


def _time(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run(*, quick: bool = False) -> dict[str, Any]:
    d = Directory.load()
    G = d.graph
    repeat = 1 if quick else 3
    n_areas = len(district_areas(G))
    index_s = _time(lambda: RouteIndex.build(G), repeat)
    idx = RouteIndex.build(G)
    full = _time(lambda: coverage(G, index=idx), repeat)
    ward = _time(lambda: coverage(G, ward="nishi", index=idx), repeat)
    sample = 10 if quick else 40
    naive = _time(lambda: naive_coverage(G, limit=sample), 1) * n_areas / sample
    return {
        "areas": n_areas,
        "concerns": len(load_concerns()),
        "index_s": index_s,
        "coverage_city_s": full,
        "coverage_ward_s": ward,
        "naive_city_s_estimated": naive,
        "speedup_vs_naive": naive / full,
        "spof_city_s": _time(lambda: single_points_of_failure(G), repeat),
        "what_if_care_plaza_s": _time(lambda: what_if(G, ["nishi.tobe_honcho.care_plaza"]), repeat),
    }


def report(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Coverage matrix: {r['concerns']} concerns × {r['areas']} areas",
            f"  locality index    {r['index_s'] * 1e3:8.1f} ms (built once per directory)",
            f"  whole city        {r['coverage_city_s'] * 1e3:8.1f} ms",
            f"  one ward (Nishi)  {r['coverage_ward_s'] * 1e3:8.1f} ms",
            f"  naive baseline    {r['naive_city_s_estimated'] * 1e3:8.1f} ms (whole city, "
            "estimated from a sample of areas)",
            f"  speed-up          {r['speedup_vs_naive']:8.1f}×",
            f"Single points of failure, whole city  {r['spof_city_s'] * 1e3:8.1f} ms",
            f"What-if: close one care plaza          {r['what_if_care_plaza_s'] * 1e3:8.1f} ms",
        ]
    )


if __name__ == "__main__":
    print(report(run()))
