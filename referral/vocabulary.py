"""The controlled vocabulary: tiers, kinds of bodies and meetings, kinds of links.

Every id here is public and stable, and this module is where each is defined: data files, the
JSON the library emits and the tests all refer to them. Ids may be added, with a source, but never
renamed or dropped. Labels may be improved.

Examples
--------
>>> from referral.vocabulary import KINDS, tier_rank
>>> KINDS["care_plaza"].ja
'地域ケアプラザ'
>>> KINDS["care_plaza"].tier
'district'
>>> tier_rank("ward") - tier_rank("district")
1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ._lang import Bilingual, Lang
from ._safety_rules import SAFETY_RULES, SafetyRule
from ._suggest import suggest
from .errors import UnknownVocabularyError, expect_str

__all__ = [
    "CONCERN_IDS",
    "KINDS",
    "LINK_KINDS",
    "REQUIRED_AREA_KINDS",
    "REQUIRED_WARD_KINDS",
    "SAFETY_RULES",
    "TIERS",
    "WARD_OFFICE_KINDS",
    "Bilingual",
    "Kind",
    "Lang",
    "LinkKind",
    "SafetyRule",
    "Tier",
    "TierId",
    "known_kind",
    "tier_rank",
]

TierId = Literal["neighborhood", "district", "ward", "city"]


@dataclass(frozen=True, slots=True)
class Tier(Bilingual):
    """One level of the support network (plan §1(2), 参考)."""

    id: TierId
    rank: int
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class Kind(Bilingual):
    """A kind of body or meeting, with the tier where it usually sits."""

    id: str
    ja: str
    en: str
    tier: TierId
    meeting: bool = False
    source: str = "vocabulary.md"


@dataclass(frozen=True, slots=True)
class LinkKind(Bilingual):
    """A kind of typed link between two bodies (or a body and a meeting)."""

    id: str
    ja: str
    en: str


TIERS: dict[str, Tier] = {
    t.id: t
    for t in (
        Tier("neighborhood", 0, "近隣～自治会町内会", "neighbourhood / residents' association"),
        Tier("district", 1, "地区連合町内会・日常生活圏域", "district / daily-living area"),
        Tier("ward", 2, "区域", "ward"),
        Tier("city", 3, "市域", "city"),
    )
}


def tier_rank(tier: str) -> int:
    """Return the rank of ``tier`` (neighborhood 0 … city 3).

    Raises
    ------
    KeyError
        If ``tier`` is not a tier id.
    """
    return TIERS[tier].rank


_BODIES: tuple[tuple[str, str, str, TierId], ...] = (
    ("resident", "近隣住民", "neighbour / resident", "neighborhood"),
    ("neighborhood_association", "自治会町内会", "neighbourhood association", "neighborhood"),
    (
        "welfare_commissioner",
        "民生委員・児童委員",
        "welfare commissioner (minsei-iin / child commissioner)",
        "neighborhood",
    ),
    ("chief_child_commissioner", "主任児童委員", "chief child commissioner", "neighborhood"),
    (
        "commissioned_volunteer",
        "委嘱委員（保健活動推進員・食生活等改善推進員・友愛活動員 等）",
        "commissioned volunteer",
        "neighborhood",
    ),
    (
        "volunteer_group",
        "ボランティア・見守り組織・サロン・子どもの居場所・老人クラブ",
        "local volunteer group",
        "neighborhood",
    ),
    (
        "anshin_keeper",
        "あんしんキーパー",
        "anshin keeper (informal watcher for a disabled person)",
        "neighborhood",
    ),
    (
        "watch_partner",
        "見守り協定事業者（企業・商店・動物病院 等）",
        "business with a watch agreement",
        "neighborhood",
    ),
    (
        "district_association_federation",
        "地区連合町内会",
        "district federation of neighbourhood associations",
        "district",
    ),
    (
        "district_welfare_council",
        "地区社会福祉協議会（地区社協）",
        "district social welfare council",
        "district",
    ),
    (
        "district_commissioner_council",
        "地区民生委員児童委員協議会（地区民児協）",
        "district council of welfare commissioners",
        "district",
    ),
    ("care_plaza", "地域ケアプラザ", "community care plaza", "district"),
    (
        "comprehensive_support_center",
        "地域包括支援センター",
        "community comprehensive support centre",
        "district",
    ),
    (
        "district_support_team",
        "地区別支援チーム（区役所・区社協・ケアプラザ）",
        "district support team",
        "district",
    ),
    (
        "school",
        "学校（スクールカウンセラー・スクールソーシャルワーカー）",
        "school (counsellor, school social worker)",
        "district",
    ),
    (
        "care_management_office",
        "居宅介護支援事業所（ケアマネジャー）",
        "care management office",
        "district",
    ),
    ("medical_institution", "医療機関", "medical institution", "district"),
    ("npo", "NPO・民間支援団体", "NPO / private support group", "district"),
    (
        "ward_office",
        "区役所・区福祉保健センター",
        "ward office (health and welfare centre)",
        "ward",
    ),
    ("ward_welfare_section", "福祉保健課", "welfare and health section", "ward"),
    ("ward_livelihood_section", "生活支援課", "livelihood support section", "ward"),
    (
        "ward_elderly_disability_section",
        "高齢・障害支援課",
        "elderly and disability support section",
        "ward",
    ),
    ("ward_child_family_section", "こども家庭支援課", "child and family support section", "ward"),
    ("ward_hygiene_section", "生活衛生課", "environmental hygiene section", "ward"),
    (
        "ward_welfare_council",
        "区社会福祉協議会（区社協）",
        "ward social welfare council",
        "ward",
    ),
    (
        "anshin_center",
        "区社協あんしんセンター",
        "anshin centre (daily-life independence and rights support)",
        "ward",
    ),
    (
        "disability_consultation_center",
        "基幹相談支援センター",
        "core disability consultation centre",
        "ward",
    ),
    (
        "mental_health_support_center",
        "精神障害者生活支援センター",
        "mental-health life support centre",
        "ward",
    ),
    ("childcare_support_hub", "地域子育て支援拠点", "community childcare support hub", "ward"),
    (
        "disability_activity_home",
        "障害者地域活動ホーム",
        "disability community activity home",
        "ward",
    ),
    (
        "guardianship_support_office",
        "後見的支援室（障害者後見的支援制度）",
        "guardianship-style support office",
        "ward",
    ),
    (
        "child_family_support_center",
        "児童家庭支援センター",
        "child and family support centre",
        "ward",
    ),
    (
        "disability_employment_center",
        "障害者就労支援センター",
        "disability employment support centre",
        "ward",
    ),
    ("police_station", "警察署", "police station", "ward"),
    ("international_lounge", "国際交流ラウンジ", "international lounge", "ward"),
    ("civic_activity_center", "区市民活動支援センター", "civic activity support centre", "ward"),
    ("child_guidance_center", "児童相談所", "child guidance centre", "city"),
    (
        "guardianship_promotion_center",
        "よこはま成年後見推進センター（中核機関）",
        "Yokohama guardianship promotion centre (core agency)",
        "city",
    ),
    ("family_court", "横浜家庭裁判所", "Yokohama Family Court", "city"),
    (
        "city_welfare_council",
        "横浜市社会福祉協議会",
        "Yokohama City social welfare council",
        "city",
    ),
    (
        "hikikomori_support",
        "ひきこもり支援（健康福祉局・40歳以上）",
        "hikikomori support (age 40+)",
        "city",
    ),
    (
        "youth_counseling_center",
        "青少年相談センター・地域ユースプラザ（15～39歳）",
        "youth counselling centre / youth plaza (age 15–39)",
        "city",
    ),
    ("youth_activity_base", "青少年の地域活動拠点", "youth community activity base", "city"),
    (
        "mental_health_center",
        "こころの健康相談センター",
        "mental health consultation centre",
        "city",
    ),
    (
        "disability_abuse_center",
        "障害者虐待防止センター",
        "disability abuse prevention centre",
        "city",
    ),
    ("dv_support_center", "DV相談支援センター", "domestic violence support centre", "city"),
    ("multicultural_center", "多文化共生総合相談センター", "multicultural one-stop centre", "city"),
    ("consumer_center", "消費生活総合センター", "consumer affairs centre", "city"),
    ("animal_welfare_center", "動物愛護センター", "animal welfare centre", "city"),
    (
        "education_support_center",
        "教育支援センター（不登校支援）",
        "education support centre (school non-attendance)",
        "city",
    ),
    (
        "lgbtq_support",
        "性的少数者相談・交流スペース",
        "sexual-minority counselling and drop-in space",
        "city",
    ),
    (
        "disability_participation_center",
        "障害者社会参加推進センター（ピア相談）",
        "disability social participation centre (peer counselling)",
        "city",
    ),
)

# Kinds this project added, each with its source (ids may be added only with a source).
_ADDED_BODIES: tuple[tuple[str, str, str, TierId, str], ...] = (
    (
        "city_office",
        "横浜市役所（健康福祉局 等）",
        "Yokohama City Hall (Health and Social Welfare Bureau etc.)",
        "city",
        "plan §1(2) 参考 (「局の支援策に反映」); data/sources/yokohama/ward_offices.csv, source #3",
    ),
    (
        "nursing_home",
        "特別養護老人ホーム",
        "special nursing home for older people",
        "district",
        "plan §2(3) トピックス ※2 (「地域包括支援センターは地域ケアプラザと一部の"
        "特別養護老人ホームに設置」)",
    ),
)

_MEETINGS: tuple[tuple[str, str, str, TierId], ...] = (
    ("community_care_conference", "地域ケア会議", "community care conference", "ward"),
    (
        "life_support_council",
        "協議体（生活支援体制整備事業）",
        "life-support council",
        "ward",
    ),
    (
        "disability_support_council",
        "障害者自立支援協議会",
        "disability independence support council",
        "ward",
    ),
    (
        "dementia_liaison",
        "認知症高齢者地域支援連絡会",
        "dementia community support liaison",
        "ward",
    ),
    (
        "child_protection_council",
        "要保護児童対策地域協議会（児童虐待防止連絡会）",
        "council for children needing protection",
        "ward",
    ),
    ("childcare_network", "子育て支援ネットワーク", "childcare support network", "ward"),
    (
        "safety_net_meeting",
        "生活困窮者セーフティネット会議",
        "livelihood safety-net meeting",
        "ward",
    ),
    (
        "guardianship_support_net",
        "区成年後見サポートネット（区協議会）",
        "ward guardianship support network",
        "ward",
    ),
    ("city_guardianship_council", "横浜市協議会（成年後見）", "city guardianship council", "city"),
    (
        "mental_health_council",
        "協議の場（精神障害にも対応した地域包括ケア）",
        "mental-health community care council",
        "ward",
    ),
    (
        "plan_committee",
        "地域福祉保健計画策定推進委員会",
        "welfare and health plan committee",
        "ward",
    ),
    ("practitioner_review", "実務者レベルの検討会議", "practitioner review meeting", "ward"),
    ("hoarding_liaison", "ごみ屋敷対策連絡会議", "hoarding liaison meeting", "ward"),
    ("elder_abuse_liaison", "高齢者虐待防止連絡会", "elder abuse prevention liaison", "ward"),
)

KINDS: dict[str, Kind] = {
    **{k[0]: Kind(*k) for k in _BODIES},
    **{k[0]: Kind(k[0], k[1], k[2], k[3], source=k[4]) for k in _ADDED_BODIES},
    **{k[0]: Kind(*k, meeting=True) for k in _MEETINGS},
}
"""Every kind of body and meeting, by id."""

LINK_KINDS: dict[str, LinkKind] = {
    lk.id: lk
    for lk in (
        LinkKind("notices_and_shares", "気付き・共有", "notices and shares"),
        LinkKind("shares_as_needed", "必要に応じて情報共有", "shares information as needed"),
        LinkKind("requests_watch", "地域のサポートが必要な人を共有", "asks local actors to watch"),
        LinkKind("connects_to", "つなぎ", "connects (refers) to"),
        LinkKind("coordinates", "コーディネート", "coordinates"),
        LinkKind("raises_issue", "課題提起", "raises an issue"),
        LinkKind("feeds_policy", "施策へ反映", "feeds into policy"),
        LinkKind("forms_team", "権利擁護支援チーム形成", "forms a rights-advocacy team"),
        LinkKind("backs_up", "専門職派遣・申立支援・受任調整", "backs up"),
        LinkKind("reports_to", "報告", "reports to"),
        LinkKind("liaises_with", "連携", "liaises with"),
        LinkKind("consults", "相談", "consults"),
        LinkKind("recruits_watcher", "あんしんキーパー依頼", "recruits a watcher"),
        LinkKind("watch_agreement", "見守り協定", "watch agreement"),
        LinkKind("case_partner", "支援のパートナー", "case partner"),
        LinkKind("notifies", "通報・通告", "reports abuse to"),
        LinkKind("part_of", "所属", "part of"),
        LinkKind("housed_in", "併設", "housed in"),
        LinkKind("member_of", "参画", "member of"),
    )
}
"""Every kind of link, by id."""

WARD_OFFICE_KINDS: tuple[str, ...] = (
    "ward_office",
    "ward_welfare_section",
    "ward_livelihood_section",
    "ward_elderly_disability_section",
    "ward_child_family_section",
    "ward_hygiene_section",
)
"""The ward office and its sections: where a route starts when only a ward is known (a
consultation there reaches every section)."""

REQUIRED_WARD_KINDS: tuple[str, ...] = (
    *WARD_OFFICE_KINDS,
    "ward_welfare_council",
    "anshin_center",
    "disability_consultation_center",
    "mental_health_support_center",
    "childcare_support_hub",
    "guardianship_support_office",
)
"""Kinds every ward must hold at least one of (the plan's ward tier; checked by
:mod:`referral.validation`)."""

REQUIRED_AREA_KINDS: tuple[str, ...] = (
    "resident",
    "neighborhood_association",
    "welfare_commissioner",
    "district_welfare_council",
    "comprehensive_support_center",
)
"""Kinds every daily-living area (district) must hold: its neighbourhood and district tier."""


CONCERN_IDS: tuple[str, ...] = (
    "eighty_fifty",
    "young_carer",
    "hoarding",
    "hikikomori",
    "double_care",
    "dementia",
    "elder_abuse",
    "child_abuse",
    "disability_abuse",
    "poverty",
    "isolation",
    "welfare_check",
    "guardianship",
    "no_kin",
    "mental_health",
    "suicide_risk",
    "addiction",
    "domestic_violence",
    "foreign_resident",
    "sexual_minority",
    "disaster_vulnerable",
    "animal_hoarding",
    "consumer_fraud",
    "isolated_parenting",
    "school_refusal",
    "disability_life",
    "food",
    "frailty",
    "mobility_shopping",
    "housing",
    "child_poverty",
    "carer_burnout",
)
"""The stable concern ids of vocabulary.md, in its order (labels and aliases live in
``referral/concerns.json``)."""


def known_kind(kind: object) -> str:
    """Return ``kind`` if it is a kind id; else raise :class:`UnknownVocabularyError` with
    the nearest one.

    >>> known_kind("care_plaza")
    'care_plaza'
    >>> known_kind("care_plza")
    Traceback (most recent call last):
    ...
    referral.errors.UnknownVocabularyError: unknown kind 'care_plza'; did you mean 'care_plaza'?
    """
    text = expect_str(kind, "kind")
    if text not in KINDS:
        raise UnknownVocabularyError("kind", text, suggestions=suggest(text, KINDS, limit=1))
    return text
