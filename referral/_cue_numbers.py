"""Cues read from numbers: ages, counts of animals and spans of days (private: import
:func:`age_atom` from :mod:`referral.cues`).

Ages (80代, 90歳, 中学2年生, 小2, "12-year-old", "in her 80s") give the who-atoms ``infant``,
``minor``, ``young_adult``, ``middle_aged`` and ``aged``; counts of animals (猫が53匹, "50
cats") give ``many_animals``; days (5日分, 半月, "for a week") give ``days``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._cue_base import Cue, make_cue
from .morphology import Token

__all__ = ["AGED_DECADE", "AGE_BANDS", "age_atom", "find_numbers"]

_SCHOOL = {
    "小学": 6,
    "小学校": 6,
    "中学": 12,
    "中学校": 12,
    "高校": 15,
    "小": 6,
    "中": 12,
    "高": 15,
}
_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_SHORT_SCHOOL = re.compile(r"^(小|中|高)([1-6一二三四五六])$")
_ANIMAL_COUNTERS = frozenset({"匹", "頭", "羽"})
_ANIMALS_EN = frozenset({"cat", "dog", "animal", "pet", "rabbit", "bird"})
_DAY_WORDS = {
    "半月": 15,
    "一週間": 7,
    "1週間": 7,
    "数日": 3,
    "何日": 3,
    "一ヶ月": 30,
    "一か月": 30,
    "1ヶ月": 30,
}


AGE_BANDS: tuple[tuple[int, str], ...] = (
    (6, "infant"),
    (18, "minor"),
    (40, "young_adult"),
    (65, "middle_aged"),
)
"""Each who-atom with the age (in years) it ends below; from the last, ``aged``."""
AGED_DECADE = 70
"""The decade (「70代」) from which an age in decades is ``aged``."""


def age_atom(age: int) -> str:
    """The who-atom of an age in years.

    >>> [age_atom(a) for a in (3, 14, 30, 52, 80)]
    ['infant', 'minor', 'young_adult', 'middle_aged', 'aged']
    """
    return next((atom for below, atom in AGE_BANDS if age < below), "aged")


def _decade_atom(decade: int) -> str:
    return {0: "infant", 10: "minor", 20: "young_adult", 30: "young_adult"}.get(
        decade, "middle_aged" if decade < AGED_DECADE else "aged"
    )


def find_numbers(tokens: Sequence[Token]) -> list[Cue]:
    """The cues of every age, count of animals and span of days in ``tokens``."""
    out: list[Cue] = []
    for i, t in enumerate(tokens):
        if t.pos == "num" and t.lemma.isdecimal():
            out += _english_number(tokens, i) if t.english else _japanese_number(tokens, i)
        elif t.pos == "noun" and (m := _SHORT_SCHOOL.match(t.surface)):
            grade = int(m.group(2)) if m.group(2).isdecimal() else _KANJI_NUM[m.group(2)]
            age = _SCHOOL[m.group(1)] + grade
            out.append(make_cue(tokens, age_atom(age), i, i, value=age))
        elif t.lemma in _DAY_WORDS or t.surface in _DAY_WORDS:
            value = _DAY_WORDS.get(t.lemma, _DAY_WORDS.get(t.surface, 3))
            out.append(make_cue(tokens, "days", i, i, value=value))
    return out


MAX_BRACKET_AGE = 110
"""The largest number in brackets after a person read as an age (女性（34）)."""
MAX_DECADE = 100
"""The largest 「○代」 read as an age in decades."""
MAX_AGE = 120
"""The largest 「○歳」 read as an age."""
MANY_ANIMALS = 10
"""Animals counted from which a note says many animals (多頭飼育)."""
MIN_DAYS = 2
"""Days counted from which a span of days is a cue (「2日間」, "3 days")."""


def _japanese_number(tokens: Sequence[Token], i: int) -> list[Cue]:
    value = int(tokens[i].lemma)
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    nxt2 = tokens[i + 2] if i + 2 < len(tokens) else None
    if nxt is None:
        return []
    if (
        prev is not None
        and prev.pos == "open"
        and nxt.pos == "close"
        and 0 < value <= MAX_BRACKET_AGE
    ):
        return [make_cue(tokens, age_atom(value), i, i, value=value)]  # 女性（34）
    if nxt.lemma == "代" and value % 10 == 0 and value <= MAX_DECADE:
        return [make_cue(tokens, _decade_atom(value), i, i + 1, value=value)]
    if nxt.lemma in ("歳", "才") and value <= MAX_AGE:
        return [make_cue(tokens, age_atom(value), i, i + 1, value=value)]
    if nxt.lemma == "年生" and prev is not None and prev.lemma in _SCHOOL:
        age = _SCHOOL[prev.lemma] + value
        return [make_cue(tokens, age_atom(age), i - 1, i + 1, value=age)]
    if nxt.lemma in _ANIMAL_COUNTERS and value >= MANY_ANIMALS:
        return [make_cue(tokens, "many_animals", i, i + 1, value=value)]
    if nxt.lemma == "日" and value >= MIN_DAYS and (nxt2 is None or nxt2.lemma in _DAY_AFTER):
        return [make_cue(tokens, "days", i, i + 1, value=value)]
    return []


_DAY_AFTER = frozenset({"分", "間", "以上", "も", "程", "ほど", "前"})


def _english_number(tokens: Sequence[Token], i: int) -> list[Cue]:
    value = int(tokens[i].lemma)
    words = [t.lemma for t in tokens[i + 1 : i + 7] if t.lemma != "-"][:4]
    prev = tokens[i - 1].lemma if i > 0 else ""
    if words[:1] == ["s"] and value % 10 == 0 and prev in ("her", "his", "their", "the", "in"):
        return [make_cue(tokens, _decade_atom(value), i, i + 1, value=value)]
    if words[:1] in (["month"], ["week"]) and "old" in words[1:3]:
        last = next(k for k in range(i + 1, len(tokens)) if tokens[k].lemma == "old")
        return [make_cue(tokens, "infant", i, last, value=0)]  # a 6-month-old
    if ("year" in words[:3] and "old" in words[:4]) or words[:1] == ["yo"] or prev == "aged":
        return [make_cue(tokens, age_atom(value), i, i, value=value)]
    if words and words[0] in _ANIMALS_EN and value >= MANY_ANIMALS:
        return [make_cue(tokens, "many_animals", i, i + 1, value=value)]
    if words and words[0] in ("day", "week") and value >= MIN_DAYS:
        return [make_cue(tokens, "days", i, i + 1, value=value * (7 if words[0] == "week" else 1))]
    return []
