"""The safety rules, which override ranking in a route (private: import :data:`SAFETY_RULES`
and :class:`SafetyRule` from :mod:`referral.vocabulary`, where they are part of the
controlled vocabulary).

Each rule says what to do first, with the numbers to call, where each number and duty was read
and when it was last checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._lang import Bilingual

__all__ = ["SAFETY_RULES", "SafetyRule"]


@dataclass(frozen=True, slots=True)
class SafetyRule(Bilingual):
    """A rule that overrides ranking: what to do first, with the numbers to call, where each
    number and duty was read (``sources``) and when it was last checked.
    """

    id: str
    ja: str
    en: str
    numbers: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    checked: str = ""


_CHECKED = "2026-11-30"

SAFETY_RULES: dict[str, SafetyRule] = {
    r.id: r
    for r in (
        SafetyRule(
            "child_abuse_189",
            "子どもの虐待が疑われるときは、ためらわず児童相談所へ。児童相談所虐待対応ダイヤル"
            "「189」（いちはやく）は最寄りの児童相談所につながります。命に危険があるときは110。",
            "If child abuse is suspected, contact the child guidance centre without delay: the "
            "national line 189 reaches the nearest one. If a life is in danger, call 110.",
            ("189", "110"),
            ("child_guidance_center",),
            ("https://ccc.cahier.org/yokohama_city_western.php (189 reaches the nearest centre)",),
            _CHECKED,
        ),
        SafetyRule(
            "suicide_emergency",
            "「死にたい」などの訴えや自傷・過量服薬の様子があるときは、ひとりにせず、今すぐ本人と"
            "連絡をとってください。命に危険が迫っているときは119（救急）・110（警察）へ。"
            "24時間の電話相談：よりそいホットライン 0120-279-338。",
            "If someone speaks of wanting to die, or has harmed themselves or taken an overdose, "
            "do not leave them alone: contact them now. If a life is in immediate danger, call "
            "119 (ambulance) or 110 (police). A 24-hour line: Yorisoi Hotline 0120-279-338.",
            ("119", "110", "0120-279-338"),
            ("mental_health_center",),
            (
                "広報やす 令和6年9月1日号 (2024-09-01): よりそいホットライン "
                "24時間365日の無料電話相談 0120-279-338 https://mykoho.jp/article/滋賀県野洲市/",
                "https://meikikai-home.com/ (2021-03-01): よりそいホットライン（24時間対応）",
            ),
            _CHECKED,
        ),
        SafetyRule(
            "dv_confidential",
            "DVの相談では、避難先や本人の居場所を加害者に決して伝えないでください。"
            "DV相談支援センターや避難先の所在地は非公開です。危険が迫っているときは110。"
            "24時間の相談：DV相談＋（プラス）0120-279-889。最寄りの相談窓口：#8008（DV相談ナビ）。",
            "In domestic violence never let the abuser learn where the person or a shelter is; "
            "the support centre's and shelters' addresses are never shown. In danger call 110. "
            "24 hours: DV Soudan Plus 0120-279-889; the nearest centre: #8008 (DV Soudan Navi).",
            ("110", "0120-279-889", "#8008"),
            ("dv_support_center",),
            (
                "https://www.gov-online.go.jp/cam/no_dvca/dv03/ (政府広報オンライン, undated): "
                "DV相談プラス 0120-279-889 24時間; DV相談ナビ #8008",
                "https://www.town.aikawa.kanagawa.jp/i/soshiki/kyouikuiinkai/shogaigakusyu/syogai/"
                "info/1621311080043.html (updated 2024-03-28): 0120-279-889 24時間",
            ),
            _CHECKED,
        ),
        SafetyRule(
            "emergency_check",
            "呼んでも応答がない、倒れている様子が見える、新聞や郵便が何日分もたまっている、異臭が"
            "する――安否の確認を急いでください。倒れている、または命に危険があると思われるときは"
            "すぐに119（救急）・110（警察）へ。",
            "No answer, someone seen lying inside, days of newspapers or mail, or a bad smell: "
            "check on the person now. If they may have collapsed or be in danger, call 119 "
            "(ambulance) or 110 (police) at once.",
            ("119", "110"),
            ("welfare_commissioner", "comprehensive_support_center"),
            (
                "https://www.city.tachikawa.lg.jp/fukushisomu/kenko/fukushi/mimamori/hotline.html "
                "(立川市 見守りホットライン, undated): 在宅が明らかなのに応答がない・"
                "倒れている様子が見える・室内から異臭がする場合は警察署（110番）や消防署"
                "（119番）に緊急通報を",
                "https://www.mkensha.or.jp/chiiki/watchsupport.html (地域見守り応援隊, undated): "
                "家の中で人が倒れていることが明らかであるなど緊急を要する場合は警察署や消防署へ通報",
            ),
            _CHECKED,
        ),
        SafetyRule(
            "elder_abuse_report",
            "高齢者への虐待が疑われるときは、区役所（高齢・障害支援課）か地域包括支援センターへ"
            "通報してください。高齢者虐待防止法第7条：命や身体に重大な危険が生じているときは通報"
            "の義務、そうでなくても通報に努める義務があり、守秘義務はその妨げになりません。命に危険"
            "があるときは110。",
            "If abuse of an older person is suspected, report it to the ward office (elderly and "
            "disability support section) or the community comprehensive support centre. Under "
            "the Elder Abuse Prevention Act, art. 7, reporting is a duty when life or body is in "
            "serious danger and an obligation to try otherwise; confidentiality is no bar. If a "
            "life is in danger, call 110.",
            ("110",),
            ("ward_elderly_disability_section", "comprehensive_support_center"),
            (
                "高齢者虐待防止法 第7条 (平成17年法律第124号, as in force 2022-06-17) "
                "https://iuris.jp/ (法令本文)",
                "https://www.kouken.ne.jp/index.php?itemid=215&catid=2 (2009-03-16): 通報先は"
                "市町村から委託を受けた地域包括支援センター",
            ),
            _CHECKED,
        ),
        SafetyRule(
            "disability_abuse_report",
            "障害のある人への虐待が疑われるときは、横浜市障害者虐待防止センター（24時間）か区役所"
            "（高齢・障害支援課）へ通報してください。障害者虐待防止法（第7条・第16条・第22条）："
            "虐待を受けたと思われる障害者を見つけた人には通報の義務があり、守秘義務はその妨げに"
            "なりません。命に危険があるときは110。",
            "If abuse of a person with a disability is suspected, report it to the Yokohama "
            "Disability Abuse Prevention Centre (24 hours) or the ward office. Under the "
            "Disability Abuse Prevention Act (arts. 7, 16, 22) anyone who finds a person with a "
            "disability who seems to have been abused must report it; confidentiality is no "
            "bar. If a life is in danger, call 110.",
            ("110",),
            ("disability_abuse_center", "ward_elderly_disability_section"),
            (
                "障害者虐待防止法 第7条 (平成23年法律第79号, as in force 2022-06-22) "
                "https://iuris.jp/ (法令本文)",
                "https://www.pref.akita.lg.jp/pages/archive/73510 (undated): 通報する義務"
                "（法第7条、第16条、第22条）",
                "横浜市障害者虐待防止センター 専用電話（24時間365日）: see its record in "
                "data/agencies.json",
            ),
            _CHECKED,
        ),
    )
}
"""Safety rules, which override ranking in a route: vocabulary.md's three, and three added
with their sources (an urgent safety check; the legal duties to report elder and disability
abuse)."""
