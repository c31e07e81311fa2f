"""The first schema of the referral records: the tables, and SQLite's append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

The tables are a frozen copy of :mod:`referral._records_schema` as it was at this revision
(``tests/test_records.py`` checks that a migrated database matches the module's metadata).

Triggers (SQLite; PostgreSQL gets its own in the revision that adds it):

* ``event`` refuses every UPDATE, and every DELETE unless the purge gate is open;
* ``referral`` and ``referral_concern`` refuse every UPDATE, and DELETE unless the gate is open;
* ``purge_gate`` holds one row, 0; only the retention purge sets it to 1, deletes, and sets
  it back to 0 inside one transaction, so no other connection ever sees it open.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_GATE_CLOSED = "(SELECT open FROM purge_gate) = 0"
_TRIGGERS = {
    "event_no_update": "BEFORE UPDATE ON event BEGIN "
    "SELECT RAISE(ABORT, 'event rows are append-only'); END",
    "event_no_delete": f"BEFORE DELETE ON event WHEN {_GATE_CLOSED} BEGIN "
    "SELECT RAISE(ABORT, 'event rows are append-only (only the retention purge deletes)'); END",
    "referral_no_update": "BEFORE UPDATE ON referral BEGIN "
    "SELECT RAISE(ABORT, 'referral rows never change: record an event'); END",
    "referral_no_delete": f"BEFORE DELETE ON referral WHEN {_GATE_CLOSED} BEGIN "
    "SELECT RAISE(ABORT, 'referral rows are deleted only by the retention purge'); END",
    "referral_concern_no_update": "BEFORE UPDATE ON referral_concern BEGIN "
    "SELECT RAISE(ABORT, 'referral rows never change'); END",
    "referral_concern_no_delete": f"BEFORE DELETE ON referral_concern WHEN {_GATE_CLOSED} "
    "BEGIN SELECT RAISE(ABORT, 'referral rows are deleted only by the retention purge'); END",
    "purge_gate_one_row": "BEFORE INSERT ON purge_gate BEGIN "
    "SELECT RAISE(ABORT, 'the purge gate has one row'); END",
}
"""SQLite triggers by name: each refuses a change the records never make."""


def upgrade() -> None:
    """Create the tables, the gate's one row and (on SQLite) the triggers."""
    op.create_table(
        "access_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("referral", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "action IN ('record', 'update', 'list', 'withdraw', 'verify', 'purge', 'export', 'import', 'report')",
            name=op.f("ck_access_log_action"),
        ),
        sa.CheckConstraint(
            "referral IS NULL OR (length(referral) = 32 AND ltrim(referral, '0123456789abcdef') = '')",
            name=op.f("ck_access_log_referral"),
        ),
        sa.CheckConstraint(
            "role IN ('coordinator', 'member', 'auditor', 'system')",
            name=op.f("ck_access_log_role"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_access_log")),
    )
    op.create_table(
        "consent",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("form IN ('written', 'verbal')", name=op.f("ck_consent_form")),
        sa.CheckConstraint(
            "length(scope) = 32 AND ltrim(scope, '0123456789abcdef') = ''",
            name=op.f("ck_consent_scope"),
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_consent")),
    )
    op.create_table(
        "outcome_fact",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("ward", sa.String(length=120), nullable=False),
        sa.Column("concern", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.CheckConstraint(
            "concern IN ('eighty_fifty', 'young_carer', 'hoarding', 'hikikomori', 'double_care', 'dementia', 'elder_abuse', 'child_abuse', 'disability_abuse', 'poverty', 'isolation', 'welfare_check', 'guardianship', 'no_kin', 'mental_health', 'suicide_risk', 'addiction', 'domestic_violence', 'foreign_resident', 'sexual_minority', 'disaster_vulnerable', 'animal_hoarding', 'consumer_fraud', 'isolated_parenting', 'school_refusal', 'disability_life', 'food', 'frailty', 'mobility_shopping', 'housing', 'child_poverty', 'carer_burnout')",
            name=op.f("ck_outcome_fact_concern"),
        ),
        sa.CheckConstraint(
            "length(kind) BETWEEN 1 AND 120 AND ltrim(kind, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = ''",
            name=op.f("ck_outcome_fact_kind"),
        ),
        sa.CheckConstraint(
            "length(month) = 7 AND ltrim(month, '0123456789-') = ''",
            name=op.f("ck_outcome_fact_month"),
        ),
        sa.CheckConstraint(
            "length(ward) BETWEEN 1 AND 120 AND ltrim(ward, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = ''",
            name=op.f("ck_outcome_fact_ward"),
        ),
        sa.CheckConstraint(
            "outcome IN ('referred', 'accepted', 'contacted', 'served', 'declined', 'no_response', 'withdrawn', 'entered_in_error')",
            name=op.f("ck_outcome_fact_outcome"),
        ),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN ('no_capacity', 'waitlist', 'not_eligible', 'out_of_area', 'unreachable', 'person_declined', 'duplicate', 'referred_elsewhere', 'other')",
            name=op.f("ck_outcome_fact_reason"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outcome_fact")),
    )
    op.create_table(
        "purge_gate",
        sa.Column("open", sa.Integer(), nullable=False),
        sa.CheckConstraint("open IN (0, 1)", name=op.f("ck_purge_gate_open")),
        sa.PrimaryKeyConstraint("open", name=op.f("pk_purge_gate")),
    )
    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=120), nullable=False),
        sa.Column("ward", sa.String(length=120), nullable=False),
        sa.Column("plan_hash", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(basis = 'consent' AND scope IS NOT NULL AND length(scope) = 32 AND ltrim(scope, '0123456789abcdef') = '') OR (basis = 'meeting_106_6' AND scope IS NULL)",
            name=op.f("ck_referral_scope"),
        ),
        sa.CheckConstraint("basis IN ('consent', 'meeting_106_6')", name=op.f("ck_referral_basis")),
        sa.CheckConstraint(
            "length(agency) BETWEEN 1 AND 120 AND ltrim(agency, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = ''",
            name=op.f("ck_referral_agency"),
        ),
        sa.CheckConstraint(
            "length(household) = 32 AND ltrim(household, '0123456789abcdef') = ''",
            name=op.f("ck_referral_household"),
        ),
        sa.CheckConstraint(
            "length(id) = 32 AND ltrim(id, '0123456789abcdef') = ''", name=op.f("ck_referral_id")
        ),
        sa.CheckConstraint(
            "length(kind) BETWEEN 1 AND 120 AND ltrim(kind, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = ''",
            name=op.f("ck_referral_kind"),
        ),
        sa.CheckConstraint(
            "length(plan_hash) = 64 AND ltrim(plan_hash, '0123456789abcdef') = ''",
            name=op.f("ck_referral_plan_hash"),
        ),
        sa.CheckConstraint(
            "length(ward) BETWEEN 1 AND 120 AND ltrim(ward, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = ''",
            name=op.f("ck_referral_ward"),
        ),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_referral_rank")),
        sa.ForeignKeyConstraint(["scope"], ["consent.scope"], name=op.f("fk_referral_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_table(
        "event",
        sa.Column("referral", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "(status = 'declined' AND reason IN ('no_capacity', 'waitlist', 'not_eligible', 'out_of_area', 'unreachable', 'person_declined', 'duplicate', 'referred_elsewhere', 'other')) OR (status <> 'declined' AND reason IS NULL)",
            name=op.f("ck_event_reason"),
        ),
        sa.CheckConstraint(
            "length(hash) = 64 AND ltrim(hash, '0123456789abcdef') = ''", name=op.f("ck_event_hash")
        ),
        sa.CheckConstraint(
            "length(prev_hash) = 64 AND ltrim(prev_hash, '0123456789abcdef') = ''",
            name=op.f("ck_event_prev_hash"),
        ),
        sa.CheckConstraint(
            "length(referral) = 32 AND ltrim(referral, '0123456789abcdef') = ''",
            name=op.f("ck_event_referral"),
        ),
        sa.CheckConstraint(
            "status IN ('referred', 'accepted', 'contacted', 'served', 'declined', 'no_response', 'withdrawn', 'entered_in_error')",
            name=op.f("ck_event_status"),
        ),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_event_seq")),
        sa.ForeignKeyConstraint(["referral"], ["referral.id"], name=op.f("fk_event_referral")),
        sa.PrimaryKeyConstraint("referral", "seq", name=op.f("pk_event")),
    )
    op.create_table(
        "referral_concern",
        sa.Column("referral", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("concern", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "concern IN ('eighty_fifty', 'young_carer', 'hoarding', 'hikikomori', 'double_care', 'dementia', 'elder_abuse', 'child_abuse', 'disability_abuse', 'poverty', 'isolation', 'welfare_check', 'guardianship', 'no_kin', 'mental_health', 'suicide_risk', 'addiction', 'domestic_violence', 'foreign_resident', 'sexual_minority', 'disaster_vulnerable', 'animal_hoarding', 'consumer_fraud', 'isolated_parenting', 'school_refusal', 'disability_life', 'food', 'frailty', 'mobility_shopping', 'housing', 'child_poverty', 'carer_burnout')",
            name=op.f("ck_referral_concern_concern"),
        ),
        sa.CheckConstraint(
            "length(referral) = 32 AND ltrim(referral, '0123456789abcdef') = ''",
            name=op.f("ck_referral_concern_referral"),
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_referral_concern_position")),
        sa.ForeignKeyConstraint(
            ["referral"], ["referral.id"], name=op.f("fk_referral_concern_referral")
        ),
        sa.PrimaryKeyConstraint("referral", "position", name=op.f("pk_referral_concern")),
    )

    op.create_table(
        "chain_head",
        sa.Column("referral", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "length(hash) = 64 AND ltrim(hash, '0123456789abcdef') = ''",
            name=op.f("ck_chain_head_hash"),
        ),
        sa.CheckConstraint(
            "length(referral) = 32 AND ltrim(referral, '0123456789abcdef') = ''",
            name=op.f("ck_chain_head_referral"),
        ),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_chain_head_seq")),
        sa.ForeignKeyConstraint(["referral"], ["referral.id"], name=op.f("fk_chain_head_referral")),
        sa.PrimaryKeyConstraint("referral", name=op.f("pk_chain_head")),
    )
    op.execute("INSERT INTO purge_gate (open) VALUES (0)")
    if op.get_bind().dialect.name == "sqlite":
        for name, body in _TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    """Drop everything this revision made."""
    if op.get_bind().dialect.name == "sqlite":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("referral_concern")
    op.drop_table("event")
    op.drop_table("chain_head")
    op.drop_table("referral")
    op.drop_table("purge_gate")
    op.drop_table("outcome_fact")
    op.drop_table("consent")
    op.drop_table("access_log")
