"""Test helpers: a tiny hand-made network with known structure, file utilities, and a loader
for the scripts and benchmarks (which are not a package)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from referral._data import dump_document
from referral.models import Agency, Area, Catchment, Citation, Document, Link, Phone, Source, Text
from referral.vocabulary import KINDS, REQUIRED_AREA_KINDS, REQUIRED_WARD_KINDS

DAY = dt.date(2026, 1, 1)
REPO = Path(__file__).resolve().parent.parent
CITE = (Citation(source="test", detail="hand-made"),)


def agency(agency_id: str, kind: str, area: str, **extra: Any) -> Agency:
    """A minimal valid agency for tests."""
    fields: dict[str, Any] = {
        "id": agency_id,
        "name": Text(ja=f"{agency_id}（ja）", en=agency_id),
        "kind": kind,
        "tier": KINDS[kind].tier if kind in KINDS else "ward",
        "area": area,
        "attested": True,
        "sources": CITE,
        "checked": DAY,
    }
    fields.update(extra)
    return Agency(**fields)


def tiny_document(
    *,
    districts: tuple[str, ...] = ("a", "b"),
    extra: tuple[Agency, ...] = (),
    links: tuple[tuple[str, str, str], ...] = (),
) -> Document:
    """City ``c``, ward ``w`` with districts ``w.a`` and ``w.b`` and every required kind.

    ``links`` are (source, target, kind) triples added to a few default ones.
    """
    areas = [
        Area(id="c", kind="city", name=Text(ja="市", en="City"), sources=CITE, checked=DAY),
        Area(
            id="w",
            kind="ward",
            parent="c",
            name=Text(ja="西区", en="West Ward"),
            sources=CITE,
            checked=DAY,
        ),
    ]
    agencies = [
        agency(f"w.{k}", k, "w", phones=(Phone(number="045-000-0000"),))
        for k in REQUIRED_WARD_KINDS
    ]
    for d in districts:
        areas.append(
            Area(
                id=f"w.{d}",
                kind="district",
                parent="w",
                name=Text(ja=f"{d}地域ケアプラザ圏域", en=f"{d} care plaza area"),
                catchment=Catchment(text=f"{d}町", complete=True, source=CITE[0]),
                sources=CITE,
                checked=DAY,
            )
        )
        agencies += [
            agency(f"w.{d}.{k}", k, f"w.{d}", aggregate=k != "comprehensive_support_center")
            for k in REQUIRED_AREA_KINDS
        ]
        agencies.append(agency(f"w.{d}.care_plaza", "care_plaza", f"w.{d}"))
    agencies += list(extra)
    default_links = [
        (f"w.{d}.resident", f"w.{d}.welfare_commissioner", "notices_and_shares") for d in districts
    ]
    default_links += [
        (f"w.{d}.welfare_commissioner", f"w.{d}.comprehensive_support_center", "connects_to")
        for d in districts
    ]
    default_links += [
        (f"w.{d}.comprehensive_support_center", f"w.{d}.care_plaza", "housed_in") for d in districts
    ]
    default_links += [
        (f"w.{d}.comprehensive_support_center", "w.ward_livelihood_section", "connects_to")
        for d in districts
    ]
    return Document(
        title=Text(ja="テスト", en="test"),
        data_date=DAY,
        sources=(Source(id="test", title="hand-made test network"),),
        areas=tuple(areas),
        agencies=tuple(agencies),
        links=tuple(
            Link(source=s, target=t, kind=k, sources=CITE) for s, t, k in [*default_links, *links]
        ),
    )


def write_document(path: Path, doc: Document) -> Path:
    path.write_text(dump_document(doc), encoding="utf-8")
    return path


def write_raw(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def tiny_raw_document() -> dict[str, Any]:
    """The tiny document as the JSON a file holds (a fresh copy, free to break)."""
    data: dict[str, Any] = json.loads(dump_document(tiny_document()))
    return data


FUZZ_CASES: Counter[str] = Counter()
"""Generated cases run per entry point (printed at the end of the test run)."""


def load_script(folder: str, name: str) -> ModuleType:
    """Import ``folder/name.py`` of the repository (``"scripts"`` or ``"benchmarks"``).

    The module is registered in :data:`sys.modules` under ``name`` (dataclasses look their
    module up there) and its folder is put on :data:`sys.path` once, so that it can import its
    neighbours as it does when run (``benchmarks/run.py`` imports ``bench_cli``, and so on).
    """
    where = REPO / folder
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))
    spec = importlib.util.spec_from_file_location(name, where / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def spy_on_report(monkeypatch: Any) -> list[str | None]:
    """Record the ward each ``Records.report`` call asks for (the report still runs)."""
    from referral.records import Records  # noqa: PLC0415 - the records extra is optional

    asked: list[str | None] = []
    report = Records.report

    def spy(self: Records, ward: str | None = None) -> Any:
        asked.append(ward)
        return report(self, ward=ward)

    monkeypatch.setattr(Records, "report", spy)
    return asked
