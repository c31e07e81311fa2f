"""Names where the command line takes an id (private; see cli.py).

A coordinator types 高齢者虐待, 地域ケアプラザ or 新山下地域ケアプラザ, not ``elder_abuse``,
``care_plaza`` or ``naka.shin_yamashita.care_plaza``: each resolver takes an id, a Japanese or
English label (or a part of one that names a single entry), and answers the id, or raises the
library's lookup error with the nearest names. A name several bodies share is refused with the
candidates listed, never settled by picking one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ._suggest import suggest
from ._text import fold_place, kata_to_hira
from .errors import UnknownAgencyError, UnknownVocabularyError
from .vocabulary import KINDS

if TYPE_CHECKING:
    from .directory import Directory
    from .models import Agency, AgencyMatch

__all__ = ["agency", "concern_id", "exact_agency", "kind_id", "romaji"]

_CITY = "横浜市"

MAX_LISTED = 8
"""Candidates an ambiguity error names (the rest are counted)."""


def _fold(text: str) -> str:
    return kata_to_hira(fold_place(text)).lower()


MIN_PART = 2
"""Characters a part of a label needs to name an entry on its own."""


def _resolve(what: str, text: str, entries: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The id of the one entry ``text`` names: an id, a label, or a part of a single label."""
    if any(text == id_ for id_, _ in entries):
        return text
    key = _fold(text)
    exact = {id_ for id_, labels in entries for lab in labels if _fold(lab) == key}
    if len(exact) == 1:
        return exact.pop()
    part = {id_ for id_, labels in entries for lab in labels if key and key in _fold(lab)}
    if len(part) == 1 and len(key) >= MIN_PART:
        return part.pop()
    choices = {lab: id_ for id_, labels in entries for lab in (id_, *labels)}
    folded = {_fold(lab): lab for lab in choices}
    shown = [folded[f] for f in suggest(key, list(folded))]
    if part:  # several labels hold the text: those are the candidates
        shown = sorted(part)
    raise UnknownVocabularyError(what, text, suggestions=shown)


def kind_id(text: str) -> str:
    """The kind id of ``text``: an id, or a Japanese or English label.

    >>> kind_id("地域ケアプラザ"), kind_id("care_plaza")
    ('care_plaza', 'care_plaza')
    """
    return _resolve("kind", text, [(k.id, (k.ja, k.en)) for k in KINDS.values()])


def concern_id(d: Directory, text: str) -> str:
    """The concern id of ``text``: an id, a Japanese or English name, or a part of one name
    (ごみ屋敷 names いわゆる「ごみ屋敷」（不良な生活環境）).
    """
    return _resolve("concern", text, [(c.id, (c.name.ja, c.name.en)) for c in d.concerns])


# -- agencies ---------------------------------------------------------------------------
_KANA = (
    "あa いi うu えe おo かka きki くku けke こko さsa しshi すsu せse そso たta ちchi つtsu "
    "てte とto なna にni ぬnu ねne のno はha ひhi ふfu へhe ほho まma みmi むmu めme もmo "
    "やya ゆyu よyo らra りri るru れre ろro わwa をo んn がga ぎgi ぐgu げge ごgo ざza じji "
    "ずzu ぜze ぞzo だda ぢji づzu でde どdo ばba びbi ぶbu べbe ぼbo ぱpa ぴpi ぷpu ぺpe ぽpo "
    "ぁa ぃi ぅu ぇe ぉo ゃya ゅyu ょyo ゔvu"
)
_ROMAJI = {item[0]: item[1:] for item in _KANA.split()}
_LONG = (("ou", "o"), ("oo", "o"), ("uu", "u"))


def romaji(text: str) -> str:
    """A kana reading in the Hepburn spelling the English names use (long vowels dropped).

    >>> romaji("しんやました"), romaji("とべほんちょう"), romaji("ろっかくばし")
    ('shinyamashita', 'tobehoncho', 'rokkakubashi')
    """
    out: list[str] = []
    double = False
    for ch in kata_to_hira(unicodedata.normalize("NFKC", text)):
        if ch == "っ":
            double = True
            continue
        if ch in "ゃゅょ" and out and out[-1].endswith("i") and len(out[-1]) > 1:
            stem = out.pop()[:-1]
            syllable = (stem if stem.endswith(("sh", "ch", "j")) else stem + "y") + _ROMAJI[ch][-1]
        else:
            syllable = _ROMAJI.get(ch, ch if ch.isascii() else "")
        if double and syllable:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double = False
        out.append(syllable)
    word = "".join(out)
    for long, short in _LONG:
        word = word.replace(long, short)
    return word


_ID = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
"""What an agency id looks like (``nishi.tobe_honcho.care_plaza``)."""


def _is_kana(text: str) -> bool:
    return bool(text) and all(
        "\u3041" <= ch <= "\u30ff" or ch in "ー・ " for ch in unicodedata.normalize("NFKC", text)
    )


def _label(ag: Agency) -> str:
    return f"{ag.name.ja} ({ag.id})"


def _listed(agencies: Iterable[Agency]) -> list[str]:
    return [_label(a) for a in agencies]


def agency(d: Directory, text: str) -> tuple[Agency, list[Agency]]:
    """The body ``text`` names, and the other close matches (for "other matches").

    An id or an exact name wins; otherwise the best name match, unless another body of the
    same kind matches as well (区役所: every ward's): then :class:`UnknownAgencyError` lists
    the candidates. A kana reading (しんやました) is looked up by its romaji, and suggested.
    """
    known = {a.id: a for a in d.agencies}
    if text in known:
        return known[text], []
    if _ID.fullmatch(text):  # an id mistyped: suggest, never settle on a name that looks alike
        raise _not_found(d, text)
    key = fold_place(text).lower()
    exact = [a for a in d.agencies if key in (fold_place(a.name.ja).lower(), a.name.en.lower())]
    if len(exact) == 1:
        return exact[0], []
    found = d.find(text, limit=50)
    if exact:  # a name several bodies bear: only they are candidates
        found = [m for m in found if m.agency in exact]
    if not found:
        raise _not_found(d, text)
    best = found[0]
    tied = [m for m in found if m.score == best.score and m.agency.kind == best.agency.kind]
    if len(tied) > 1:
        starting = [m for m in tied if _bare(m.agency.name.ja).startswith(key)]
        if len(starting) != 1:  # 寺尾 names 寺尾地域ケアプラザ, not 東寺尾…; 区役所 names none
            raise _ambiguous(text, tied)
        best = starting[0]
    return best.agency, [m.agency for m in found if m.agency is not best.agency][:5]


def exact_agency(d: Directory, text: str) -> Agency:
    """The one body ``text`` names exactly: its id, its whole name, or a part of one name
    only (寺尾地域ケアプラザ from 寺尾地域ケア); never a fuzzy match — what is recorded
    must be the body meant. Otherwise :class:`UnknownAgencyError` with the candidates.

    >>> from referral import Directory
    >>> d = Directory.load()
    >>> exact_agency(d, "新山下地域ケアプラザ").id, exact_agency(d, "寺尾地域ケアプラザ").id
    ('naka.shin_yamashita.care_plaza', 'tsurumi.terao.care_plaza')
    """
    known = {a.id: a for a in d.agencies}
    if text in known:
        return known[text]
    key = fold_place(text).lower()
    names = [(a, _bare(a.name.ja), a.name.en.lower()) for a in d.agencies]
    exact = [a for a, ja, en in names if _bare(text) in (ja, en) or key == en]
    if len(exact) == 1:
        return exact[0]
    part = exact or [a for a, ja, en in names if len(key) >= MIN_PART and (key in ja or key in en)]
    if len(part) == 1:
        return part[0]
    if part:
        err = UnknownAgencyError(text, suggestions=_listed(part[:MAX_LISTED]))
        err.ambiguous = len(part)  # type: ignore[attr-defined]
        raise err
    raise _not_found(d, text)


def _bare(name: str) -> str:
    """A body's name folded as a query is, without the city's prefix (横浜市)."""
    return fold_place(name).lower().removeprefix(fold_place(_CITY).lower())


def _not_found(d: Directory, text: str) -> UnknownAgencyError:
    if _is_kana(text):  # a reading: the English names spell it
        near = _listed(m.agency for m in d.find(romaji(text), limit=3))
    else:
        ids = [a.id for a in d.agencies]
        near = suggest(text, ids)
    return UnknownAgencyError(text, suggestions=near)


def _ambiguous(text: str, tied: Sequence[AgencyMatch]) -> UnknownAgencyError:
    err = UnknownAgencyError(text, suggestions=_listed(m.agency for m in tied))
    err.ambiguous = len(tied)  # type: ignore[attr-defined]
    return err
