"""Text rendering of the gap reports for the command line (private): coverage, holes, single
points of failure, load and data health; what a removal would cost.

Japanese first; ``lang="en"`` gives English. Each line is made printable on a terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._messages import Lang, label, say
from ._render import kind_label, printable_lines
from .matching import load_concerns
from .models import Document

if TYPE_CHECKING:
    from .gaps import Coverage, DataHealth, Load, SinglePoint, WhatIf

__all__ = [
    "HOLES_LISTED",
    "HOLE_AREAS_LISTED",
    "LOAD_LISTED",
    "SPOF_LISTED",
    "render_gaps",
    "render_what_if",
]


def _share(x: float) -> str:
    return f"{x:.0%}"


HOLES_LISTED = 10
"""Holes (concern, kind, how) a gap report lists, the most common first."""
SPOF_LISTED = 8
"""Single points of failure a gap report lists."""
LOAD_LISTED = 6
"""Most depended-on bodies a gap report lists."""


def render_gaps(
    cov: Coverage,
    spof: Sequence[SinglePoint],
    load: Sequence[Load],
    health: DataHealth,
    doc: Document,
    *,
    ward: str | None,
    lang: Lang,
) -> str:
    """A readable gap report: coverage, the worst gaps, single points of failure, load and
    data health.
    """
    names = {a.id: a.name.get(lang) for a in doc.agencies}
    areas = {a.id: a.name.get(lang) for a in doc.areas}
    cnames = {c.id: c.name.get(lang) for c in load_concerns()}
    place = areas[ward] if ward else label("whole_city", lang)
    out = _coverage_lines(cov, place, len(cnames), lang=lang)
    out += _hole_lines(cov, areas, cnames, lang=lang)
    if spof:
        out += ["", label("gaps_spof", lang)]
        for s in spof[:SPOF_LISTED]:
            out.append(f"  ・{s.statement.get(lang)}")
    if load:
        out += ["", label("gaps_load", lang)]
        for x in load[:LOAD_LISTED]:
            out.append(f"  ・{names[x.agency]}: {x.areas} / {x.concerns}")
    out += _health_lines(health, ward, areas, lang=lang)
    return printable_lines(out)


def _coverage_lines(cov: Coverage, place: str, n_concerns: int, *, lang: Lang) -> list[str]:
    """The coverage heading and the shares of (area, concern) pairs covered, partly, not."""
    n_areas = len({a.area for a in cov.areas})
    status = Counter(a.status for a in cov.areas)
    total = len(cov.areas) or 1
    return [
        label("gaps_coverage", lang)
        + f" — {place}: "
        + say("areas_by_concerns", lang, areas=n_areas, concerns=n_concerns),
        label("gaps_all_reach", lang)
        + f" {_share(status['covered'] / total)}  /  "
        + label("gaps_some", lang)
        + f" {_share(status['partial'] / total)}  /  "
        + label("gaps_none", lang)
        + f" {_share(status['uncovered'] / total)}",
        label("gaps_structural_only", lang)
        + f" {_share(sum(a.structural_only for a in cov.areas) / total)}",
    ]


def _hole_lines(
    cov: Coverage, areas: dict[str, str], cnames: dict[str, str], *, lang: Lang
) -> list[str]:
    """The most common holes (a primary window missing or not linked), each with its areas."""
    holes: Counter[tuple[str, str, str]] = Counter()
    where: dict[tuple[str, str, str], list[str]] = {}
    for a in cov.areas:
        for how, kinds in (("missing", a.missing), ("unreachable", a.unreachable)):
            for kind in kinds:
                holes[(a.concern, kind, how)] += 1
                where.setdefault((a.concern, kind, how), []).append(areas[a.area])
    if not holes:
        return []
    out = ["", label("gaps_holes", lang)]
    for (concern, kind, how), n in holes.most_common(HOLES_LISTED):
        what = label(f"hole_{how}", lang)
        out.append(f"  ・{cnames[concern]} — {kind_label(kind, lang)}（{what}）: {n}")
        out.append("      " + _area_list(where[(concern, kind, how)], lang))
    return out


def _health_lines(
    health: DataHealth, ward: str | None, areas: dict[str, str], *, lang: Lang
) -> list[str]:
    """Data health: attested share, stale and old-evidence counts, the ward's structural
    share, and the plan's figures against the directory's.
    """
    out = [
        "",
        label("health", lang)
        + f": {label('attested', lang)} {_share(health.share_attested)}"
        + f"、{label('health_stale', lang)} {health.stale_total}"
        + f"、{label('health_old', lang)} {health.old_evidence_total}",
    ]
    by_ward = health.by_ward()
    if ward:
        out.append(
            label("health_structural", lang) + f" ({areas[ward]}): {_share(by_ward.get(ward, 0.0))}"
        )
    for f in health.figures:
        out.append(
            f"  ・{f.name.get(lang)}: "
            + say(
                "plan_figure", lang, plan=f.plan, directory=f.directory, ja=f.note.ja, en=f.note.en
            )
        )
    return out


HOLE_AREAS_LISTED = 6
"""Areas a hole names before it counts the rest."""


def _area_list(names: Sequence[str], lang: Lang) -> str:
    shown = label("list_sep", lang).join(sorted(names)[:HOLE_AREAS_LISTED])
    rest = len(names) - HOLE_AREAS_LISTED
    if rest > 0:
        shown += say("more_areas", lang, n=rest)
    return shown


def render_what_if(report: WhatIf, doc: Document, *, lang: Lang) -> str:
    """What each area loses when bodies are removed."""
    names = {a.id: a.name.get(lang) for a in doc.agencies}
    areas = {a.id: a.name.get(lang) for a in doc.areas}
    cnames = {c.id: c.name.get(lang) for c in load_concerns()}
    out = [
        label("removed", lang) + ": " + "・".join(names[r] for r in report.removed),
        say(
            "what_if_summary",
            lang,
            areas=len(report.areas_affected),
            pairs=report.newly_uncovered,
        ),
    ]
    for loss in report.losses:
        after = names.get(loss.after or "", "—")
        out.append(
            f"  ・{areas[loss.area]} — {cnames[loss.concern]}: "
            f"{kind_label(loss.kind, lang)} {label(f'change_{loss.change}', lang)}"
            + (f"（{after}）" if loss.change == "rerouted" else "")
        )
    return printable_lines(out)
