"""Did-you-mean: the valid ids or names nearest to a value that is not one (private).

Every "unknown …; did you mean …?" message of the package is made here, with one scorer
(rapidfuzz's ``WRatio``), one score threshold (:data:`MIN_SCORE`) and one cap on how many are
shown (:data:`LIMIT`), so a typo is answered the same way in a data file, an argument and a
command line.

Examples
--------
>>> suggest("care_plaze", ["care_plaza", "ward_office", "school"])
['care_plaza']
>>> did_you_mean(suggest("hording", ["hoarding", "animal_hoarding", "housing", "school"]))
"; did you mean 'hoarding', 'animal_hoarding', 'housing'?"
>>> did_you_mean(suggest("xyzzy", ["care_plaza"]))
''
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

__all__ = ["LIMIT", "MAX_CHARS", "MIN_SCORE", "did_you_mean", "suggest"]

MIN_SCORE = 70.0
"""The lowest ``WRatio`` score (0–100) worth suggesting.

At 70 one wrong, missing, extra or swapped character in an id of four or more characters
still passes (``tset`` → ``test`` scores 75, ``care_plaze`` → ``care_plaza`` 90), and a prefix
of a longer id does too (``w.z`` → ``w`` 90); two Japanese names that share one kanji out of
three (``戸部ほんちょ`` and ``平戸``, 60) do not.
"""

LIMIT = 3
"""At most this many suggestions, best first."""

MAX_CHARS = 200
"""A value longer than this gets no suggestion: no id or name is that long (ids stop at 120
characters, area text at 200), and scoring it against every choice would cost time for
nothing."""


def suggest(value: str, choices: Iterable[str], *, limit: int = LIMIT) -> list[str]:
    """The choices nearest to ``value``, best first, that score at least :data:`MIN_SCORE`.

    Parameters
    ----------
    value
        What was given (an id, a kind, a place name).
    choices
        The valid ones. A list is scored as it is; another iterable is listed once.
    limit
        At most this many are returned.

    Returns
    -------
    list[str]
        Up to ``limit`` choices; ties keep the order of ``choices``. Empty when nothing is
        close or ``value`` is longer than :data:`MAX_CHARS`.

    Notes
    -----
    One ``WRatio`` score for each choice: O(len(choices) × len(value) × longest choice).

    Examples
    --------
    >>> suggest("nishi.ward_ofice", ["nishi.ward_office", "naka.ward_office", "school"])
    ['nishi.ward_office', 'naka.ward_office']
    >>> suggest("nishi.ward_ofice", ["nishi.ward_office", "naka.ward_office"], limit=1)
    ['nishi.ward_office']
    """
    if len(value) > MAX_CHARS or limit <= 0:
        return []
    listed = choices if isinstance(choices, list) else list(choices)
    found = process.extract(value, listed, scorer=fuzz.WRatio, limit=limit, score_cutoff=MIN_SCORE)
    return [choice for choice, _, _ in found]


def did_you_mean(suggestions: Sequence[str]) -> str:
    """The tail of an "unknown …" message: ``; did you mean 'a', 'b'?``, or ``""`` for none.

    At most :data:`LIMIT` are shown.

    Examples
    --------
    >>> "unknown kind 'care_plaze'" + did_you_mean(["care_plaza"])
    "unknown kind 'care_plaze'; did you mean 'care_plaza'?"
    """
    if not suggestions:
        return ""
    quoted = ", ".join(repr(s) for s in suggestions[:LIMIT])
    return f"; did you mean {quoted}?"
