"""Data health: which records are structural, stale or resting on old sources, per ward and
kind, beside the plan's own counts (re-exported by :mod:`referral.gaps`).

Examples
--------
>>> import datetime as dt
>>> from referral import Directory
>>> h = Directory.load().data_health(today=dt.date(2026, 11, 28))
>>> h.stale_total, round(h.share_attested, 2)
(0, 0.54)
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
from pydantic import Field

from ._table import Table
from .models import Citation, Document, Model, Text
from .vocabulary import KINDS

__all__ = ["PLAN_FIGURES", "DataHealth", "HealthRow", "PlanFigure", "data_health", "evidence_date"]


class HealthRow(Model):
    """Records of one kind in one ward (``""`` for the city).

    ``stale``: not checked within a year. ``old_evidence``: the newest dated source behind
    the record is older than three years (checked recently, but against an old page);
    ``undated``: no source behind it states a date.
    """

    ward: str
    kind: str
    records: int
    structural: int
    stale: int
    old_evidence: int = 0
    undated: int = 0
    share_structural: float


class PlanFigure(Model):
    """A count the plan gives, beside what the directory holds."""

    name: Text
    plan: int
    directory: int
    source: str
    note: Text


class DataHealth(Table):
    """What is structural or stale, per ward and kind, and the plan's own counts."""

    today: dt.date
    rows_: tuple[HealthRow, ...] = Field(alias="rows")
    figures: tuple[PlanFigure, ...]
    share_attested: float
    stale_total: int
    old_evidence_total: int = 0

    def rows(self) -> Sequence[Model]:
        """The table's rows: one per ward and kind."""
        return self.rows_

    def by_ward(self) -> dict[str, float]:
        """Share of structural records per ward (bodies only: no aggregates, no meetings)."""
        total: Counter[str] = Counter()
        structural: Counter[str] = Counter()
        for r in self.rows_:
            total[r.ward] += r.records
            structural[r.ward] += r.structural
        return {w: structural[w] / total[w] for w in sorted(total)}


PLAN_FIGURES: tuple[tuple[str, str, int, str, str], ...] = (
    (
        "地区連合町内会",
        "district federations of associations",
        253,
        "district_association_federation",
        "plan §2(1)",
    ),
    (
        "地区社会福祉協議会",
        "district social welfare councils",
        256,
        "district_welfare_council",
        "plan §2(1)",
    ),
    (
        "地区民生委員児童委員協議会",
        "district councils of welfare commissioners",
        263,
        "district_commissioner_council",
        "plan §2(1)",
    ),
    (
        "民生委員・児童委員",
        "welfare commissioners",
        4500,
        "welfare_commissioner",
        "plan §1(2) (about 4,500)",
    ),
    (
        "地域ケアプラザ",
        "community care plazas",
        146,
        "care_plaza",
        "City of Yokohama, July 2024 (data/sources/yokohama/README.md)",
    ),
)


_DATE = re.compile(r"((?:19|20)\d\d)(?:-(\d\d))?(?:-(\d\d))?")


def evidence_date(citations: Iterable[Citation]) -> dt.date | None:
    """The newest date any citation states (``2018-09``, ``2024-07-16``, ``(2013)``)."""
    best = None
    for c in citations:
        for y, m, day in _DATE.findall(c.detail or ""):
            try:
                found = dt.date(int(y), int(m or 1), int(day or 1))
            except ValueError:  # a month or day out of range: keep the year
                found = dt.date(int(y), 1, 1)
            best = found if best is None or found > best else best
    return best


def data_health(
    G: nx.MultiDiGraph,
    *,
    today: dt.date | None = None,
    stale_after_days: int = 365,
    doc: Document | None = None,
    old_after_years: int = 3,
) -> DataHealth:
    """Structural (unattested) and stale records per ward and kind, and the plan's counts.

    Aggregates and meetings are left out of the shares (they are structural by design).
    A record is stale when its ``checked`` date is more than ``stale_after_days`` before
    ``today`` (default: today). With ``doc``, the dates its sources state are read too: a
    record checked recently against a page older than ``old_after_years`` is counted in
    ``old_evidence`` (and one whose sources state no date in ``undated``).
    """
    today = today or dt.date.today()
    limit = today - dt.timedelta(days=stale_after_days)
    old_limit = today.replace(year=today.year - old_after_years)
    evidence = {a.id: evidence_date(a.sources) for a in doc.agencies} if doc else {}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    kinds: Counter[str] = Counter()
    for node, data in G.nodes(data=True):
        kinds[data["kind"]] += 1
        if data["aggregate"] or data["meeting"]:
            continue
        groups[(data["ward"], data["kind"])].append({**data, "_id": node})
    rows = []
    for (ward, kind), items in sorted(groups.items()):
        structural = sum(not d["attested"] for d in items)
        stale = sum(dt.date.fromisoformat(d["checked"]) < limit for d in items)
        dates = [evidence.get(d["_id"]) for d in items] if evidence else []
        rows.append(
            HealthRow(
                ward=ward,
                kind=kind,
                records=len(items),
                structural=structural,
                stale=stale,
                old_evidence=sum(1 for x in dates if x is not None and x < old_limit),
                undated=sum(1 for x in dates if x is None),
                share_structural=round(structural / len(items), 4),
            )
        )
    bodies = sum(r.records for r in rows) or 1
    figures = _plan_figures(kinds)
    return DataHealth(
        today=today,
        rows=tuple(rows),
        figures=figures,
        share_attested=round(1 - sum(r.structural for r in rows) / bodies, 4),
        stale_total=sum(r.stale for r in rows),
        old_evidence_total=sum(r.old_evidence for r in rows),
    )


def _plan_figures(kinds: Counter[str]) -> tuple[PlanFigure, ...]:
    """The plan's published counts beside the records the directory holds of each kind."""
    return tuple(
        PlanFigure(
            name=Text(ja=ja, en=en),
            plan=value,
            directory=kinds[kind],
            source=source,
            note=Text(
                ja="圏域ごとの集約ノードとして記録（個々の団体・人は記録しない）"
                if KINDS[kind].tier != "district" or kind != "care_plaza"
                else "出典で確認した施設",
                en="one aggregate node per care plaza area (no individual groups or people)"
                if kind != "care_plaza"
                else "facilities confirmed in sources",
            ),
        )
        for ja, en, value, kind, source in PLAN_FIGURES
    )
