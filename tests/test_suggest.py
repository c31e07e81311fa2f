"""The one did-you-mean helper: what it suggests for typos in ids and names, and when nothing."""

from __future__ import annotations

import pytest

from referral._suggest import LIMIT, MAX_CHARS, did_you_mean, suggest
from referral.vocabulary import CONCERN_IDS, KINDS, LINK_KINDS

TOWNS = ["戸部町", "平戸", "庄戸", "戸部本町", "西戸部町"]
WARDS = ["保土ケ谷区", "西区", "中区"]


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        # English ids: one wrong, missing, extra or swapped character
        ("care_plaze", list(KINDS), ["care_plaza"]),
        ("care_plazza", list(KINDS), ["care_plaza"]),
        ("ward_ofice", list(KINDS), ["ward_office"]),
        ("conects_to", list(LINK_KINDS), ["connects_to"]),
        ("tset", ["test"], ["test"]),
        ("hording", list(CONCERN_IDS), ["hoarding", "animal_hoarding", "housing"]),
        # best first, whatever the order of the choices
        (
            "nishi.ward_ofice",
            ["naka.ward_office", "nishi.ward_office"],
            ["nishi.ward_office", "naka.ward_office"],
        ),
        ("w.z", ["w", "w.a"], ["w"]),  # a prefix of a longer id
        # Japanese names
        ("戸部本", TOWNS, ["戸部本町"]),
        ("戸部ほんちょ", TOWNS, ["戸部町"]),  # not 平戸 or 庄戸 (one shared kanji: 60)
        ("保土ヶ谷区", WARDS, ["保土ケ谷区"]),  # small ヶ for ケ
        # nothing close
        ("xyzzy", list(KINDS), []),
        ("にしく", WARDS, []),  # reading, not writing: not matched
        ("", list(KINDS), []),
        ("care_plaza", [], []),
        ("c" * (MAX_CHARS + 1), ["c" * (MAX_CHARS + 1)], []),  # too long to score
    ],
)
def test_suggest(value: str, choices: list[str], expected: list[str]) -> None:
    assert suggest(value, choices) == expected


def test_suggest_limit_and_iterables() -> None:
    assert suggest("hording", CONCERN_IDS, limit=1) == ["hoarding"]
    assert suggest("hording", iter(CONCERN_IDS), limit=2) == ["hoarding", "animal_hoarding"]
    assert suggest("hording", CONCERN_IDS, limit=0) == []
    assert len(suggest("a", [f"a{i}" for i in range(10)])) == LIMIT


@pytest.mark.parametrize(
    ("suggestions", "tail"),
    [
        ([], ""),
        (["care_plaza"], "; did you mean 'care_plaza'?"),
        (["戸部町", "戸部本町"], "; did you mean '戸部町', '戸部本町'?"),
        (["a", "b", "c", "d"], "; did you mean 'a', 'b', 'c'?"),
    ],
)
def test_did_you_mean(suggestions: list[str], tail: str) -> None:
    assert did_you_mean(suggestions) == tail
