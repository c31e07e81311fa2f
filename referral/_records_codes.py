"""The codes of the referral records: statuses and decline reasons (private).

Kept apart from the tables (:mod:`referral._records_schema`, which needs SQLAlchemy) so that
the command line and the page can offer them without the ``records`` extra loaded.

>>> RECORDABLE[0], DECLINE_REASONS[-1]
('accepted', 'other')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "ANSWER_DAYS",
    "CLOSED_STATUSES",
    "DECLINE_REASONS",
    "LOOP_DAYS",
    "MIN_CELL",
    "RECORDABLE",
    "STATUSES",
    "rate_text",
]

STATUSES: Final = (
    "referred",
    "accepted",
    "contacted",
    "served",
    "declined",
    "no_response",
    "withdrawn",
    "entered_in_error",
)
"""Every status an event can record, in the order of the funnel."""

CLOSED_STATUSES: Final = frozenset(
    {"served", "declined", "no_response", "withdrawn", "entered_in_error"}
)
"""The statuses that close a referral: no event follows them."""

RECORDABLE: Final = tuple(s for s in STATUSES if s not in ("referred", "no_response"))
"""The statuses a coordinator may record (``referred`` is the referral itself;
``no_response`` is set by the records when the time runs out)."""

DECLINE_REASONS: Final = (
    "no_capacity",
    "waitlist",
    "not_eligible",
    "out_of_area",
    "unreachable",
    "person_declined",
    "duplicate",
    "referred_elsewhere",
    "other",
)
"""The coded reasons of a decline (no free text is ever stored)."""

MIN_CELL: Final = 5
"""Outcome cells with fewer referrals than this are suppressed."""
ANSWER_DAYS: Final = 30
"""A first response within this many days counts as answered in time."""
LOOP_DAYS: Final = 90
"""A second referral of a household for the same concern within this many days is a loop."""


def rate_text(rate: Any) -> str:
    """A rate and its 95% interval as shown in tables and pages (``""`` for none); ``rate``
    is a :class:`~referral._records_report.Rate` or its JSON object.

    >>> rate_text({"value": 0.3, "low": 0.108, "high": 0.603})
    '30% (11%–60%)'
    """
    if rate is None:
        return ""
    value, low, high = (
        rate[k] if isinstance(rate, Mapping) else getattr(rate, k) for k in ("value", "low", "high")
    )
    return f"{value:.0%} ({low:.0%}–{high:.0%})"
