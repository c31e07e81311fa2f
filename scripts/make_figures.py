"""Regenerate the figures in docs/img from the bundled data (needs the notebooks extra).

Usage::

    python scripts/make_figures.py            # write docs/img/*.png
    python scripts/make_figures.py --out DIR  # somewhere else
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from referral import Directory
from referral.plot import plot_coverage, plot_ward, use_japanese_font

ROOT = Path(__file__).resolve().parent.parent


def make(out: Path) -> list[Path]:
    """Write the coverage heatmap and the drawing of Nishi ward; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    use_japanese_font()
    d = Directory.load()
    names = {a.id: a.name.ja for a in d.areas}
    fig, ax = plt.subplots(figsize=(12, 11))
    plot_coverage(d.coverage(), ward_names=names, ax=ax)
    heatmap = out / "coverage_heatmap.png"
    fig.savefig(heatmap, dpi=110, bbox_inches="tight")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(16, 9))
    plot_ward(
        d.graph,
        "nishi",
        spof=d.single_points_of_failure(ward="nishi"),
        ax=ax,
        label_kinds=(
            "ward_office",
            "ward_welfare_council",
            "care_plaza",
            "comprehensive_support_center",
            "child_guidance_center",
        ),
    )
    ward = out / "ward_nishi.png"
    fig.savefig(ward, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return [heatmap, ward]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    for path in make(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
