"""Checks of record text shared by the models (private): no control characters, web links
only, vocabulary ids as the vocabulary's own strings.

Each is a pydantic field validator (or called by one): it returns the value or raises
``ValueError`` with a message that names the fault and never quotes a control character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ._suggest import did_you_mean, suggest
from .vocabulary import KINDS, LINK_KINDS

if TYPE_CHECKING:
    from .models import Text

__all__ = [
    "CONTROL",
    "CONTROL_BUT_NEWLINE",
    "MAX_SHOWN",
    "multi_line",
    "one_line",
    "plain_text",
    "text_of",
    "vocabulary_id",
    "web_url",
]

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""A control character: C0, DEL or C1."""
CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
"""A control character other than the line feed (what notes may not hold)."""
_SPACE = re.compile(r"\s")


def one_line(value: str | None, *, lines: bool = False, part: str = "") -> str | None:
    """Refuse a control character (C0, DEL, C1) in record text: it can rewrite a terminal,
    break an export (XML holds no C0) or hide text. Notes (``lines``) may hold a newline
    (U+000A), nothing else. The message shows the character's code point, never the
    character itself.
    """
    if value is not None:
        m = (CONTROL_BUT_NEWLINE if lines else CONTROL).search(value)
        if m is not None:
            what = " (a line break: only notes may span lines)" if m.group() == "\n" else ""
            raise ValueError(
                f"{part}control character U+{ord(m.group()):04X} at position {m.start()}{what}; "
                "control characters (C0, DEL, C1) are refused in record text"
            )
    return value


def multi_line(value: str | None) -> str | None:
    """:func:`one_line` for notes, which may span lines."""
    return one_line(value, lines=True)


def text_of(value: Text | None, where: str = "") -> Text | None:
    """Both languages of a display text are :func:`one_line` (``where`` prefixes a fault)."""
    if value is not None:
        one_line(value.ja, part=f"{where}ja: ")
        one_line(value.en, part=f"{where}en: ")
    return value


def plain_text(value: Text | None) -> Text | None:
    """:func:`text_of` as a field validator (no field name in the message)."""
    return text_of(value)


MAX_SHOWN = 60
"""Characters of a refused value quoted in its error message."""


def web_url(value: str | None) -> str | None:
    """Only an ``http://`` or ``https://`` link with a host (no ``javascript:``, ``data:`` or
    ``file:`` URL, no whitespace) is kept as a URL.
    """
    if value is None:
        return None
    one_line(value)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host
        host = None
    scheme = parts.scheme.lower() if host else ""
    if (
        scheme not in ("http", "https")
        or value[: len(scheme) + 3].lower() != scheme + "://"
        or _SPACE.search(value) is not None
    ):
        shown = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
        raise ValueError(
            f"url {shown!r} is not a web link: only http:// and https:// addresses with a "
            "host and no spaces are kept"
        )
    return value


_CANONICAL = {k: k for k in (*KINDS, *LINK_KINDS)}  # one string object per vocabulary id


def vocabulary_id(value: str, ids: Mapping[str, object], what: str) -> str:
    """A vocabulary id, as the vocabulary's own string object; else a did-you-mean error."""
    if value not in ids:
        raise ValueError(f"unknown {what} {value!r}{did_you_mean(suggest(value, ids, limit=1))}")
    return _CANONICAL[value]
