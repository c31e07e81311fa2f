"""Frozen baselines that benchmarks measure beside the package."""
