"""Catchment parsing and area resolution."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referral import Directory, UnknownAreaError
from referral.areas import parse_address, parse_catchment

TOWNS = {
    "戸部町",
    "戸部本町",
    "藤棚町",
    "西戸部町",
    "伊勢町",
    "中央",
    "矢向",
    "江ケ崎町",
    "獅子ケ谷",
    "井土ケ谷下町",
    "井土ケ谷中町",
    "井土ケ谷上町",
    "東寺尾北台",
    "上白根町",
    "和泉町",
    "白根",
    "つつじが丘",
    "菊名",
    "市場上町",
    "市場下町",
}


@pytest.mark.parametrize(
    ("text", "parts", "unparsed", "complete"),
    [
        (
            "矢向1〜6・江ヶ崎町",
            [("矢向", (1, 2, 3, 4, 5, 6), False), ("江ケ崎町", (), False)],
            (),
            True,
        ),
        (
            "戸部町5〜7・藤棚町1（一部）",
            [("戸部町", (5, 6, 7), False), ("藤棚町", (1,), True)],
            (),
            True,
        ),
        ("西戸部町1・2", [("西戸部町", (1, 2), False)], (), True),
        ("伊勢町1〜3（一部）ほか", [("伊勢町", (1, 2, 3), True)], (), False),
        ("獅子ヶ谷・東寺尾北台", [("獅子ケ谷", (), False), ("東寺尾北台", (), False)], (), True),
        (
            "井土ケ谷下・中・上町",
            [("井土ケ谷下町", (), False), ("井土ケ谷中町", (), False), ("井土ケ谷上町", (), False)],
            (),
            True,
        ),
        ("上白根町の中原街道の北側エリア", [("上白根町", (), True)], (), True),
        ("和泉町1〜1999番地ほか", [("和泉町", (), True)], (), False),
        (
            "白根1〜4・6・白根5（一部）",
            [("白根", (1, 2, 3, 4, 6), False), ("白根", (5,), True)],
            (),
            True,
        ),
        ("菊名4〜7・3（一部）", [("菊名", (4, 5, 6, 7), False), ("菊名", (3,), True)], (), True),
        ("戸部町一～三丁目", [("戸部町", (1, 2, 3), False)], (), True),
        ("つつじヶ丘", [("つつじが丘", (), False)], (), True),
        ("市場地区", [("市場上町", (), True), ("市場下町", (), True)], (), False),
        ("ゆめが丘1〜15番地・中央", [("中央", (), False)], ("ゆめが丘1〜15番地",), False),
        ("戸塚町（一部・戸塚第一・第二地区）", [], ("戸塚町(一部・戸塚第一・第二地区)",), False),
    ],
)
def test_parse_catchment(
    text: str,
    parts: list[tuple[str, tuple[int, ...], bool]],
    unparsed: tuple[str, ...],
    complete: bool,
) -> None:
    got, rest, done = parse_catchment(text, TOWNS)
    assert [(p.town, p.chome, p.partial) for p in got] == parts
    assert rest == unparsed
    assert done is complete


@given(st.text(max_size=60))
def test_parse_catchment_never_raises(text: str) -> None:
    parts, _, _ = parse_catchment(text, TOWNS)
    assert all(p.town in TOWNS for p in parts)


@pytest.mark.parametrize(
    ("text", "town", "chome"),
    [
        ("戸部町6-12-3", "戸部町", 6),
        ("戸部本町50-33", "戸部本町", 50),
        ("藤棚町二丁目", "藤棚町", 2),
        ("中央1丁目", "中央", 1),
        ("どこか", None, None),
        ("戸部町", "戸部町", None),
    ],
)
def test_parse_address(text: str, town: str | None, chome: int | None) -> None:
    assert parse_address(text, TOWNS) == (town, chome)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("西区", [("nishi", 1.0)]),
        ("nishi", [("nishi", 1.0)]),
        ("Nishi Ward", [("nishi", 1.0)]),
        ("港北", [("kohoku", 1.0)]),
        ("戸部本町", [("nishi.tobe_honcho", 1.0)]),
        ("戸部本町地域ケアプラザ", [("nishi.tobe_honcho", 1.0)]),
        ("横浜市戸部本町地域ケアプラザ", [("nishi.tobe_honcho", 1.0)]),
        ("緑町", [("nishi.tobe_honcho", 1.0)]),
        ("220-0013", [("nishi.tobe_honcho", 1.0)]),
        ("２２０－００１３", [("nishi.tobe_honcho", 1.0)]),
        ("〒2200013", [("nishi.tobe_honcho", 1.0)]),
        ("藤棚町", [("nishi.fujidana", 0.75), ("nishi.tobe_honcho", 0.25)]),
        ("藤棚町1丁目", [("nishi.fujidana", 0.5), ("nishi.tobe_honcho", 0.5)]),
        ("藤棚町2丁目", [("nishi.fujidana", 1.0)]),
        ("横浜市西区戸部町6丁目12-3", [("nishi.tobe_honcho", 1.0)]),
        ("神奈川県横浜市西区戸部町5-1", [("nishi.tobe_honcho", 1.0)]),
        ("本町通4", [("tsurumi.ushioda", 1.0)]),
        ("市場上町", [("tsurumi.tsurumi_ichiba", 0.8)]),
        ("とべほんちょう", [("nishi.tobe_honcho", 1.0)]),
        ("ミドリチョウ", [("nishi.tobe_honcho", 1.0)]),
    ],
)
def test_resolve_area(bundled: Directory, text: str, expected: list[tuple[str, float]]) -> None:
    got = [(m.area.id, m.confidence) for m in bundled.resolve_area(text)]
    assert got == expected


def test_resolve_area_split_shares_sum_to_one(bundled: Directory) -> None:
    for text in ("藤棚町", "藤棚町1丁目", "岸谷", "菊名"):
        found = bundled.resolve_area(text)
        assert len(found) >= 2
        assert sum(m.confidence for m in found) == pytest.approx(1.0, abs=0.01)
        assert "分かれる" in found[0].reason.ja and "split" in found[0].reason.en


def test_a_town_split_between_two_catchments_gets_half_each(bundled: Directory) -> None:
    # ゆめが丘 (245-0019) is in Japan Post's current table (not in the 2020 one) and two
    # catchment lists name part of it
    for text in ("ゆめが丘", "245-0019"):
        found = bundled.resolve_area(text)
        assert {m.area.id for m in found} == {"izumi.izumi_chuo", "izumi.shimo_izumi"}
        assert [m.confidence for m in found] == [0.5, 0.5]
        assert "2圏域に分かれる" in found[0].reason.ja


@pytest.mark.parametrize("text", ["", "   ", "xyzzy", "999-9999"])
def test_resolve_area_nothing(bundled: Directory, text: str) -> None:
    assert bundled.resolve_area(text) == []


def test_require_area_suggests_nearest(bundled: Directory) -> None:
    with pytest.raises(UnknownAreaError, match="did you mean") as info:
        bundled.require_area("戸部ほんちょ")
    assert isinstance(info.value, KeyError)


def test_resolve_area_type_error(bundled: Directory) -> None:
    with pytest.raises(TypeError, match="area must be a str"):
        bundled.resolve_area(220)  # type: ignore[arg-type]


@given(st.text(max_size=40))
def test_resolve_area_never_raises_on_text(text: str) -> None:
    d = Directory.load()
    found = d.resolve_area(text)
    assert all(0 <= m.confidence <= 1 for m in found)
    assert [m.confidence for m in found] == sorted((m.confidence for m in found), reverse=True)
