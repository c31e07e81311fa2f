"""The display language and the one function that chooses by it (private).

Records and vocabulary labels choose with their ``get(lang)`` (``Bilingual``), the catalogue
with ``label`` and ``say`` (``_messages``); all of them call :func:`in_lang`.
"""

from __future__ import annotations

from typing import Literal, TypeVar

__all__ = ["Lang", "in_lang"]

Lang = Literal["ja", "en"]
"""A display language: Japanese (the default everywhere) or English."""

T = TypeVar("T")


def in_lang(lang: Lang, ja: T, en: T) -> T:
    """``ja`` for Japanese, ``en`` for English.

    >>> in_lang("en", "区", "ward")
    'ward'
    """
    return ja if lang == "ja" else en
