"""Errors in the user's language, and as JSON (private; see cli.py).

The library's errors carry what they are about (the key, the suggestions); the command line
words them again from the message catalogue in the language asked for, on the same error
object, so that the exit code and the one stderr line stay decided where they always were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._lang import in_lang
from ._messages import FREE_TEXT, USAGE, WHAT, Lang, say
from .errors import (
    NoConcernError,
    NoteTooLongError,
    OutsideAreaError,
    ReferralError,
    UnknownAgencyError,
    UnknownAreaError,
    UnknownVocabularyError,
    shorten,
)
from .matching import load_concerns
from .vocabulary import KINDS

__all__ = ["error_code", "error_object", "localise", "usage_message"]

_LISTED = 3
"""Suggestions a did-you-mean names."""


def _vocabulary_label(what: str, key: str, lang: Lang) -> str:
    """A concern or kind id shown as its label and id (高齢者虐待 (elder_abuse))."""
    if what == "kind" and key in KINDS:
        k = KINDS[key]
        return f"{k.get(lang)} ({key})"
    if what == "concern":
        for c in load_concerns():
            if c.id == key:
                return f"{c.name.get(lang)} ({key})"
    return key


def _hint(suggestions: Sequence[str], lang: Lang, what: str = "") -> str:
    if not suggestions:
        return ""
    shown = [_vocabulary_label(what, s, lang) for s in suggestions[:_LISTED]]
    listed = in_lang(lang, "、".join(shown), ", ".join(repr(s) for s in shown))
    return say("did_you_mean", lang, listed=listed)


def _ambiguous(exc: UnknownAgencyError, n: int, lang: Lang) -> str:
    shown = exc.suggestions[:8]
    listed = in_lang(lang, "、", "; ").join(shown)
    more = say("more", lang, n=n - len(shown)) if n > len(shown) else ""
    return say("ambiguous_agency", lang, key=exc.key, n=n, listed=listed, more=more)


def _lookup(exc: ReferralError, lang: Lang) -> str | None:
    if isinstance(exc, UnknownAgencyError):
        n = getattr(exc, "ambiguous", 0)
        if n:
            return _ambiguous(exc, n, lang)
        return say("unknown_agency", lang, key=exc.key, hint=_hint(exc.suggestions, lang))
    if isinstance(exc, OutsideAreaError):
        return None  # already in both languages
    if isinstance(exc, UnknownAreaError):
        key = shorten(exc.text)
        return say("unknown_area", lang, key=key, hint=_hint(exc.suggestions, lang))
    if isinstance(exc, UnknownVocabularyError):
        what, command = WHAT.get(exc.what, (exc.what, ""))
        hint = _hint(exc.suggestions, lang, exc.what)
        if command and lang == "ja":
            hint += say("list_with", lang, command=command)
        return say(
            "unknown_vocabulary",
            lang,
            key=exc.key,
            what=in_lang(lang, what, exc.what),
            hint=hint,
        )
    return None


def _japanese(exc: ReferralError) -> str | None:
    """The Japanese wording of ``exc``, or ``None`` when the catalogue has none."""
    if isinstance(exc, NoConcernError):
        hint = say("weak_clues", "ja", listed="、".join(exc.near)) if exc.near else ""
        return say("no_concern", "ja", hint=hint)
    if isinstance(exc, NoteTooLongError):
        size = str(exc).split(" characters", 1)[0].removeprefix("note is ")
        size = size.replace("over ", "") + ("以上" if "over" in size else "")
        return say("note_too_long", "ja", size=size, limit=exc.limit)
    return _translate(str(exc), FREE_TEXT)


def _translate(text: str, table: Sequence[tuple[str, str]]) -> str | None:
    for pattern, template in table:
        m = re.fullmatch(pattern, text, flags=re.S)
        if m:
            return template.format(*m.groups())
    return None


def localise(exc: ReferralError, lang: Lang) -> None:
    """Word ``exc`` again in ``lang`` (in place; a message the catalogue lacks is kept).

    A data file's faults (:class:`~referral.errors.DataError` with a file and a JSON path)
    keep the validator's words: they are for the people who keep the data.
    """
    text = _lookup(exc, lang)
    if text is None and lang == "ja":  # the library's own words are English
        text = _japanese(exc)
    if text is None:
        return
    exc.args = (text,)
    if "message" in vars(exc):
        exc.message = text  # type: ignore[attr-defined]


def usage_message(message: str, lang: Lang) -> str:
    """An argparse message (after ``prog: error:``) in ``lang``."""
    if lang == "en":
        return message
    return _translate(message, USAGE) or message


def error_code(exc: BaseException) -> str:
    """A stable snake_case code for an error: its class name (``UnknownAreaError`` ->
    ``unknown_area``); ``ambiguous_agency`` for a name several bodies bear.
    """
    if getattr(exc, "ambiguous", 0):
        return "ambiguous_agency"
    name = type(exc).__name__.removesuffix("Error").lstrip("_") or "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def error_object(exc: BaseException, exit_code: int) -> dict[str, object]:
    """The JSON a command given ``--json`` prints on standard output when it fails."""
    body: dict[str, object] = {"code": error_code(exc), "message": str(exc), "exit": exit_code}
    suggestions = getattr(exc, "suggestions", ())
    if suggestions:
        body["suggestions"] = list(suggestions)
    return {"error": body}
