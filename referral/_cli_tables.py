"""The commands that list records: agencies, areas, where, concerns, kinds, gaps (private;
see cli.py). Each prints through :func:`referral._cli_output.emit`, so each takes the same
output options.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

from . import _cli_names
from ._cli_data import max_bytes
from ._cli_output import chosen_format, emit, write
from ._messages import Lang, label
from ._render import area_match_rows, kind_label
from ._render_gaps import render_gaps, render_what_if
from .directory import Directory
from .models import Agency, Area
from .vocabulary import KINDS, TIERS, Kind

__all__ = [
    "cmd_agencies",
    "cmd_areas",
    "cmd_concerns",
    "cmd_gaps",
    "cmd_kinds",
    "cmd_where",
    "directory",
    "resolve_ward",
]


def directory(args: argparse.Namespace) -> Directory:
    """The directory the command reads: ``--data``, or the bundled one (cached)."""
    if args.data:
        return Directory.from_path(args.data, max_bytes=max_bytes(args))
    from ._cache import load_bundled  # noqa: PLC0415

    return load_bundled()


def resolve_ward(d: Directory, text: str | None) -> str | None:
    """The ward id of a ward, care plaza area, town or postal code (``None``: none given)."""
    if text is None:
        return None
    match = d.require_area(text)
    return match.area.id if match.area.kind == "ward" else match.area.parent


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_defaults=True)


def _agency_row(d: Directory, ag: Agency, lang: Lang) -> list[str]:
    contact = d.contact(ag)
    phone = contact.phones[0].number if contact.phones else ""
    if phone and contact.id != ag.id:
        phone = "→" + phone  # reached through another body (contact_via)
    return [
        ag.id,
        ag.name.get(lang),
        kind_label(ag.kind, lang),
        phone,
        label("yes" if ag.attested else "no", lang),
    ]


def cmd_agencies(args: argparse.Namespace) -> int:
    d = directory(args)
    ward = resolve_ward(d, args.ward)
    kind = _cli_names.kind_id(args.kind) if args.kind else None
    rows = [
        a
        for a in d.agencies
        if (ward is None or d.ward_of(a) == ward)
        and (kind is None or a.kind == kind)
        and not (args.real and (a.aggregate or a.is_meeting))
    ]
    rows.sort(key=lambda a: a.id)
    header = [label(k, args.lang) for k in ("id", "name", "kind", "phone", "attested")]
    body = [_agency_row(d, a, args.lang) for a in rows]
    emit(args, [_dump(a) for a in rows], header, body)
    return 0 if rows else 1


def cmd_areas(args: argparse.Namespace) -> int:
    d = directory(args)
    ward = resolve_ward(d, args.ward)

    def name(a: Area) -> str:
        return a.name.get(args.lang)

    if ward is None:
        rows = [a for a in d.areas if a.kind == "ward"]
        header = [label(k, args.lang) for k in ("id", "name", "districts")]
        body = [[w.id, name(w), str(len(d.districts(w.id)))] for w in rows]
    else:
        rows = list(d.districts(ward))
        header = [label(k, args.lang) for k in ("id", "name", "catchment")]
        body = [[a.id, name(a), a.catchment.text if a.catchment else ""] for a in rows]
    emit(args, [_dump(a) for a in rows], header, body, max_width=60)
    return 0


_WHERE_FIELDS: Any = {
    "area": {"id", "kind", "name", "parent"},
    "confidence": True,
    "reason": True,
    "town": True,
    "chome": True,
}


def cmd_where(args: argparse.Namespace) -> int:
    d = directory(args)
    found = d.resolve_area(args.text)
    if not found and chosen_format(args) not in ("json", "nl"):
        d.require_area(args.text)  # raises with suggestions
    header = [label(k, args.lang) for k in ("id", "name", "confidence", "reason")]
    records = [m.model_dump(mode="json", include=_WHERE_FIELDS) for m in found]
    emit(args, records, header, area_match_rows(found, args.lang), max_width=70)
    return 0 if found else 1


def cmd_concerns(args: argparse.Namespace) -> int:
    d = directory(args)
    lang = args.lang
    header = [label(k, lang) for k in ("id", "concern", "primary")]
    rows = [
        [
            c.id,
            c.name.get(lang),
            "・".join(kind_label(k.kind, lang) for k in c.primary),
        ]
        for c in d.concerns
    ]
    records = [c.model_dump(mode="json", exclude={"aliases"}) for c in d.concerns]
    emit(args, records, header, rows, max_width=50)
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    """The kinds of body: id, Japanese and English label, tier, and how many the data holds."""
    d = directory(args)
    counts = Counter(a.kind for a in d.agencies)
    header = [label(k, args.lang) for k in ("id", "name_ja", "name_en", "tier", "count")]
    kinds = sorted(KINDS.values(), key=lambda k: (TIERS[k.tier].rank, k.id))

    def tier(k: Kind) -> str:
        return TIERS[k.tier].get(args.lang)

    rows = [[k.id, k.ja, k.en, tier(k), str(counts[k.id])] for k in kinds]
    records = [
        {
            "id": k.id,
            "ja": k.ja,
            "en": k.en,
            "tier": k.tier,
            "meeting": k.meeting,
            "count": counts[k.id],
        }
        for k in kinds
    ]
    emit(args, records, header, rows, max_width=40)
    return 0


def _gaps_what_if(args: argparse.Namespace, d: Directory) -> int:
    ids = [_cli_names.agency(d, name)[0].id for name in args.what_if]
    report = d.what_if(ids)
    records = report.to_records()
    if chosen_format(args) == "json":
        write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    elif chosen_format(args):
        emit(
            args,
            records,
            list(records[0]) if records else ["area"],
            [list(r.values()) for r in records],
        )
    else:
        write(render_what_if(report, d.document, lang=args.lang))
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    d = directory(args)
    from .gaps import load_concentration, ward_health  # noqa: PLC0415 - analysis on use

    if args.what_if:
        return _gaps_what_if(args, d)
    ward = resolve_ward(d, args.ward)
    cov = d.coverage(ward=ward)
    spof = d.single_points_of_failure(ward=ward)
    load = d.load_concentration() if ward is None else load_concentration(d.graph, cov=cov)
    health = d.data_health() if ward is None else ward_health(d.data_health(), ward)
    fmt = chosen_format(args)
    outcomes = None
    if args.records:
        from ._cli_records import outcome_cells  # noqa: PLC0415

        outcomes = outcome_cells(args.records, args.lang, ward)  # filtered in SQL
    if fmt == "json":
        report = {
            "ward": ward,
            "coverage": [a.model_dump(mode="json") for a in cov.areas],
            "share_covered": cov.share_covered(),
            "single_points_of_failure": [s.model_dump(mode="json") for s in spof],
            "load": [x.model_dump(mode="json") for x in load],
            "data_health": health.model_dump(mode="json", by_alias=True),
        }
        if outcomes is not None:
            report["outcomes"] = [c.model_dump(mode="json") for c in outcomes]
        write(json.dumps(report, ensure_ascii=False, indent=2))
    elif fmt:
        records = {
            "coverage": cov.to_records,
            "cells": cov.cell_records,
            "spof": lambda: [r for s in spof for r in s.to_records()],
            "load": lambda: [r for x in load for r in x.to_records()],
            "health": health.to_records,
        }[args.table]()  # fmt: skip
        header = list(records[0]) if records else ["empty"]
        emit(args, records, header, [list(r.values()) for r in records])
    else:
        write(render_gaps(cov, spof, load, health, d.document, ward=ward, lang=args.lang))
        if outcomes is not None:
            from ._records_explain import outcome_section  # noqa: PLC0415

            write(outcome_section(outcomes, lang=args.lang))
    return 0
