"""The display language, the one function that chooses by it, and the bilingual label
(private: import :class:`Bilingual` from :mod:`referral.vocabulary`).

Records and vocabulary labels choose with their ``get(lang)`` (``Bilingual``), the catalogue
with ``label`` and ``say`` (``_messages``); all of them call :func:`in_lang`. ``Bilingual``
lives here, below the vocabulary, so that the safety rules (:mod:`referral._safety_rules`)
can be labels too without importing the vocabulary that lists them.
"""

from __future__ import annotations

from typing import Literal, TypeVar

__all__ = ["Bilingual", "Lang", "in_lang"]

Lang = Literal["ja", "en"]
"""A display language: Japanese (the default everywhere) or English."""

T = TypeVar("T")


def in_lang(lang: Lang, ja: T, en: T) -> T:
    """``ja`` for Japanese, ``en`` for English.

    >>> in_lang("en", "区", "ward")
    'ward'
    """
    return ja if lang == "ja" else en


class Bilingual:
    """A label in Japanese (``ja``) and English (``en``), shown with :meth:`get`.

    Records and labels choose their language here: the tiers, kinds, link kinds and safety
    rules of :mod:`referral.vocabulary` and :class:`referral.models.Text` share it.

    >>> from referral.vocabulary import TIERS
    >>> TIERS["ward"].get("ja"), TIERS["ward"].get("en")
    ('区域', 'ward')
    """

    __slots__ = ()
    ja: str
    en: str

    def get(self, lang: Lang) -> str:
        """The label in ``lang``."""
        return in_lang(lang, self.ja, self.en)

    def other(self, lang: Lang) -> str:
        """The label in the language that is not ``lang`` (a card's second name)."""
        return in_lang(lang, self.en, self.ja)
