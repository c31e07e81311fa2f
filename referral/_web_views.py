"""What the web pages show, as plain dictionaries for the templates (private; see web.py).

Each function takes the directory and the language and returns the values a template needs;
the templates only lay them out (and Jinja escapes every one). The network of an area is
drawn here as SVG coordinates, on the server: the page needs no script.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ._cli_tables import resolve_ward
from ._messages import Lang, label, web_labels
from ._render import kind_label, phone_line, postal_text
from .directory import Directory
from .gaps import AreaCoverage
from .models import Advisory, Agency, AgencyRef, Area, ReferralPlan, Suggestion, Text
from .vocabulary import LINK_KINDS, TIERS, Tier

__all__ = [
    "agency_view",
    "area_options",
    "area_view",
    "completions",
    "concerns_view",
    "gaps_view",
    "plan_view",
    "safety_view",
    "t",
]

MAX_COMPLETIONS = 12
"""Completions ``/api/areas`` gives for what has been typed."""
SHORT_REASONS = 2
"""Reasons a card shows in the short view (the full view shows all)."""
NODE_W, NODE_H, ROW_H, MARGIN = 150, 40, 110, 20
"""The SVG network's layout: a node's box, the distance between tiers, the margin."""
MAX_NODES_PER_ROW = 24
"""The widest tier drawn (the rest are listed below the drawing)."""
LABEL_CHARS = 11
"""Characters of a name written inside a node (the full name is its tooltip and is listed)."""


def t(text: Text | Tier | None, lang: Lang) -> str:
    """A text (or a tier's label) in ``lang``; empty for none."""
    if text is None:
        return ""
    return text.get(lang)


def _tel(number: str) -> str:
    return "tel:" + re.sub(r"[^0-9+]", "", number)


def _is_fax(label: str | None) -> bool:
    """A fax number gets no ``tel:`` link (a phone would dial a fax machine)."""
    return label is not None and "FAX" in label.upper().replace("ＦＡＸ", "FAX")


def _contact(ref: AgencyRef | Agency, lang: Lang) -> dict[str, Any]:
    """Phones (with ``tel:`` links), the address, or whom to call instead."""
    phones = [
        {"text": phone_line(p, lang), "tel": "" if _is_fax(p.label) else _tel(p.number)}
        for p in ref.phones
    ]
    via = None
    if isinstance(ref, AgencyRef) and not ref.phones and ref.contact_name is not None:
        via = {
            "name": t(ref.contact_name, lang),
            "phones": [{"text": p.number, "tel": _tel(p.number)} for p in ref.contact_phones],
        }
    address = None
    if not ref.confidential and ref.address:
        address = postal_text(ref.postal_code, "postal_code" in ref.derived, lang) + ref.address
    return {"phones": phones, "via": via, "address": address, "confidential": ref.confidential}


def safety_view(advisories: Sequence[Advisory], lang: Lang) -> list[dict[str, Any]]:
    """The safety advice that comes before any card."""
    return [
        {
            "message": t(a.message, lang),
            "weak": a.weak,
            "numbers": [{"text": n, "tel": _tel(n)} for n in a.numbers],
            "evidence": list(a.evidence[:4]),
            "agencies": [{"name": t(r.name, lang), **_contact(r, lang)} for r in a.agencies],
        }
        for a in advisories
    ]


def _path(s: Suggestion, names: dict[str, Agency], lang: Lang) -> list[dict[str, str]]:
    """The path from the origin, one step a line, each with its tier."""
    if not s.path:
        return []
    first = names[s.path[0].source]
    out = [{"name": t(first.name, lang), "tier": t(TIERS[first.tier], lang), "link": ""}]
    for step in s.path:
        target = names[step.target]
        link = LINK_KINDS[step.link]
        out.append(
            {
                "name": t(target.name, lang),
                "tier": t(TIERS[target.tier], lang),
                "link": link.get(lang),
                "id": step.target,
            }
        )
    return out


def _card(s: Suggestion, d: Directory, cnames: dict[str, str], lang: Lang) -> dict[str, Any]:
    names = {a.id: a for a in d.agencies}
    role = label(f"role_{s.role}", lang)
    return {
        "rank": s.rank,
        "role": s.role,
        "role_label": role,
        "id": s.agency.id,
        "name": t(s.agency.name, lang),
        "kind": kind_label(s.agency.kind, lang),
        "attested": s.agency.attested,
        "remarks": t(s.agency.remarks, lang),
        "concerns": [cnames.get(c, c) for c in s.concerns],
        "concern_ids": list(s.concerns),
        "reasons": [t(r, lang) for r in s.reasons],
        "alternatives": [t(a.name, lang) for a in s.alternatives],
        "path": _path(s, names, lang),
        "reachable": s.reachable,
        **_contact(s.agency, lang),
    }


def plan_view(d: Directory, plan: ReferralPlan, lang: Lang) -> dict[str, Any]:
    """A plan as the plan page and the sheet show it."""
    cnames = {c.id: t(c.name, lang) for c in plan.concerns}

    def name(agency_id: str | None) -> str:
        return t(d.agency(agency_id).name, lang) if agency_id else ""

    return {
        "area": t(plan.area.area.name, lang),
        "area_id": plan.area.area.id,
        "origin": [name(o) for o in plan.origin],
        "concerns": [
            {
                "name": t(c.name, lang),
                "confidence": f"{c.confidence:.0%}",
                "weak": c.weak,
                "evidence": list(c.evidence),
            }
            for c in plan.concerns
        ],
        "safety": safety_view(plan.advisories, lang),
        "cards": [_card(s, d, cnames, lang) for s in plan.suggestions],
        "coordinator": name(plan.coordinator),
        "meeting": name(plan.meeting),
        "caveats": [t(c, lang) for c in plan.caveats],
        "district_choices": [(a, name_of_area(d, a, lang)) for a in plan.district_choices],
    }


def name_of_area(d: Directory, area_id: str, lang: Lang) -> str:
    return t(d.area(area_id).name, lang)


def area_options(d: Directory, lang: Lang) -> list[tuple[str, str]]:
    """The wards and care plaza areas for the area field's list (value, label)."""
    wards = sorted((a for a in d.areas if a.kind == "ward"), key=lambda a: a.id)
    out = []
    for ward in wards:
        out.append((ward.name.ja, t(ward.name, lang)))
        out += [(a.name.ja, t(a.name, lang)) for a in d.districts(ward.id)]
    return out


def completions(d: Directory, q: str, lang: Lang) -> list[dict[str, str]]:
    """Wards, care plaza areas, towns and postal codes that start with (or contain) ``q``,
    then the area search's own answers for it.
    """
    q = q.strip()[:40]
    if not q:
        return []
    out: dict[str, dict[str, str]] = {}

    def add(value: str, label: str, kind: str) -> None:
        if len(out) < MAX_COMPLETIONS and value not in out:
            out[value] = {"value": value, "label": label, "kind": kind}

    folded = q.casefold()
    for a in sorted(d.areas, key=lambda a: (a.kind != "ward", a.id)):
        if a.kind in ("ward", "district") and (
            a.name.ja.startswith(q) or a.name.en.casefold().startswith(folded) or q in a.name.ja
        ):
            add(a.name.ja, t(a.name, lang), a.kind)
    wards = {a.id: a for a in d.areas if a.kind == "ward"}
    for town in d.document.towns:
        ward = wards.get(town.ward)
        prefix = ward.name.ja if ward else ""
        place = "" if "掲載がない" in town.town else town.town  # a ward's catch-all code
        if town.postal_code.startswith(q) or town.postal_code.replace("-", "").startswith(q):
            add(town.postal_code, f"{town.postal_code} {prefix}{place}", "postal_code")
        elif town.town.startswith(q):
            add(f"{prefix}{town.town}", f"{prefix}{town.town}", "town")
    if len(out) < MAX_COMPLETIONS:
        for m in d.resolve_area(q):
            add(m.area.name.ja, t(m.area.name, lang), m.area.kind)
    return list(out.values())


def agency_view(d: Directory, agency_id: str, lang: Lang) -> dict[str, Any]:
    """One body: its contact, what it is, where, and its links."""
    ag = d.agency(agency_id)
    contact = d.contact(ag)
    links = []
    for lk in d.links_of(ag.id):
        other = lk.target if lk.source == ag.id else lk.source
        kind = LINK_KINDS[lk.kind]
        links.append(
            {
                "dir": "→" if lk.source == ag.id else "←",
                "kind": kind.get(lang),
                "id": other,
                "name": t(d.agency(other).name, lang),
            }
        )
    links.sort(key=lambda x: (x["dir"] != "→", x["kind"], x["id"]))
    return {
        "id": ag.id,
        "name": t(ag.name, lang),
        "kind": kind_label(ag.kind, lang),
        "tier": t(TIERS[ag.tier], lang),
        "area_id": ag.area,
        "area": name_of_area(d, ag.area, lang),
        "attested": ag.attested,
        "aggregate": ag.aggregate,
        "url": ag.url,
        "remarks": t(ag.remarks, lang),
        "contact_via": (
            {"id": contact.id, "name": t(contact.name, lang)} if contact.id != ag.id else None
        ),
        "checked": ag.checked.isoformat(),
        "links": links,
        **_contact(ag, lang),
    }


def _network_nodes(d: Directory, area: Area) -> list[Agency]:
    """The bodies drawn for an area: its own, and for a care plaza area the ward's and
    city's bodies they link to.
    """
    own = d.agencies_in(area.id)
    ids = {a.id for a in own}
    extra: dict[str, Agency] = {}
    if area.kind == "district":
        for a in own:
            for lk in d.links_of(a.id):
                other = lk.target if lk.source == a.id else lk.source
                if other not in ids:
                    extra.setdefault(other, d.agency(other))
    return [*own, *sorted(extra.values(), key=lambda a: a.id)]


def network_svg(d: Directory, area: Area, lang: Lang) -> dict[str, Any]:
    """Node boxes by tier (city at the top) and the links between them, as coordinates."""
    order = list(TIERS)[::-1]  # city, ward, district, neighbourhood
    rows: dict[str, list[Agency]] = {tier: [] for tier in order}
    for ag in _network_nodes(d, area):
        rows[ag.tier].append(ag)
    rows = {k: v[:MAX_NODES_PER_ROW] for k, v in rows.items() if v}
    widest = max((len(v) for v in rows.values()), default=1)
    width = 2 * MARGIN + widest * (NODE_W + 10)
    pos: dict[str, tuple[int, int]] = {}
    nodes = []
    for r, (tier, members) in enumerate(rows.items()):
        y = MARGIN + 20 + r * ROW_H
        step = (width - 2 * MARGIN) / len(members)
        for i, ag in enumerate(members):
            x = int(MARGIN + step * i + (step - NODE_W) / 2)
            pos[ag.id] = (x, y)
            full = t(ag.name, lang)
            short = full if len(full) <= LABEL_CHARS else full[: LABEL_CHARS - 1] + "…"
            nodes.append(
                {
                    "id": ag.id,
                    "x": x,
                    "y": y,
                    "label": short,
                    "name": full,
                    "tier": tier,
                    "attested": ag.attested,
                }
            )
    edges = []
    seen = set()
    for ag_id, (x, y) in pos.items():
        for lk in d.links_of(ag_id):
            if lk.source != ag_id or lk.target not in pos or (lk.source, lk.target) in seen:
                continue
            seen.add((lk.source, lk.target))
            tx, ty = pos[lk.target]
            edges.append(
                {
                    "x1": x + NODE_W // 2,
                    "y1": y + NODE_H // 2,
                    "x2": tx + NODE_W // 2,
                    "y2": ty + NODE_H // 2,
                    "kind": lk.kind,
                }
            )
    tiers = [
        {"label": t(TIERS[tier], lang), "y": MARGIN + 10 + r * ROW_H} for r, tier in enumerate(rows)
    ]
    height = MARGIN * 2 + 20 + len(rows) * ROW_H
    return {
        "width": width,
        "height": height,
        "nodes": nodes,
        "edges": edges,
        "tiers": tiers,
        "node_w": NODE_W,
        "node_h": NODE_H,
    }


def area_view(d: Directory, area_id: str, lang: Lang) -> dict[str, Any]:
    """An area: its bodies, its care plaza areas (for a ward) and its network drawn."""
    area = d.area(area_id)
    parent = d.area(area.parent) if area.parent else None
    bodies = sorted(d.agencies_in(area.id), key=lambda a: (list(TIERS).index(a.tier), a.id))
    return {
        "id": area.id,
        "name": t(area.name, lang),
        "kind": area.kind,
        "parent": {"id": parent.id, "name": t(parent.name, lang)} if parent else None,
        "catchment": area.catchment.text if area.catchment else "",
        "bodies": [
            {"id": a.id, "name": t(a.name, lang), "kind": kind_label(a.kind, lang)} for a in bodies
        ],
        "districts": (
            [{"id": a.id, "name": t(a.name, lang)} for a in d.districts(area.id)]
            if area.kind == "ward"
            else []
        ),
        "svg": network_svg(d, area, lang),
    }


def concerns_view(d: Directory, lang: Lang) -> list[dict[str, Any]]:
    """Every concern with its primary windows."""
    return [
        {
            "id": c.id,
            "name": t(c.name, lang),
            "primary": [kind_label(k.kind, lang) for k in c.primary],
            "easy_ja": c.easy_ja or "",
        }
        for c in d.concerns
    ]


def _cell_class(a: AreaCoverage) -> str:
    if a.status == "covered":
        return "cov-structural" if a.structural_only else "cov-full"
    return "cov-partial" if a.status == "partial" else "cov-none"


_MARKS = {"cov-full": "◎", "cov-structural": "○", "cov-partial": "△", "cov-none": "×"}
_LEGEND = {
    "cov-full": "covered",
    "cov-structural": "structural",
    "cov-partial": "partial",
    "cov-none": "uncovered",
}


def gaps_view(d: Directory, ward_text: str, lang: Lang) -> dict[str, Any]:
    """A ward's coverage as a concern × care plaza area table, and its single points of
    failure.
    """
    ward = resolve_ward(d, ward_text)
    assert ward is not None
    cov = d.coverage(ward=ward)
    districts = list(d.districts(ward))
    cells = {(a.concern, a.area): a for a in cov.areas}
    labels = web_labels(lang)
    rows = []
    for c in d.concerns:
        row = []
        for area in districts:
            a = cells.get((c.id, area.id))
            if a is None:
                continue
            cls = _cell_class(a)
            row.append({"class": cls, "mark": _MARKS[cls], "title": labels[_LEGEND[cls]]})
        if row:
            rows.append({"id": c.id, "name": t(c.name, lang), "cells": row})
    spof = d.single_points_of_failure(ward=ward)
    return {
        "ward": ward,
        "ward_name": name_of_area(d, ward, lang),
        "districts": [{"id": a.id, "name": t(a.name, lang)} for a in districts],
        "rows": rows,
        "legend": [{"class": k, "mark": _MARKS[k], "label": labels[v]} for k, v in _LEGEND.items()],
        "spof": [
            {"id": s.agency, "name": t(d.agency(s.agency).name, lang), "text": t(s.statement, lang)}
            for s in spof
        ],
    }
