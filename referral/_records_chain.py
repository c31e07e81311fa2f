"""The hash chains of the referral records and the status state machine (private).

Each referral's events form a chain: the first event's ``prev_hash`` is the *genesis* hash
of the referral row itself (with its concerns), and each event's ``hash`` is SHA-256 over its
canonical row and its ``prev_hash``. Editing any of those rows, or deleting an event,
breaks the chain at that row; :data:`referral._records_schema.chain_head` holds each chain's
last seq and hash so that deleting the last event is caught too.

Examples
--------
>>> import datetime as dt
>>> g = genesis_hash({"id": "0" * 32, "created_at": dt.datetime(2026, 1, 1)}, ["hoarding"])
>>> len(event_hash("0" * 32, 0, "referred", None, dt.datetime(2026, 1, 1), g))
64
>>> check_transition("served", "accepted")
Traceback (most recent call last):
...
referral.errors.TransitionError: a referral that is served is closed: it cannot become accepted
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .errors import TransitionError

__all__ = [
    "NEXT",
    "OPEN_STATUSES",
    "chained_event",
    "check_transition",
    "event_hash",
    "first_bad_seq",
    "genesis_hash",
]

NEXT: Final[Mapping[str, frozenset[str]]] = {
    "referred": frozenset({"accepted", "declined", "no_response", "withdrawn", "entered_in_error"}),
    "accepted": frozenset({"contacted", "declined", "withdrawn", "entered_in_error"}),
    "contacted": frozenset({"served", "withdrawn", "entered_in_error"}),
}
"""The statuses each open status may move to; every other status is closed (no event
follows it)."""
OPEN_STATUSES: Final = frozenset(NEXT)
"""The statuses of a referral still waiting for its outcome."""


def _canonical(values: Sequence[Any]) -> bytes:
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.datetime) else v

    return json.dumps([plain(v) for v in values], separators=(",", ":")).encode("ascii")


_GENESIS_FIELDS = (
    "id",
    "household",
    "agency",
    "kind",
    "ward",
    "plan_hash",
    "rank",
    "basis",
    "scope",
    "created_at",
)


def genesis_hash(row: Mapping[str, Any], concerns: Sequence[str]) -> str:
    """The hash a referral's chain starts from: its row (missing fields count as null) and
    its concerns in order.
    """
    values = [row.get(k) for k in _GENESIS_FIELDS]
    return hashlib.sha256(_canonical([*values, list(concerns)])).hexdigest()


def event_hash(
    referral: str, seq: int, status: str, reason: str | None, at: dt.datetime, prev_hash: str
) -> str:
    """SHA-256 over an event's canonical row and the hash before it."""
    return hashlib.sha256(_canonical([referral, seq, status, reason, at, prev_hash])).hexdigest()


def chained_event(
    referral: str, seq: int, status: str, reason: str | None, at: dt.datetime, prev_hash: str
) -> dict[str, Any]:
    """An ``event`` row, its hash chained to ``prev_hash`` (the row's ``hash`` is the next
    event's ``prev_hash``).
    """
    return {
        "referral": referral,
        "seq": seq,
        "status": status,
        "reason": reason,
        "at": at,
        "prev_hash": prev_hash,
        "hash": event_hash(referral, seq, status, reason, at, prev_hash),
    }


def first_bad_seq(
    genesis: str, events: Sequence[Mapping[str, Any]], head: tuple[int, str] | None
) -> tuple[int, str] | None:
    """The first event of a chain that does not hold, and why; ``None`` if it all holds.

    ``events`` are one referral's rows in seq order; ``head`` is its ``chain_head`` (seq,
    hash). A missing or extra event at the end is reported at the seq where it was expected.
    """
    expected = genesis
    for position, e in enumerate(events):
        if e["seq"] != position:
            return position, "an event is missing"
        if e["prev_hash"] != expected:
            return position, "prev_hash does not match the row before"
        if (
            event_hash(e["referral"], e["seq"], e["status"], e["reason"], e["at"], expected)
            != (e["hash"])
        ):
            return position, "the row does not match its hash"
        expected = e["hash"]
    if head is None:
        return len(events), "the chain has no head"
    if head != (len(events) - 1, expected):
        return min(head[0], len(events)), "the chain does not end at its head"
    return None


def check_transition(current: str, wanted: str, reason: str | None = None) -> None:
    """Raise :class:`TransitionError` unless a referral at ``current`` may become ``wanted``
    (a decline needs its reason; no other status takes one).
    """
    if current not in NEXT:
        raise TransitionError(f"a referral that is {current} is closed: it cannot become {wanted}")
    if wanted not in NEXT[current]:
        allowed = ", ".join(sorted(NEXT[current]))
        raise TransitionError(
            f"a referral that is {current} cannot become {wanted} (it can become: {allowed})"
        )
    if (wanted == "declined") != (reason is not None):
        raise TransitionError(
            "a decline needs its reason" if wanted == "declined" else "only a decline has a reason"
        )
