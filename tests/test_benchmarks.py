"""The scale and cold-start benchmarks run end to end (on small networks) and report what
the issue asks for; figures are not asserted here (they live in benchmarks/, not in tests)."""

from __future__ import annotations

from types import ModuleType

import pytest
from helpers import REPO, load_script

from referral import Directory


def _load(name: str) -> ModuleType:
    return load_script("benchmarks", name)


def test_scale_benchmark_measures_load_memory_route_and_coverage() -> None:
    bench = _load("bench_scale")
    result = bench.run(quick=True, networks=("bundled", "ward"))
    bundled, ward = result["rows"]
    assert (bundled["network"], ward["network"]) == ("bundled", "ward")
    assert bundled["nodes"] == len(Directory.load().agencies) and ward["nodes"] > 0
    for row in result["rows"]:
        assert row["load_s"] > 0 and row["baseline_load_s"] > 0 and row["load_ratio"] > 0
        assert row["peak_mb"] > 0 and row["bytes_per_node"] > 0
        assert 0 < row["p50_ms"] <= row["p99_ms"]
        assert row["naive_p50_ms"] > 0 and row["coverage_all_s"] > 0
    assert bundled["p50_ratio_to_bundled"] == 1.0
    text = bench.report(result)
    assert "×json" in text and "×bundled" in text and "speed-up" in text


def test_cli_benchmark_compares_cold_start_with_the_bare_import() -> None:
    bench = _load("bench_cli")
    result = bench.run(quick=True)
    assert result["bare_import_ms"] > 0 and result["route_cold_ms"] > 0
    assert result["ratio"] == result["route_cold_ms"] / result["bare_import_ms"]
    assert "the bare import" in bench.report(result)


@pytest.mark.slow  # starts a real server: half a minute on two shared cores
def test_web_benchmark_serves_pages_and_the_api_beside_the_library() -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("httpx")
    bench = _load("bench_web")
    result = bench.run(quick=True, clients=(1, 4), per_level=6)
    assert result["library_p50_ms"] > 0
    assert [(r["endpoint"], r["clients"]) for r in result["rows"]] == [
        ("page", 1), ("page", 4), ("api", 1), ("api", 4),
    ]  # fmt: skip
    for row in result["rows"]:
        assert row["requests"] == 6 and 0 < row["p50_ms"] <= row["p99_ms"]
        assert row["per_s"] > 0 and row["overhead_ratio"] > 0
    assert "×library" in bench.report(result)


def test_records_benchmark_times_the_outcome_report_beside_its_baselines() -> None:
    pytest.importorskip("sqlalchemy")
    bench = _load("bench_records")
    result = bench.run(quick=True, n=600)
    assert result["referrals"] == 600 and result["cells"] == result["groups"]
    assert result["cells"] == result["naive_cells"] and result["cells_shown"] > 0
    assert result["report_s"] > 0 and result["count_s"] > 0 and result["naive_s"] > 0
    assert result["ratio_to_naive"] == result["report_s"] / result["naive_s"]
    assert "the naive loop" in bench.report(result)


def test_runs_compare_figure_by_figure() -> None:
    run = _load("run")
    old = {"scale": {"rows": [{"network": "ward", "p50_ms": 0.5, "quick": True}]}, "x": "y"}
    new = {"scale": {"rows": [{"network": "ward", "p50_ms": 0.25}]}}
    assert run._figures(new) == {".scale.rows[ward].p50_ms": 0.25}
    text = run.compare(old, new)
    assert "scale.rows[ward].p50_ms" in text and text.rstrip().endswith("0.50")


def test_every_benchmark_is_described_in_the_benchmarks_readme() -> None:
    readme = (REPO / "benchmarks" / "README.md").read_text(encoding="utf-8")
    benches = sorted(p.name for p in (REPO / "benchmarks").glob("bench_*.py"))
    assert benches, "no benchmarks found"
    missing = [name for name in benches if f"`{name}`" not in readme]
    assert not missing, f"benchmarks/README.md does not describe {missing}"
