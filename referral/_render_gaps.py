"""Text rendering of the gap reports for the command line (private): coverage, holes, single
points of failure, load and data health; what a removal would cost.

Japanese first; ``lang="en"`` gives English. Each line is made printable on a terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._messages import Lang
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
    data health."""
    ja = lang == "ja"
    names = {a.id: (a.name.ja if ja else a.name.en) for a in doc.agencies}
    areas = {a.id: (a.name.ja if ja else a.name.en) for a in doc.areas}
    cnames = {c.id: (c.name.ja if ja else c.name.en) for c in load_concerns()}
    place = areas[ward] if ward else ("横浜市全域" if ja else "the whole city")
    out = _coverage_lines(cov, place, len(cnames), ja=ja)
    out += _hole_lines(cov, areas, cnames, lang=lang)
    if spof:
        out += [
            "",
            "単一障害点（ここを通じてしか届かない）"
            if ja
            else "Single points of failure (the only way through)",
        ]
        for s in spof[:SPOF_LISTED]:
            out.append(f"  ・{s.statement.ja if ja else s.statement.en}")
    if load:
        out += [
            "",
            "負荷の集中（頼られている機関: 圏域数・懸念数）"
            if ja
            else "Load (most depended-on bodies: areas, concerns)",
        ]
        for x in load[:LOAD_LISTED]:
            out.append(f"  ・{names[x.agency]}: {x.areas} / {x.concerns}")
    out += _health_lines(health, ward, areas, ja=ja)
    return printable_lines(out)


def _coverage_lines(cov: Coverage, place: str, n_concerns: int, *, ja: bool) -> list[str]:
    """The coverage heading and the shares of (area, concern) pairs covered, partly, not."""
    n_areas = len({a.area for a in cov.areas})
    status = Counter(a.status for a in cov.areas)
    total = len(cov.areas) or 1
    return [
        ("カバー状況" if ja else "Coverage")
        + f" — {place}: "
        + (
            f"{n_areas}圏域 × {n_concerns}の懸念"
            if ja
            else f"{n_areas} areas × {n_concerns} concerns"
        ),
        ("  一次窓口がすべて届く" if ja else "  every primary window reachable")
        + f" {_share(status['covered'] / total)}  /  "
        + ("一部" if ja else "some")
        + f" {_share(status['partial'] / total)}  /  "
        + ("なし" if ja else "none")
        + f" {_share(status['uncovered'] / total)}",
        ("  構造上の記録だけで届くもの" if ja else "  covered only through structural records")
        + f" {_share(sum(a.structural_only for a in cov.areas) / total)}",
    ]


def _hole_lines(
    cov: Coverage, areas: dict[str, str], cnames: dict[str, str], *, lang: Lang
) -> list[str]:
    """The most common holes (a primary window missing or not linked), each with its areas."""
    ja = lang == "ja"
    holes: Counter[tuple[str, str, str]] = Counter()
    where: dict[tuple[str, str, str], list[str]] = {}
    for a in cov.areas:
        for how, kinds in (("missing", a.missing), ("unreachable", a.unreachable)):
            for kind in kinds:
                holes[(a.concern, kind, how)] += 1
                where.setdefault((a.concern, kind, how), []).append(areas[a.area])
    if not holes:
        return []
    out = [
        "",
        "穴（懸念 — 欠けている一次窓口: 圏域数）"
        if ja
        else "Holes (concern — missing primary window: areas)",
    ]
    for (concern, kind, how), n in holes.most_common(HOLES_LISTED):
        what = (
            ("記録なし" if ja else "none on record")
            if how == "missing"
            else ("つながりなし" if ja else "not linked")
        )
        out.append(f"  ・{cnames[concern]} — {kind_label(kind, lang)}（{what}）: {n}")
        out.append("      " + _area_list(where[(concern, kind, how)], lang))
    return out


def _health_lines(
    health: DataHealth, ward: str | None, areas: dict[str, str], *, ja: bool
) -> list[str]:
    """Data health: attested share, stale and old-evidence counts, the ward's structural
    share, and the plan's figures against the directory's."""
    out = [
        "",
        ("データの健全性" if ja else "Data health")
        + f": {'出典で確認' if ja else 'attested'} {_share(health.share_attested)}"
        + f"、{'1年以上未確認' if ja else 'not checked within a year'} {health.stale_total}"
        + f"、{'3年より古い出典のみ' if ja else 'resting on sources older than 3 years'} "
        + f"{health.old_evidence_total}",
    ]
    by_ward = health.by_ward()
    if ward:
        out.append(
            ("  構造上の記録の割合" if ja else "  share of structural records")
            + f" ({areas[ward]}): {_share(by_ward.get(ward, 0.0))}"
        )
    for f in health.figures:
        out.append(
            f"  ・{f.name.ja if ja else f.name.en}: "
            + (
                f"計画 {f.plan:,} / 名簿 {f.directory:,}（{f.note.ja}）"
                if ja
                else f"plan {f.plan:,} / directory {f.directory:,} ({f.note.en})"
            )
        )
    return out


HOLE_AREAS_LISTED = 6
"""Areas a hole names before it counts the rest."""


def _area_list(names: Sequence[str], lang: Lang) -> str:
    shown = (
        "・".join(sorted(names)[:HOLE_AREAS_LISTED])
        if lang == "ja"
        else "; ".join(sorted(names)[:HOLE_AREAS_LISTED])
    )
    rest = len(names) - HOLE_AREAS_LISTED
    if rest > 0:
        shown += f"（ほか{rest}圏域）" if lang == "ja" else f" (and {rest} more)"
    return shown


def render_what_if(report: WhatIf, doc: Document, *, lang: Lang) -> str:
    """What each area loses when bodies are removed."""
    ja = lang == "ja"
    names = {a.id: (a.name.ja if ja else a.name.en) for a in doc.agencies}
    areas = {a.id: (a.name.ja if ja else a.name.en) for a in doc.areas}
    cnames = {c.id: (c.name.ja if ja else c.name.en) for c in load_concerns()}
    out = [
        ("閉鎖・削除" if ja else "Removed") + ": " + "・".join(names[r] for r in report.removed),
        (
            f"影響を受ける圏域: {len(report.areas_affected)}、新たに一次窓口が欠ける組み合わせ: "
            f"{report.newly_uncovered}"
            if ja
            else f"areas affected: {len(report.areas_affected)}; concern × area pairs newly not "
            f"covered: {report.newly_uncovered}"
        ),
    ]
    label_of = {
        "lost": ("失う", "lost"),
        "unreachable": ("つながらなくなる", "no longer linked"),
        "rerouted": ("別の機関へ", "rerouted"),
    }
    for loss in report.losses:
        after = names.get(loss.after or "", "—")
        out.append(
            f"  ・{areas[loss.area]} — {cnames[loss.concern]}: "
            f"{kind_label(loss.kind, lang)} {label_of[loss.change][0 if ja else 1]}"
            + (f"（{after}）" if loss.change == "rerouted" else "")
        )
    return printable_lines(out)
