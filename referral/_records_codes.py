"""The codes of the referral records: statuses and decline reasons (private).

Kept apart from the tables (:mod:`referral._records_schema`, which needs SQLAlchemy) so that
the command line and the page can offer them without the ``records`` extra loaded.

>>> RECORDABLE[0], DECLINE_REASONS[-1]
('accepted', 'other')
"""

from __future__ import annotations

from typing import Final

__all__ = ["CLOSED_STATUSES", "DECLINE_REASONS", "RECORDABLE", "STATUSES"]

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
