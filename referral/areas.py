"""Areas: parse catchment texts into 町丁目, and resolve what a user types to an area.

A coordinator may type a ward (``西区``), a care plaza (``戸部本町``), a town with or without
丁目 (``緑町``, ``戸部町6丁目``), a street address or a postal code (``220-0013``).
:class:`AreaIndex` answers with candidate areas and how sure it is: when a town is split
between catchments each candidate gets its share.

Examples
--------
>>> from referral.areas import parse_catchment
>>> parts, unparsed, complete = parse_catchment(
...     "矢向1〜6・江ヶ崎町ほか", {"矢向", "江ケ崎町"})
>>> [(p.town, p.chome) for p in parts], unparsed, complete
([('矢向', (1, 2, 3, 4, 5, 6)), ('江ケ崎町', ())], (), False)
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from ._suggest import suggest
from ._text import fold_place, kanji_to_int, kata_to_hira, squash
from .errors import ArgumentError, ArgumentTypeError, OutsideAreaError
from .models import AreaMatch, Document, Text, TownPart

__all__ = ["MAX_AREA_CHARS", "AreaIndex", "parse_address", "parse_catchment"]

MAX_AREA_CHARS = 200
"""Longest area text read (an address is far shorter; longer text is a note pasted there)."""

_SEPARATORS = "・、,，/／"
_PARTIAL_MARKS = ("一部", "除く", "番地", "各所", "側", "エリア", "以降", "地区")
_NUM = r"(?:\d+|[〇一二三四五六七八九十]+(?=丁目|〜))"
_TOWN_CHOME = re.compile(
    rf"^(?P<name>\D+?)(?P<a>{_NUM})(?:丁目)?(?:〜(?P<b>{_NUM}|[〇一二三四五六七八九十]+)(?:丁目)?)?$"
)
_ONLY_CHOME = re.compile(
    r"^(?P<a>\d+|[〇一二三四五六七八九十]+)(?:丁目)?(?:〜(?P<b>\d+|[〇一二三四五六七八九十]+)(?:丁目)?)?$"
)


def _split_top(text: str) -> list[str]:
    """Split on separators that are not inside parentheses."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in _SEPARATORS and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [t for t in (s.strip() for s in out) if t]


MAX_CHOME = 99
"""The highest chōme number read in a catchment (a larger one is not a chōme)."""


def _chome_range(a: str, b: str | None) -> tuple[int, ...] | None:
    lo = kanji_to_int(a)
    hi = kanji_to_int(b) if b else lo
    if lo is None or hi is None or not 1 <= lo <= hi <= MAX_CHOME:
        return None
    return tuple(range(lo, hi + 1))


SHORT_TOWN = 2
"""Characters of a town name short enough that the previous town's stem is tried first
(「本町」 after 「戸部町」 is 「戸部本町」)."""


def _lookup(name: str, towns: Collection[str], prev: str | None) -> str | None:
    """Find ``name`` among known towns, trying 町 and the previous town's stem."""
    spellings = {name, name.replace("ケ", "が"), name.replace("が", "ケ")}
    direct = [v for s in sorted(spellings) for v in (s, s + "町", s.removesuffix("町"))]
    stems = []
    if prev:
        for k in range(len(prev) - 1, 1, -1):
            stems += [prev[:k] + name, prev[:k] + name + "町"]
    order = stems + direct if len(name) <= SHORT_TOWN else direct + stems
    return next((cand for cand in order if cand in towns), None)


def parse_catchment(
    text: str, towns: Collection[str]
) -> tuple[tuple[TownPart, ...], tuple[str, ...], bool]:
    """Parse a catchment text into town parts.

    Parameters
    ----------
    text
        The source's wording, e.g. ``"戸部町5〜7・御所山町・藤棚町1（一部）ほか"``.
    towns
        The town names of the ward in folded form (Japan Post's list), used to recognise
        towns and to reject pieces that name none.

    Returns
    -------
    parts, unparsed, complete
        The recognised :class:`~referral.models.TownPart` items in source order, the pieces
        that name no known town, and whether the list is the whole catchment (no ほか, nothing
        unparsed, no 地区-level approximation).

    Notes
    -----
    ``X地区`` naming no town is read as every town of the ward whose name starts with X, each
    marked partial. Linear in the length of the text.
    """
    folded = fold_place(text)
    complete = "ほか" not in folded and "など" not in folded
    folded = folded.replace("ほか", "").replace("など", "")
    parts: list[TownPart] = []
    unparsed: list[str] = []
    prev: str | None = None
    for token in _split_top(folded):
        partial = any(mark in token for mark in _PARTIAL_MARKS)
        base = _base_name(token)
        only = _ONLY_CHOME.match(base)
        if only and prev is not None:
            more = _chome_range(only["a"], only["b"])
            if more is None:
                unparsed.append(token)
                continue
            _add_chome(parts, prev, more, partial=partial)
            continue
        chome: tuple[int, ...] | None = ()
        name = base
        m = _TOWN_CHOME.match(base)
        if m and _lookup(base, towns, prev) is None:
            name, chome = m["name"], _chome_range(m["a"], m["b"])
        town = _lookup(name, towns, prev) if name else None
        if town is not None and chome is not None:
            parts.append(TownPart(town=town, chome=chome, partial=partial))
            prev = town
        elif (
            token.endswith(("地区", "各所"))
            and name
            and (prefixed := sorted(t for t in towns if t.startswith(name)))
        ):
            parts.extend(TownPart(town=t, partial=True) for t in prefixed)
            complete = False
            prev = prefixed[-1]
        else:
            unparsed.append(token)
    return tuple(parts), tuple(unparsed), complete and not unparsed


def _base_name(token: str) -> str:
    """A catchment piece without its brackets, 番地, 「の一部」-like tails and 地区/各所."""
    base = re.sub(r"[（(].*?[）)]", "", token)
    base = re.sub(r"\d+(〜\d+)?番地.*$", "", base)
    base = re.sub(r"の(一部|.*エリア|.*側)$", "", base)
    return re.sub(r"(地区|各所)$", "", base).strip()


def _add_chome(parts: list[TownPart], town: str, more: tuple[int, ...], *, partial: bool) -> None:
    """Chōme given alone (「5〜7」) belong to the town before: joined to its last part when
    that is alike, else a part of their own.
    """
    last = parts[-1]
    if last.town == town and last.partial == partial and last.chome:
        parts[-1] = TownPart(town=town, chome=last.chome + more, partial=partial)
    else:
        parts.append(TownPart(town=town, chome=more, partial=partial))


def parse_address(text: str, towns: Collection[str]) -> tuple[str | None, int | None]:
    """Find the longest known town at the start of an address and the 丁目 after it.

    >>> parse_address("戸部町6-12-3", {"戸部町", "戸部本町"})
    ('戸部町', 6)
    >>> parse_address("藤棚町二丁目", {"藤棚町"})
    ('藤棚町', 2)
    """
    folded = fold_place(text)
    best = max((t for t in towns if folded.startswith(t)), key=len, default=None)
    if best is None:
        return None, None
    rest = folded[len(best) :]
    m = re.match(r"(\d+|[一二三四五六七八九十]+)(?:丁目|-|$)", rest)
    return best, (kanji_to_int(m.group(1)) if m else None)


_WARD_PREFIX = re.compile(r"^(?:神奈川県)?(?:横浜市)?")
_NAME = Text(ja="名称が一致", en="name")
_POSTAL = Text(ja="郵便番号", en="postal code")
_TOWN = Text(ja="町名", en="town")
_POSTAL_WARD = Text(
    ja="郵便番号（区の共通番号: 町名は分からない）", en="postal code (the ward's catch-all code)"
)
_WARD_ONLY = Text(
    ja="区名は一致、残りは既知の町名ではない", en="ward named; the rest is not a known town"
)
WARD_ONLY = 0.9
"""Confidence in a ward named by an address whose rest names no known town of it."""
CATCH_ALL = "以下に掲載がない場合"
"""The town Japan Post gives a ward's catch-all postal code (230-0000): the ward only."""


MIN_PLACE = 2
"""Characters a place needs to be looked for in catchment wording."""
FUZZY_MIN_SCORE = 85
"""rapidfuzz WRatio (0-100) a similar name needs to be offered."""


def _elsewhere_names(city: str, home: set[str], towns: set[str]) -> list[tuple[str, str]]:
    """(name, the place it means) for every prefecture and municipality outside ``city``,
    longest first: 「川崎市中原区」, its bare ward 「中原区」 (unless ``city`` has a ward of that
    name), 「三浦郡葉山町」 and 「葉山町」 (unless a town of ``city`` has that name).
    """
    data = _municipalities()
    pref_of_city = next((p for p, m in data["municipalities"] if m.startswith(city)), "")
    names: dict[str, str] = {}
    for pref in data["prefectures"]:
        if pref != pref_of_city:
            names[pref] = pref
    bare: dict[str, set[str]] = defaultdict(set)
    for pref, m in data["municipalities"]:
        if not city or m.startswith(city):
            continue
        names[m] = m
        names[pref + m] = pref + m
        if m.endswith("区") and "市" in m:  # a ward of another city: 中原区
            bare[m.split("市", 1)[1]].add(m)
        if "郡" in m:  # a town or village: 葉山町
            bare[m.split("郡", 1)[1]].add(m)
    for name, places in bare.items():
        if name not in home and fold_place(name) not in towns and name not in names:
            names[name] = "・".join(sorted(places))
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=1)
def _municipalities() -> dict[str, Any]:
    raw = resources.files("referral").joinpath("municipalities.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


class AreaIndex:
    """Lookup tables from names, towns and postal codes to areas, built once per document.

    Parameters
    ----------
    doc
        The directory document.
    area_names
        Extra names per area id (for instance the care plaza's own name).
    """

    def __init__(self, doc: Document, area_names: dict[str, list[str]] | None = None) -> None:
        self.areas = {a.id: a for a in doc.areas}
        self._names: dict[str, set[str]] = defaultdict(set)
        for area in doc.areas:
            for name in (area.name.ja, area.name.en, area.id, *(area_names or {}).get(area.id, [])):
                self._names[squash(name).lower()].add(area.id)
                short = re.sub(r"(地域ケアプラザ圏域|圏域| care plaza area)$", "", name)
                self._names[squash(short).lower()].add(area.id)
            if area.kind == "ward":
                self._names[squash(area.name.ja.removesuffix("区")).lower()].add(area.id)
        self._ward_towns: dict[str, set[str]] = defaultdict(set)
        self._postal: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        self._kana: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for t in doc.towns:
            if t.town == CATCH_ALL:  # a ward's catch-all postal code: the ward only
                self._postal[squash(t.postal_code)].append((t.ward, "", None))
                continue
            self._ward_towns[t.ward].add(fold_place(t.town))
            self._postal[squash(t.postal_code)].append((t.ward, fold_place(t.town), t.qualifier))
            if t.kana:
                self._kana[kata_to_hira(fold_place(t.kana))].add((t.ward, fold_place(t.town)))
        # town -> [(district id, town part)]
        self._town_parts: dict[tuple[str, str], list[tuple[str, TownPart]]] = defaultdict(list)
        for area in doc.areas:
            if area.kind == "district" and area.catchment and area.parent:
                for part in area.catchment.towns:
                    self._town_parts[(area.parent, part.town)].append((area.id, part))
                    self._ward_towns[area.parent].add(part.town)
        self._all_towns = {t for towns in self._ward_towns.values() for t in towns}
        city = next((a for a in doc.areas if a.kind == "city"), None)
        self.city = city.name.ja if city else ""
        self._home = {a.name.ja for a in doc.areas if a.kind in ("city", "ward")}
        self._elsewhere = dict(_elsewhere_names(self.city, self._home, self._all_towns))
        self._elsewhere_longest = max(map(len, self._elsewhere), default=0)

    def _match(
        self,
        area_id: str,
        confidence: float,
        reason: Text,
        matched: str,
        town: str | None = None,
        chome: int | None = None,
    ) -> AreaMatch:
        return AreaMatch(
            area=self.areas[area_id],
            confidence=round(confidence, 3),
            reason=reason,
            matched=matched,
            town=town,
            chome=chome,
        )

    def _by_town(
        self, ward: str, town: str, chome: int | None, matched: str, how: Text
    ) -> list[AreaMatch]:
        parts = self._town_parts.get((ward, town), [])
        if chome is not None:
            exact = [(a, p) for a, p in parts if chome in p.chome]
            whole = [(a, p) for a, p in parts if not p.chome]
            parts = exact or whole or parts
        if not parts:
            return [
                self._match(
                    ward,
                    1.0,
                    Text(
                        ja=f"{how.ja}: {town}はこの区にあるが、"
                        "どの圏域かは担当地区の一覧に記載がない",
                        en=f"{how.en}: town {town} is in this ward; no catchment list names "
                        "it, so its care plaza area is unknown",
                    ),
                    matched,
                    town,
                    chome,
                )
            ]
        weight: dict[str, float] = defaultdict(float)
        for area_id, part in parts:
            weight[area_id] += (len(part.chome) if part.chome and chome is None else 1) * (
                0.5 if part.partial else 1.0
            )
        total = sum(weight.values())
        out: dict[str, AreaMatch] = {}
        for area_id, part in parts:
            share = weight[area_id] / total
            if len(weight) == 1 and part.partial:
                share = 0.8  # the rest of the town may lie in a catchment we could not parse
            where = f"{chome}丁目" if chome else ""
            n = len(weight)
            some_ja, some_en = ("の一部", "part of ") if part.partial else ("", "")
            reason = Text(
                ja=f"{how.ja}: {town}{where}{some_ja}がこの圏域に含まれる"
                + (f"（{n}圏域に分かれる）" if n > 1 else ""),
                en=f"{how.en}: {some_en}{town}{' ' + where if where else ''} is in this catchment"
                + (f" (split between {n} areas)" if n > 1 else ""),
            )
            if area_id not in out:
                out[area_id] = self._match(area_id, share, reason, matched, town, chome)
        return list(out.values())

    def elsewhere(self, text: str) -> str | None:
        """The municipality outside the directory's city that ``text`` names, if it names one
        (「川崎市中原区」, 「相模原市南区」, 「中原区」, 「東京都」), else ``None``.

        A place is outside when it begins with another prefecture, or with the name of a
        municipality (or of a ward of another city) that is neither the city, one of its wards
        nor one of its towns.
        """
        t = squash(fold_place(text))
        if not self.city or not t:
            return None
        if t.startswith(self.city) or t.startswith(f"神奈川県{self.city}"):
            return None
        for n in range(min(len(t), self._elsewhere_longest), 1, -1):  # longest name first
            place = self._elsewhere.get(t[:n])
            if place is not None:
                return place
        return None

    def resolve(self, text: str, *, limit: int = 5) -> list[AreaMatch]:
        """Return candidate areas for ``text``, most certain first (empty if none).

        Complexity: dictionary lookups, then (only when nothing matched) one fuzzy pass over
        the names and towns.
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"area must be a str, not {type(text).__name__}")
        if len(text) > MAX_AREA_CHARS:
            raise ArgumentError(
                f"the area is {len(text):,} characters long; give a ward, a care plaza, a town, "
                f"an address or a postal code (at most {MAX_AREA_CHARS} characters)"
            )
        key = squash(text).lower()
        if not key:
            return []
        place = self.elsewhere(text)
        if place is not None:
            raise OutsideAreaError(text, place=place, city=self.city)
        if re.fullmatch(r"〒?\d{7}", key):
            return self._rank(self._by_postal(key, text), limit)
        if key in self._names:
            return self._rank([self._match(a, 1.0, _NAME, text) for a in self._names[key]], limit)
        found = _shared_between_wards(self._by_address(text))
        if not found and (towns := self._kana.get(kata_to_hira(key))):
            for ward, town in sorted(towns):  # a reading typed in kana: とべほんちょう
                found += [
                    m.model_copy(update={"confidence": round(m.confidence / len(towns), 3)})
                    for m in self._by_town(ward, town, None, text, _TOWN)
                ]
        if not found:
            found = self._in_catchment_text(fold_place(text), text)
        return self._rank(found, limit) if found else self._fuzzy(key, text, limit)

    def _by_postal(self, key: str, text: str) -> list[AreaMatch]:
        """The areas of a postal code: its ward when the code covers a whole ward, else the
        areas of its town (and chōme, when the code names one).
        """
        found: list[AreaMatch] = []
        for p_ward, p_town, qualifier in self._postal.get(key.lstrip("〒"), []):
            if not p_town:
                found.append(self._match(p_ward, 1.0, _POSTAL_WARD, text))
                continue
            p_chome = None
            if qualifier and (m := re.search(r"(\d+)丁目", fold_place(qualifier))):
                p_chome = int(m.group(1)) if "〜" not in qualifier else None
            found += self._by_town(p_ward, p_town, p_chome, text, _POSTAL)
        return found

    def _by_address(self, text: str) -> list[AreaMatch]:
        """Areas of an address: a ward named first narrows the towns to its own; the longest
        town name found wins; a ward with nothing after it (or nothing known) is the ward.
        """
        found: list[AreaMatch] = []
        rest = _WARD_PREFIX.sub("", fold_place(text))
        wards = [w for w in self.areas.values() if w.kind == "ward" and rest.startswith(w.name.ja)]
        candidates = [(w.id, rest[len(w.name.ja) :]) for w in wards] or [
            (w, rest) for w in sorted(self._ward_towns)
        ]
        parsed = [
            (ward, tail, *parse_address(tail, self._ward_towns[ward])) for ward, tail in candidates
        ]
        longest = max((len(town) for _, _, town, _ in parsed if town), default=0)
        for ward, tail, town, chome in parsed:
            if not tail:
                found.append(self._match(ward, 1.0, _NAME, text))
            elif town and len(town) == longest:
                found += self._by_town(ward, town, chome, text, _TOWN)
            elif wards and not town:
                found.append(self._match(ward, WARD_ONLY, _WARD_ONLY, text))
        return found

    def _in_catchment_text(self, folded: str, text: str) -> list[AreaMatch]:
        """Areas whose catchment wording names ``folded`` (a town too new for the postal
        table, a 地区 name).
        """
        if len(folded) < MIN_PLACE:
            return []
        hits = [
            a.id
            for a in self.areas.values()
            if a.catchment
            and (
                folded in fold_place(a.catchment.text)
                or any(folded in fold_place(alt.text) for alt in a.catchment.alternatives)
            )
        ]
        why = Text(
            ja="この圏域の担当地区の記載に含まれる", en="named in this area's catchment text"
        )
        return [self._match(a, 0.6 / len(hits), why, text) for a in hits]

    def _fuzzy(self, key: str, text: str, limit: int) -> list[AreaMatch]:
        choices = list(self._names)
        out: list[AreaMatch] = []
        for name, score, _ in process.extract(key, choices, scorer=fuzz.WRatio, limit=limit):
            if score >= FUZZY_MIN_SCORE:
                why = Text(ja=f"似た名前「{name}」", en=f"similar name {name!r}")
                out += [self._match(a, score / 100 * 0.8, why, text) for a in self._names[name]]
        return self._rank(out, limit)

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """Names close to ``text``, for did-you-mean messages (none for over-long text)."""
        if len(text) > MAX_AREA_CHARS:
            return []
        choices = [self.areas[next(iter(ids))].name.ja for ids in self._names.values()]
        choices += sorted(self._all_towns)
        return suggest(fold_place(text), sorted(set(choices)), limit=limit)

    @staticmethod
    def _rank(found: Iterable[AreaMatch], limit: int) -> list[AreaMatch]:
        best: dict[str, AreaMatch] = {}
        for m in found:
            if m.area.id not in best or best[m.area.id].confidence < m.confidence:
                best[m.area.id] = m
        return sorted(best.values(), key=lambda m: (-m.confidence, m.area.id))[:limit]


def _shared_between_wards(found: list[AreaMatch]) -> list[AreaMatch]:
    """The same town name in several wards: share the certainty between them."""
    n = len({m.area.parent or m.area.id for m in found})
    if n <= 1:
        return found
    return [m.model_copy(update={"confidence": round(m.confidence / n, 3)}) for m in found]
