"""The tables of the referral records (private; see :mod:`referral.records`).

SQLAlchemy Core, with portable types only (``String``, ``Integer``, ``DateTime``), so the
same tables serve SQLite now and PostgreSQL later. **No column holds free text**: every
``String`` column carries a CHECK constraint that makes it an enum (``IN (...)``) or a
length-bounded token (hex, or an ASCII id), and :func:`column_checks` lists them so a test
can prove it. A note, a name or a phone number has nowhere to go.

The first Alembic revision (``referral/migrations/versions/0001_records.py``) creates these
tables; a test compares the migrated database with :data:`metadata`.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import MissingExtraError

try:
    import alembic  # noqa: F401 - the schema's history; checked here so both are named at once
    import sqlalchemy as sa
except ImportError as exc:  # pragma: no cover - exercised with the extra hidden
    raise MissingExtraError(
        "referral records need the records extra: pip install 'referral[records]'"
    ) from exc

from ._records_codes import CLOSED_STATUSES, DECLINE_REASONS, STATUSES
from .vocabulary import CONCERN_IDS

__all__ = [
    "ACCESS_ACTIONS",
    "BASES",
    "CLOSED_STATUSES",
    "CONSENT_FORMS",
    "DECLINE_REASONS",
    "HASH_CHARS",
    "ID_CHARS",
    "ROLES",
    "STATUSES",
    "TOKEN_CHARS",
    "access_log",
    "chain_head",
    "column_checks",
    "consent",
    "event",
    "metadata",
    "outcome_fact",
    "purge_gate",
    "referral",
    "referral_concern",
    "sa",
]


BASES: Final = ("consent", "meeting_106_6")
"""The lawful basis of a referral: the person's consent, or a support meeting under
社会福祉法 第106条の6 (whose records may not leave its members)."""
CONSENT_FORMS: Final = ("written", "verbal")
"""How a consent was given."""
ROLES: Final = ("coordinator", "member", "auditor", "system")
"""Who acted, as a role (never a name): ``member`` is a member of the 106-6 meeting."""
ACCESS_ACTIONS: Final = (
    "record",
    "update",
    "list",
    "withdraw",
    "verify",
    "purge",
    "export",
    "import",
    "report",
)
"""What was done, for the access log."""

TOKEN_CHARS: Final = 32
"""A random token (referral id, household, consent scope): 32 lowercase hex characters."""
HASH_CHARS: Final = 64
"""A SHA-256 digest in lowercase hex."""
ID_CHARS: Final = 120
"""The longest agency, ward or kind id (the directory's own limit)."""
_HEX = "0123456789abcdef"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_.-"

metadata = sa.MetaData(
    naming_convention={
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _hex(column: str, length: int) -> str:
    """A portable CHECK (SQLite and PostgreSQL): exactly ``length`` lowercase hex digits."""
    return f"length({column}) = {length} AND ltrim({column}, '{_HEX}') = ''"


def _id(column: str) -> str:
    """A portable CHECK: a non-empty ASCII id of at most :data:`ID_CHARS` characters."""
    return f"length({column}) BETWEEN 1 AND {ID_CHARS} AND ltrim({column}, '{_ID_ALPHABET}') = ''"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _check(sql: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=name)


referral = sa.Table(
    "referral",
    metadata,
    sa.Column("id", sa.String(TOKEN_CHARS), primary_key=True),
    sa.Column("household", sa.String(TOKEN_CHARS), nullable=False),
    sa.Column("agency", sa.String(ID_CHARS), nullable=False),
    sa.Column("kind", sa.String(ID_CHARS), nullable=False),
    sa.Column("ward", sa.String(ID_CHARS), nullable=False),
    sa.Column("plan_hash", sa.String(HASH_CHARS), nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("basis", sa.String(16), nullable=False),
    sa.Column("scope", sa.String(TOKEN_CHARS), sa.ForeignKey("consent.scope"), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    _check(_hex("id", TOKEN_CHARS), "id"),
    _check(_hex("household", TOKEN_CHARS), "household"),
    _check(_id("agency"), "agency"),
    _check(_id("kind"), "kind"),
    _check(_id("ward"), "ward"),
    _check(_hex("plan_hash", HASH_CHARS), "plan_hash"),
    _check("rank >= 1", "rank"),
    _check(_one_of("basis", BASES), "basis"),
    _check(
        f"(basis = 'consent' AND scope IS NOT NULL AND {_hex('scope', TOKEN_CHARS)})"
        " OR (basis = 'meeting_106_6' AND scope IS NULL)",
        "scope",
    ),
)
"""One referral: which household (a random token that links to the plaza's paper file) went
to which body, under which basis. Its status lives in :data:`event`."""

referral_concern = sa.Table(
    "referral_concern",
    metadata,
    sa.Column("referral", sa.String(TOKEN_CHARS), sa.ForeignKey("referral.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("concern", sa.String(ID_CHARS), nullable=False),
    _check(_hex("referral", TOKEN_CHARS), "referral"),
    _check(_one_of("concern", CONCERN_IDS), "concern"),
    _check("position >= 0", "position"),
)
"""The concern ids of a referral, in the plan's order (the first is the main one)."""

event = sa.Table(
    "event",
    metadata,
    sa.Column("referral", sa.String(TOKEN_CHARS), sa.ForeignKey("referral.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(24), nullable=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("prev_hash", sa.String(HASH_CHARS), nullable=False),
    sa.Column("hash", sa.String(HASH_CHARS), nullable=False),
    _check(_hex("referral", TOKEN_CHARS), "referral"),
    _check(_one_of("status", STATUSES), "status"),
    _check(
        f"(status = 'declined' AND {_one_of('reason', DECLINE_REASONS)})"
        " OR (status <> 'declined' AND reason IS NULL)",
        "reason",
    ),
    _check("seq >= 0", "seq"),
    _check(_hex("prev_hash", HASH_CHARS), "prev_hash"),
    _check(_hex("hash", HASH_CHARS), "hash"),
)
"""The append-only history of each referral, hash-chained (see :mod:`referral._records_chain`)."""

chain_head = sa.Table(
    "chain_head",
    metadata,
    sa.Column("referral", sa.String(TOKEN_CHARS), sa.ForeignKey("referral.id"), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(HASH_CHARS), nullable=False),
    _check(_hex("referral", TOKEN_CHARS), "referral"),
    _check("seq >= 0", "seq"),
    _check(_hex("hash", HASH_CHARS), "hash"),
)
"""The last event of each chain (its seq and hash), the one row the records update: without
it, deleting a chain's last event would leave a shorter chain that still verifies."""

consent = sa.Table(
    "consent",
    metadata,
    sa.Column("scope", sa.String(TOKEN_CHARS), primary_key=True),
    sa.Column("form", sa.String(16), nullable=False),
    sa.Column("given_at", sa.DateTime, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    _check(_hex("scope", TOKEN_CHARS), "scope"),
    _check(_one_of("form", CONSENT_FORMS), "form"),
)
"""A consent: its scope token (the referrals it covers), how it was given, and when it was
given and withdrawn."""

access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("referral", sa.String(TOKEN_CHARS), nullable=True),
    _check(_one_of("role", ROLES), "role"),
    _check(_one_of("action", ACCESS_ACTIONS), "action"),
    _check(f"referral IS NULL OR ({_hex('referral', TOKEN_CHARS)})", "referral"),
)
"""Who (a role) did what, when, to which referral (none for a listing)."""

outcome_fact = sa.Table(
    "outcome_fact",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("ward", sa.String(ID_CHARS), nullable=False),
    sa.Column("concern", sa.String(ID_CHARS), nullable=False),
    sa.Column("kind", sa.String(ID_CHARS), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(24), nullable=True),
    _check("length(month) = 7 AND ltrim(month, '0123456789-') = ''", "month"),
    _check(_id("ward"), "ward"),
    _check(_one_of("concern", CONCERN_IDS), "concern"),
    _check(_id("kind"), "kind"),
    _check(_one_of("outcome", STATUSES), "outcome"),
    _check(f"reason IS NULL OR {_one_of('reason', DECLINE_REASONS)}", "reason"),
)
"""What is left of a referral after retention: one anonymous fact, no id, no date finer
than the month."""

purge_gate = sa.Table(
    "purge_gate",
    metadata,
    sa.Column("open", sa.Integer, primary_key=True),
    _check("open IN (0, 1)", "open"),
)
"""One row: 1 only inside the purge transaction. The triggers that refuse DELETE on
:data:`event`, :data:`referral` and :data:`referral_concern` let it through while it is 1;
the purge sets it back to 0 before it commits, so no other connection ever sees it open."""


def column_checks() -> dict[str, list[str]]:
    """Every ``String`` column (``table.column``) and the CHECK constraints naming it.

    >>> checks = column_checks()
    >>> all(checks.values())
    True
    """
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        texts = [str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)]
        for column in table.columns:
            if isinstance(column.type, sa.String):
                word = re.compile(rf"\b{column.name}\b")
                found[f"{table.name}.{column.name}"] = [t for t in texts if word.search(t)]
    return found
