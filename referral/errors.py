"""One hierarchy of errors, each also a subclass of the builtin a caller would catch.

Every message names the bad value (shortened when it is user text) and the place, and where
there is a nearest valid value it suggests it. Each class says the command line's exit status
for it in ``exit_code``: :data:`EXIT_NO_MATCH` (1) when nothing was found or matched,
:data:`EXIT_ERROR` (2) for a usage or data error.

Every error a caller or a command-line user can meet is defined here. The few private
exceptions that only carry a signal inside one module and never leave it (a schema's
missing field, an HSDS row that cannot be mapped, a cache value that cannot be encoded) stay
beside the code that raises and catches them.

Examples
--------
>>> from referral.errors import UnknownAgencyError, ReferralError
>>> err = UnknownAgencyError("nishi.ward_ofice", suggestions=["nishi.ward_office"])
>>> isinstance(err, KeyError) and isinstance(err, ReferralError)
True
>>> print(err)
unknown agency id 'nishi.ward_ofice'; did you mean 'nishi.ward_office'?
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from ._suggest import did_you_mean as _did_you_mean

_T = TypeVar("_T")

EXIT_OK = 0
"""The command line's exit status when it did what was asked."""
EXIT_NO_MATCH = 1
"""The exit status when nothing was found or matched (an unknown place, no concern read)."""
EXIT_ERROR = 2
"""The exit status of a usage or data error (bad input, a broken file, an unwritable output)."""

__all__ = [
    "EXIT_ERROR",
    "EXIT_NO_MATCH",
    "EXIT_OK",
    "AreaTooBroadError",
    "ArgumentError",
    "ArgumentTypeError",
    "DataError",
    "DataFileError",
    "MissingExtraError",
    "NoConcernError",
    "NoteTooLongError",
    "Omitted",
    "OutsideAreaError",
    "Problem",
    "ReadOnlyError",
    "RecordsAccessError",
    "RecordsSchemaError",
    "ReferralError",
    "SaveConflictError",
    "SaveError",
    "TransitionError",
    "UnknownAgencyError",
    "UnknownAreaError",
    "UnknownReferralError",
    "UnknownVocabularyError",
    "UsageError",
    "ValidationError",
    "expect_instance",
    "expect_int",
    "expect_path",
    "expect_str",
    "shorten",
]


def shorten(text: str, limit: int = 24) -> str:
    """Return ``text`` cut to ``limit`` characters with an ellipsis, for error messages.

    User text (a concern note, a search string) may describe a real person: errors quote
    only its start.

    >>> shorten("a" * 30, 5)
    'aaaaa…'
    """
    return text if len(text) <= limit else text[:limit] + "…"


def expect_str(value: object, what: str) -> str:
    """Return ``value`` if it is a str; else raise :class:`ArgumentTypeError` naming ``what``.

    >>> expect_str(3, "area")
    Traceback (most recent call last):
    ...
    referral.errors.ArgumentTypeError: area must be a str, not int
    """
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def expect_int(value: object, what: str, *, minimum: int | None = None) -> int:
    """Return ``value`` if it is a whole number (not a bool) at least ``minimum``.

    >>> expect_int("3", "limit")
    Traceback (most recent call last):
    ...
    referral.errors.ArgumentTypeError: limit must be an int, not str
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"{what} must be an int, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ArgumentError(f"{what} must be at least {minimum}, not {value}")
    return value


def expect_instance(value: object, cls: type[_T], what: str) -> _T:
    """Return ``value`` if it is a ``cls``; else raise :class:`ArgumentTypeError`."""
    if not isinstance(value, cls):
        raise ArgumentTypeError(f"{what} must be a {cls.__name__}, not {type(value).__name__}")
    return value


def expect_path(value: object, what: str = "path") -> str:
    r"""Return ``value`` (a str or os.PathLike) as a str a file system accepts: no NUL
    character, no lone surrogate; else raise a :class:`ReferralError`.

    >>> expect_path("a\x00b")
    Traceback (most recent call last):
    ...
    referral.errors.ArgumentError: path contains a NUL character: 'a\x00b'
    """
    if not isinstance(value, str | os.PathLike):
        raise ArgumentTypeError(f"{what} must be a str or a path, not {type(value).__name__}")
    text = os.fspath(value)
    if isinstance(text, bytes):
        raise ArgumentTypeError(f"{what} must be a str or a path, not bytes")
    if "\x00" in text:
        raise ArgumentError(f"{what} contains a NUL character: {shorten(text, 60)!r}")
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        raise ArgumentError(
            f"{what} cannot be encoded for the file system: {shorten(text, 60)!r}"
        ) from None
    return text


class ReferralError(Exception):
    """Base class of every error the library raises on purpose.

    ``exit_code`` is the command line's exit status when the error ends a command.
    """

    exit_code: ClassVar[int] = EXIT_ERROR


class UsageError(ReferralError):
    """A command line the parser cannot take (an unknown option, a missing argument); the
    command line adds a hint to run ``referral --help``.
    """


class ArgumentError(ReferralError, ValueError):
    """An argument has the right type but a value the function cannot take (an age of 300)."""


class ArgumentTypeError(ReferralError, TypeError):
    """An argument has the wrong type (a number where a note or an id is expected)."""


class ReadOnlyError(ReferralError, AttributeError, TypeError):
    """An attempt to change a loaded directory or its graph; the ``with_*`` methods return a
    changed copy instead.
    """


class DataError(ReferralError, ValueError):
    """A data file or document is malformed or inconsistent."""


class DataFileError(DataError):
    """A data file cannot be read as a JSON document (encoding, syntax, duplicate keys)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found by validation: where (a JSON path) and what."""

    path: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Omitted(Problem):
    """Ends a list of problems cut short: ``count`` more were found but not listed (validation
    lists at most :data:`referral.validation.MAX_PROBLEMS`).
    """

    count: int = 0


class ValidationError(DataError):
    """A document failed validation; ``problems`` lists every fault found, or the first ones
    and an :class:`Omitted` counting the rest; ``total`` counts them all.
    """

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.total = sum(p.count if isinstance(p, Omitted) else 1 for p in self.problems)
        n = self.total
        first = f": {self.problems[0]}" if self.problems else ""
        more = f" (and {n - 1:,} more)" if n > 1 else ""
        super().__init__(f"{source}: {n:,} problem{'s' if n != 1 else ''}{first}{more}")


class _LookupMessage:
    """Mixin: KeyError's str() quotes its argument; we want a plain sentence."""

    message: str

    def __str__(self) -> str:
        return self.message


class UnknownAgencyError(_LookupMessage, ReferralError, KeyError):
    """No agency has this id (or name)."""

    exit_code = EXIT_NO_MATCH

    def __init__(self, key: str, *, suggestions: Sequence[str] = ()) -> None:
        self.key = shorten(key, 60)  # as much as the message shows: it may be user text
        self.suggestions = tuple(suggestions)
        self.message = f"unknown agency id {shorten(key, 60)!r}{_did_you_mean(suggestions)}"
        super().__init__(self.message)


class UnknownAreaError(_LookupMessage, ReferralError, KeyError):
    """No ward, care plaza area, town or postal code matches this text."""

    exit_code = EXIT_NO_MATCH

    def __init__(self, text: str, *, suggestions: Sequence[str] = ()) -> None:
        self.text = shorten(text, 60)  # an address or a town, or a note pasted by mistake
        self.suggestions = tuple(suggestions)
        self.message = (
            f"no area matches {shorten(text)!r} (try a ward, a care plaza, a town or a "
            f"postal code){_did_you_mean(suggestions)}"
        )
        super().__init__(self.message)


class OutsideAreaError(UnknownAreaError):
    """The text names a place in another municipality than the directory's city: no plan
    can be made for it (a resident of 川崎市 is served by 川崎市's bodies).
    """

    def __init__(self, text: str, *, place: str, city: str) -> None:
        super().__init__(text)
        self.place = place
        self.city = city
        self.message = (
            f"{shorten(text)!r} is outside {city} ({place}): this directory holds {city}'s "
            f"bodies only（{city}外の地域です。その市区町村の窓口へ）"
        )
        self.args = (self.message,)


class UnknownVocabularyError(_LookupMessage, ReferralError, KeyError):
    """An id is not in the vocabulary (a tier, kind, link kind or concern).

    A lookup error, but a usage one: the command line exits 2 (the id is the caller's
    mistake, not a place or a note that matched nothing).
    """

    exit_code = EXIT_ERROR

    def __init__(self, what: str, key: str, *, suggestions: Sequence[str] = ()) -> None:
        self.what = what
        self.key = shorten(key, 60)
        self.suggestions = tuple(suggestions)
        self.message = f"unknown {what} {shorten(key, 60)!r}{_did_you_mean(suggestions)}"
        super().__init__(self.message)


class NoteTooLongError(ReferralError, ValueError):
    """A concern note is longer than the documented limit."""

    def __init__(self, length: int, limit: int, *, at_least: bool = False) -> None:
        self.length = length
        self.limit = limit
        size = f"over {limit:,}" if at_least else f"{length:,}"
        super().__init__(
            f"note is {size} characters long; the limit is {limit:,} "
            "(split it, or pass only the part that describes the concern)"
        )


class NoConcernError(ReferralError, LookupError):
    """No concern could be read from the note (the CLI exits 1 with advice)."""

    exit_code = EXIT_NO_MATCH

    def __init__(self, near: Sequence[str] = ()) -> None:
        self.near = tuple(near)
        hint = f"; weak clues: {', '.join(self.near)}" if self.near else ""
        super().__init__(
            "no concern recognised in the note: rephrase it, or name the concern "
            f"(referral concerns lists them){hint}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class AreaTooBroadError(ReferralError, ValueError):
    """The area given is the whole city; a route needs a ward or a daily-living area."""


class MissingExtraError(ReferralError, ImportError):
    """A command needs an optional extra that is not installed (``referral serve`` needs
    ``pip install 'referral[web]'``); the message names the command that installs it.
    """


class SaveError(ReferralError, OSError):
    """Writing a directory file failed (or was refused); the previous file is intact."""


class SaveConflictError(SaveError):
    """The file changed since it was read; nothing was written (read it again, redo the edit)."""


class TransitionError(ReferralError, ValueError):
    """A referral's status cannot go from where it is to where it was asked (served after
    declined, a decline without its reason); nothing was written.
    """


class UnknownReferralError(_LookupMessage, ReferralError, KeyError):
    """No referral (or consent scope) in the records has this id."""

    exit_code = EXIT_NO_MATCH

    def __init__(self, what: str, key: str) -> None:
        self.key = shorten(key, 40)
        self.message = f"no {what} {shorten(key, 40)!r} in the records"
        super().__init__(self.message)


class RecordsAccessError(ReferralError, OSError):
    """The records database cannot be written (read-only, locked by another program, in a
    folder that cannot be written); nothing was written.
    """


class RecordsSchemaError(DataError):
    """The records database was made by a newer ``referral`` (its schema revision is unknown
    to this one), or is not a records database at all; nothing was changed.
    """
