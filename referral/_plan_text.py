"""The texts a referral plan gives, in Japanese and English (private to :mod:`referral.routing`).

Why each body is suggested, and the caveats a plan carries: an area that is not certain, an
age that is not known, windows not on record, a ward-only plan's missing care plaza windows.

>>> ages_text(40, None).en
'for people aged 40 and over'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .models import Agency, Area, AreaMatch, Concern, KindRef, Link, Suggestion, Text
from .vocabulary import KINDS, LINK_KINDS

__all__ = [
    "TRACK_LABELS",
    "age_caveat",
    "ages_text",
    "caveats",
    "coordinator_reason",
    "engaged_by",
    "local_unknown",
    "no_record",
    "reasons",
]

TRACK_LABELS = {
    "parent": Text(ja="親の支援", en="the parent's track"),
    "child": Text(ja="子の支援", en="the child's track"),
    "elder": Text(ja="介護の支援", en="the eldercare track"),
}
"""How a plan names the parallel tracks of a compound case."""


def ages_text(lo: int | None, hi: int | None) -> Text:
    """「15〜39歳が対象」, 「40歳以上が対象」 and their English."""
    if hi is None:
        return Text(ja=f"{lo}歳以上が対象", en=f"for people aged {lo} and over")
    if lo is None:
        return Text(ja=f"{hi}歳以下が対象", en=f"for people aged {hi} and under")
    return Text(ja=f"{lo}〜{hi}歳が対象", en=f"for ages {lo}–{hi}")


def reasons(
    ref: KindRef,
    role: str,
    concern: Concern,
    ag: Agency,
    area_name: Text,
    ward_name: Text,
    here: str,
) -> list[Text]:
    """Why a body is suggested for a concern: its role, where it serves, its limits."""
    k = KINDS[ref.kind]
    what = {
        "primary": ("一次窓口", "primary window"),
        "supporting": ("支援機関", "supporting body"),
        "escalation": ("提起する会議", "meeting to raise it at"),
    }[role]
    out = [
        Text(
            ja=f"{concern.name.ja}の{what[0]}（{k.ja}）",
            en=f"{what[1]} for {concern.name.en} ({k.en})",
        )
    ]
    if here == "district":
        out.append(Text(ja=f"{area_name.ja}を担当", en=f"serves the {area_name.en}"))
    elif here == "ward":
        out.append(Text(ja=f"{ward_name.ja}の機関", en=f"serves {ward_name.en}"))
    elif ag.serves:
        out.append(
            Text(
                ja=f"{ward_name.ja}を管轄（市の機関）",
                en=f"city body whose catchment includes {ward_name.en}",
            )
        )
    else:
        out.append(Text(ja="市全域を担当", en="serves the whole city"))
    if ref.ages:
        out.append(ages_text(ref.ages.min, ref.ages.max))
    if ref.inferred:
        out.append(
            Text(
                ja="推定（出典ではなく一般的な実務による判断）",
                en="inferred: common practice, not read in a source",
            )
        )
    if not ag.attested and not k.meeting:
        out.append(
            Text(
                ja="構造上の記録（名称・連絡先は出典で未確認）",
                en="structural record: its own name or contact is not in the sources",
            )
        )
    return out


def local_unknown(ward: Area, unknown: Mapping[str, list[str]], choices: Sequence[Area]) -> Text:
    """What a ward-only plan leaves out: the care plaza area's own windows, and the areas to
    choose from (a town or postal code tells which).
    """
    names = "・".join(
        re.sub(r"(地域ケアプラザ圏域|地域包括支援センター圏域)$", "", a.name.ja) for a in choices
    )
    names_en = ", ".join(a.name.en.removesuffix(" care plaza area") for a in choices)
    kinds = (
        "・".join(f"{KINDS[k].ja}（{'・'.join(cs)}）" for k, cs in unknown.items())
        or "地域ケアプラザ・地域包括支援センター"
    )
    kinds_en = ", ".join(KINDS[k].en for k in unknown) or "care plaza, support centre"
    return Text(
        ja=f"地域が区までしか分からないため、ケアプラザ圏域の窓口（{kinds}）は選んでいません。"
        f"町名・住所・郵便番号で圏域を特定してください。{ward.name.ja}の圏域"
        f"（{len(choices)}）: {names}",
        en=f"only the ward is known, so the care plaza area's own windows ({kinds_en}) are not "
        f"chosen: give a town, an address or a postal code. The ward's {len(choices)} areas: "
        f"{names_en}",
    )


def caveats(
    ranked: Sequence[Suggestion],
    where: AreaMatch,
    alternatives: Sequence[AreaMatch],
    age_split: set[str],
    by_id: Mapping[str, Concern],
) -> list[Text]:
    """What a reader of the plan should keep in mind: an uncertain area, an unknown age,
    structural records.
    """
    out: list[Text] = []
    if alternatives:
        names = "・".join(m.area.name.ja for m in alternatives)
        names_en = ", ".join(m.area.name.en for m in alternatives)
        out.append(
            Text(
                ja=f"地域の特定は確からしさ{where.confidence:.0%}です（他の候補: {names}）",
                en=f"the area is {where.confidence:.0%} sure (also possible: {names_en})",
            )
        )
    for cid in sorted(age_split):
        out.append(
            Text(
                ja=f"年齢が不明のため、{by_id[cid].name.ja}は年齢別の窓口を両方挙げています",
                en=f"age unknown: both age-specific windows are listed for {by_id[cid].name.en}",
            )
        )
    if any(not s.agency.attested and not KINDS[s.agency.kind].meeting for s in ranked):
        out.append(
            Text(
                ja="構造上の記録は、表示した連絡先（区役所など）を通じてつないでください",
                en="reach structural records through the contact shown (usually the ward office)",
            )
        )
    return out


def age_caveat(c: Concern, age: int) -> Text:
    """A concern given for a person outside its usual ages."""
    assert c.ages is not None
    return Text(
        ja=f"{c.name.ja}は通常{c.ages.min}〜{c.ages.max}歳の人についての懸念です（年齢{age}）",
        en=f"{c.name.en} usually concerns people aged {c.ages.min}–{c.ages.max} (age given: {age})",
    )


def no_record(kind: str, ward_name: Text, c: Concern) -> Text:
    """No body of ``kind`` is on record for the person's ward."""
    return Text(
        ja=f"{ward_name.ja}に{KINDS[kind].ja}の記録がありません（{c.name.ja}）",
        en=f"no {KINDS[kind].en} on record for {ward_name.en} ({c.name.en})",
    )


def coordinator_reason(names: Sequence[Text]) -> Text:
    """Why one body holds a compound case together."""
    covered = "・".join(n.ja for n in names)
    covered_en = ", ".join(n.en for n in names)
    return Text(
        ja=f"複数の懸念（{covered}）にかかわるため、全体の調整役に",
        en=f"involved in several concerns ({covered_en}), so it holds the case together",
    )


def engaged_by(links_in: Sequence[Link], bodies: Mapping[str, Agency]) -> Text:
    """Why a body has no tier-by-tier path: who engages it (a link into it, ``links_in``,
    from another of the plan's ``bodies``), or that no link reaches it from the area.
    """
    into = {lk.source: lk.kind for lk in reversed(links_in)}  # the first link kept
    for source in sorted(bodies):  # only the plan's own bodies
        if source in into:
            src = bodies[source].name
            lk = LINK_KINDS[into[source]]
            return Text(
                ja=f"{src.ja}から依頼される（{lk.ja}）", en=f"engaged by {src.en} ({lk.en})"
            )
    return Text(
        ja="この地域からこの機関へのつながりが名簿にありません",
        en="no link in the directory reaches it from this area",
    )
