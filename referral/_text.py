"""Small text helpers shared by area resolution and matching (private).

Place names in Yokohama are written several ways: 獅子ヶ谷 / 獅子ケ谷, 清水ケ丘, full-width digits,
kanji numerals for 丁目, 〜 / ～ / ~ for ranges. ``fold_place`` maps them to one form.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_place", "kanji_to_int", "kata_to_hira", "squash"]

_TILDES = str.maketrans({"~": "〜", "～": "〜", "∼": "〜", "－": "-", "‐": "-", "―": "-"})
_SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})
_DASHES = re.compile(r"[‐‑‒–—―ー−-]")

_KANJI_DIGITS = {
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def fold_place(text: str) -> str:
    """Fold a place name or address to one comparable form.

    NFKC (full-width to half-width), small ヶ to ケ, every tilde to 〜, spaces removed.

    >>> fold_place("獅子ヶ谷１～２丁目")
    '獅子ケ谷1〜2丁目'
    >>> fold_place(" 横浜市 西区 ")
    '横浜市西区'
    """
    text = unicodedata.normalize("NFKC", text).translate(_TILDES).translate(_SMALL_KE)
    return re.sub(r"\s+", "", text)


def squash(text: str) -> str:
    """Fold a place name and drop the dashes of a postal code or address (for lookups).

    >>> squash("220-0013"), squash("２２０ー００１３")
    ('2200013', '2200013')
    """
    return _DASHES.sub("", fold_place(text))


def kanji_to_int(text: str) -> int | None:
    """Read a number written in digits or kanji numerals up to 99, or return ``None``.

    >>> kanji_to_int("十二"), kanji_to_int("五"), kanji_to_int("12"), kanji_to_int("町")
    (12, 5, 12, None)
    """
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _KANJI_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in text)) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


_KATA_START, _KATA_END = ord("ァ"), ord("ヶ")  # U+30A1..U+30F6 map onto U+3041..U+3096


def kata_to_hira(text: str) -> str:
    """Turn katakana into hiragana (ヴ and the small ヵヶ included).

    >>> kata_to_hira("ヤングケアラー")
    'やんぐけあらー'
    """
    return "".join(
        chr(ord(ch) - 0x60) if _KATA_START <= ord(ch) <= _KATA_END else ch for ch in text
    )
