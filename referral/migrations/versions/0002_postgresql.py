"""PostgreSQL: the append-only triggers SQLite got in 0001 (nothing changes on SQLite).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

On PostgreSQL the database itself refuses what the records never do, as SQLite's triggers
do (``tests/test_records_postgres.py`` checks each on a real server):

* ``event``, ``referral`` and ``referral_concern`` refuse every UPDATE, and every DELETE
  unless the purge gate is open: the same ``purge_gate`` row, set to 1 by the retention
  purge and back to 0 inside its one transaction (another transaction never sees the
  uncommitted 1, and the row lock makes two purges wait for each other);
* they refuse TRUNCATE too, which PostgreSQL runs without row triggers;
* ``purge_gate`` refuses a second row.

A role that owns the tables can still drop the triggers: run the application as a role that
does not own them (SECURITY.md); the hash chains show any change made that way.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_APPEND_ONLY = """
CREATE FUNCTION referral_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND (SELECT open FROM purge_gate) = 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% rows are append-only (only the retention purge deletes): % refused',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$
"""
_ONE_GATE = """
CREATE FUNCTION referral_one_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the purge gate has one row'
        USING ERRCODE = 'integrity_constraint_violation';
END $$
"""
_GUARDED = ("event", "referral", "referral_concern")
"""The tables whose rows never change and leave only through the purge."""


def upgrade() -> None:
    """Create the trigger functions and their triggers (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_APPEND_ONLY)
    op.execute(_ONE_GATE)
    for table in _GUARDED:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION referral_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION referral_append_only()"
        )
    op.execute(
        "CREATE TRIGGER purge_gate_one_row BEFORE INSERT ON purge_gate "
        "FOR EACH ROW EXECUTE FUNCTION referral_one_gate()"
    )


def downgrade() -> None:
    """Drop the triggers and their functions (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS purge_gate_one_row ON purge_gate")
    for table in _GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS referral_one_gate()")
    op.execute("DROP FUNCTION IF EXISTS referral_append_only()")
