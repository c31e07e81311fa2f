"""Plots for the notebooks and the docs: a coverage heatmap and a drawing of a ward's network.

Needs the notebooks extra (``pip install "referral[notebooks]"``): matplotlib, and
matplotlib-fontja for Japanese labels (IPAex Gothic), so no label renders as tofu boxes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._messages import Lang, label, say
from .gaps import Coverage, SinglePoint
from .locality import RouteIndex
from .matching import load_concerns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_coverage", "plot_ward", "use_japanese_font", "ward_projection"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt  # noqa: PLC0415
        import matplotlib_fontja  # noqa: F401, PLC0415 - registers IPAex Gothic for Japanese
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plots need matplotlib and matplotlib-fontja: pip install "referral[notebooks]"'
        ) from exc
    return plt


def _japanese_axes(ax: Axes) -> None:
    """Axes made before the Japanese font was set keep the old font on their title and axis
    labels: give them the current one.
    """
    import matplotlib as mpl  # noqa: PLC0415

    family = mpl.rcParams["font.family"]
    for axes in ax.figure.get_axes():  # the colorbar's too
        for text in (
            axes.title,
            axes.xaxis.label,
            axes.yaxis.label,
            *axes.texts,
            *axes.get_xticklabels(),
            *axes.get_yticklabels(),
        ):
            text.set_fontfamily(family)


def use_japanese_font() -> None:
    """Make matplotlib draw Japanese text (IPAex Gothic, from matplotlib-fontja) — for plots
    made directly with matplotlib or pandas; the functions here call it themselves.
    """
    _pyplot()


def plot_coverage(
    cov: Coverage,
    *,
    ward_names: dict[str, str] | None = None,
    lang: Lang = "ja",
    measure: str = "score",
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of coverage, concerns (rows) × wards (columns).

    ``measure="score"`` (default): 1 where every primary window is reachable through attested
    records, 0.5 where only through structural ones, 0 where one is missing or unreachable,
    averaged over the ward's areas. ``measure="share"``: the share of areas covered at all.
    """
    plt = _pyplot()
    matrix = cov.scores(by="ward") if measure == "score" else cov.share_covered(by="ward")
    concerns = [c for c in load_concerns() if c.id in matrix]
    wards = sorted({w for row in matrix.values() for w in row})
    values = [[matrix[c.id].get(w, float("nan")) for w in wards] for c in concerns]
    if ax is None:
        _, ax = plt.subplots(figsize=(2.0 + 0.55 * len(wards), 1.2 + 0.32 * len(concerns)))
    image = ax.imshow(values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(wards)))
    ax.set_xticklabels([(ward_names or {}).get(w, w) for w in wards], rotation=60, ha="right")
    ax.set_yticks(range(len(concerns)))
    ax.set_yticklabels([c.name.get(lang) for c in concerns])
    ax.set_xlabel(label("plot_ward", lang))
    ax.set_ylabel(label("concern", lang))
    shown = "score" if measure == "score" else "share"
    ax.set_title(label(f"plot_coverage_{shown}", lang))
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(
                j,
                i,
                f"{v:.1f}".removeprefix("0") if not math.isnan(v) else "",
                ha="center",
                va="center",
                fontsize=6,
                color="black",
            )
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.025, pad=0.02)
    bar.set_label(label(f"plot_{shown}", lang))
    _japanese_axes(ax)
    return ax


def ward_projection(
    G: nx.MultiDiGraph, ward: str, *, area: str | None = None, bodies_only: bool = True
) -> nx.Graph:
    """The undirected projection of a ward's network used for drawing and for articulation
    points and bridges: the ward's bodies, its areas' (or one area's) bodies, and the city
    bodies that serve it, joined by links that change tier by at most one.
    """
    idx = RouteIndex.build(G)
    city = idx.city_for.get(ward, frozenset())
    keep = {
        n
        for n, d in G.nodes(data=True)
        if (d["ward"] == ward and (area is None or d["area"] in (area, ward))) or n in city
    }
    if bodies_only:
        keep = {
            n
            for n in keep
            if not G.nodes[n]["meeting"]
            and (not G.nodes[n]["aggregate"] or G.nodes[n]["kind"] == "welfare_commissioner")
        }
    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in keep)
    for u, v in G.edges():
        if u in keep and v in keep and abs(G.nodes[u]["tier_rank"] - G.nodes[v]["tier_rank"]) <= 1:
            H.add_edge(u, v)
    H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0])
    return H


MAX_LABEL = 24
"""Characters of a node label at most (a longer one is cut and ends in …)."""
LABELLED_RANK = 2
"""Tier rank from which every node is named (ward and city bodies)."""


def _short(name: str) -> str:
    """Shorter labels for a crowded drawing."""
    for long, short in (
        ("横浜市", ""),
        ("福祉保健センター ", ""),
        ("地域ケアプラザ 地域包括支援センター", "包括"),
        ("地域ケアプラザ", "CP"),
        ("Community Comprehensive Support Centre", "CSC"),
        ("Community Care Plaza", "CP"),
        (" Health and Welfare Centre –", ""),
    ):
        name = name.replace(long, short)
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def plot_ward(
    G: nx.MultiDiGraph,
    ward: str,
    *,
    spof: Sequence[SinglePoint] = (),
    area: str | None = None,
    lang: Lang = "ja",
    ax: Axes | None = None,
    label_kinds: Iterable[str] = (),
) -> Axes:
    """Draw a ward's network in tiers (neighbourhood at the bottom, city at the top).

    Single points of failure (``spof``) are drawn in red and named; bridges of the undirected
    projection are drawn as thick red lines; articulation points have a red ring.
    """
    plt = _pyplot()
    H = ward_projection(G, ward, area=area)
    tiers, pos = _tier_layout(H)
    if ax is None:
        _, ax = plt.subplots(figsize=(16, 9))
    critical = {s.agency for s in spof}
    _draw_network(ax, H, pos, critical)
    _draw_labels(ax, H, pos, critical, set(label_kinds), lang=lang)
    ax.tick_params(left=True, labelleft=True)
    _draw_legend(ax, lang=lang)
    _draw_axes(ax, G, ward, sorted(tiers), lang=lang)
    _japanese_axes(ax)
    return ax


def _tier_layout(
    H: nx.Graph,
) -> tuple[dict[int, list[str]], dict[str, tuple[float, int]]]:
    """Nodes by tier (ordered by area, kind and id) and each node's position: spread evenly
    along its tier's row.
    """
    tiers: dict[int, list[str]] = {}
    for n in sorted(H, key=lambda n: (H.nodes[n]["area"], H.nodes[n]["kind"], n)):
        tiers.setdefault(H.nodes[n]["tier_rank"], []).append(n)
    pos = {}
    for rank, nodes in tiers.items():
        for i, n in enumerate(nodes):
            pos[n] = ((i + 0.5) / len(nodes), rank)
    return tiers, pos


def _draw_network(
    ax: Axes, H: nx.Graph, pos: dict[str, tuple[float, int]], critical: set[str]
) -> None:
    """Edges (bridges thick red) and nodes (sized by degree, coloured by what they are,
    articulation points ringed red).
    """
    bridges = set(nx.bridges(H)) if H.number_of_edges() else set()
    cut = set(nx.articulation_points(H)) if H.number_of_edges() else set()
    nx.draw_networkx_edges(H, pos, ax=ax, edge_color="#bbbbbb", width=0.5, alpha=0.6)
    nx.draw_networkx_edges(H, pos, ax=ax, edgelist=sorted(bridges), edge_color="#d62728", width=2.0)
    colours = [
        "#d62728" if n in critical else "#1f77b4" if H.nodes[n]["attested"] else "#aaaaaa"
        for n in H
    ]
    nx.draw_networkx_nodes(
        H,
        pos,
        ax=ax,
        node_size=[40 + 6 * H.degree(n) for n in H],
        node_color=colours,
        edgecolors=["#d62728" if n in cut else "white" for n in H],
        linewidths=1.5,
    )


def _draw_labels(
    ax: Axes,
    H: nx.Graph,
    pos: dict[str, tuple[float, int]],
    critical: set[str],
    wanted: set[str],
    *,
    lang: Lang,
) -> None:
    """Name the critical nodes, the kinds asked for and every node from the ward tier up."""
    labels = {
        n: _short(H.nodes[n][f"name_{lang}"])
        for n in H
        if n in critical or H.nodes[n]["kind"] in wanted or H.nodes[n]["tier_rank"] >= LABELLED_RANK
    }
    for n, text in labels.items():
        x, y = pos[n]
        ax.annotate(
            text,
            (x, y),
            xytext=(3, 6),
            textcoords="offset points",
            fontsize=6.5,
            ha="left",
            rotation=28,
            color="#d62728" if n in critical else "#333333",
        )


def _draw_legend(ax: Axes, *, lang: Lang) -> None:
    """The legend: attested, structural, single point of failure, articulation point, bridge."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = [
        Line2D([], [], marker="o", ls="", color="#1f77b4", label=label("attested", lang)),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color="#aaaaaa",
            label=label("plot_structural", lang),
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color="#d62728",
            label=label("plot_spof", lang),
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="#d62728",
            label=label("plot_articulation", lang),
        ),
        Line2D([], [], color="#d62728", lw=2, label=label("plot_bridge", lang)),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)


def _draw_axes(ax: Axes, G: nx.MultiDiGraph, ward: str, ranks: list[int], *, lang: Lang) -> None:
    """Tier names on the y axis, no x ticks, the title (named after the ward's office)."""
    ax.set_yticks(ranks)
    ax.set_yticklabels([label(f"plot_tier_{r}", lang) for r in ranks])
    ax.set_xticks([])
    ax.set_ylabel(label("plot_tier", lang))
    office = f"{ward}.ward_office"
    name = G.nodes[office][f"name_{lang}"] if office in G else ward
    ax.set_title(pad=48, label=say("plot_ward_title", lang, name=name))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
