"""The models the referral records return (private; re-exported by :mod:`referral.records`)."""

from __future__ import annotations

import datetime as dt

from .models import Model

__all__ = ["BrokenChain", "PurgeReport", "ReferralRecord", "VerifyReport"]


class ReferralRecord(Model):
    """One referral as the records hold it, with its latest status."""

    id: str
    household: str
    agency: str
    kind: str
    ward: str
    concerns: tuple[str, ...]
    basis: str
    scope: str | None
    created_at: dt.datetime
    status: str
    reason: str | None = None
    updated_at: dt.datetime


class BrokenChain(Model):
    """The first row of one referral's chain that does not hold."""

    referral: str
    seq: int
    problem: str


class VerifyReport(Model):
    """What :meth:`Records.verify` found: how many chains and events, and the broken ones."""

    referrals: int
    events: int
    broken: tuple[BrokenChain, ...] = ()

    @property
    def ok(self) -> bool:
        """Every chain holds."""
        return not self.broken


class PurgeReport(Model):
    """What a retention purge removed (or would remove, with ``dry_run``): counts only.

    On PostgreSQL a purge that deleted rows then rewrites the tables it deleted from with
    ``VACUUM (FULL)``: ``vacuumed`` names those rewritten, ``not_vacuumed`` those the login
    may not vacuum (it owns neither them nor the database), whose files keep the deleted rows
    until their owner runs ``VACUUM (FULL)``. Both are empty on SQLite (``secure_delete``).
    """

    dry_run: bool
    cutoff: dt.datetime
    referrals: int
    events: int
    facts: int
    vacuumed: tuple[str, ...] = ()
    not_vacuumed: tuple[str, ...] = ()
