"""PostgreSQL group roles for the referral records: what each may do, and who may claim it
(private; see :mod:`referral.records`).

On SQLite whoever can open the plaza's file is the plaza: there are no database roles, the
triggers of migration 0001 refuse UPDATE and DELETE, and the file's permissions decide who
reads it. On PostgreSQL the database itself can refuse: :func:`grant_statements` creates
four ``NOLOGIN`` group roles and grants each exactly what its work needs, so the application
may only insert and select the history even if the triggers of migration 0002 were dropped.
Logins are made members of these groups by the database's administrator
(``CREATE ROLE alice LOGIN IN ROLE referral_member``).

=============  ================  ===========================================================
claimed role   group role        privileges
=============  ================  ===========================================================
coordinator    ``referral_app``  SELECT and INSERT on the history; UPDATE of ``chain_head``
                                 (seq, hash) and ``consent`` (withdrawn_at) only
member         ``..._member``    the same (it is a member of the application role)
auditor        ``..._auditor``   SELECT; INSERT on ``access_log`` (its reads are logged)
system         ``..._retention`` what the purge needs: DELETE on the purged tables, INSERT
                                 on ``outcome_fact``, UPDATE of ``purge_gate`` (open) and
                                 ``access_log`` (referral)
=============  ================  ===========================================================

The auditor writes nothing but its access log, so it cannot write the ``no_response`` event
of an overdue referral (:meth:`Records.expire`); its ``report()`` and ``open_referrals()``
count such a referral as no response without writing, and a coordinator's next call writes
the event.

:func:`check_claimed_role` authenticates the role a caller claims (``Records.open(role=...)``)
once these grants exist in the database.
"""

from __future__ import annotations

from typing import Final

from ._records_schema import sa
from .errors import ArgumentError, RecordsAccessError, expect_str
from .models import Model

__all__ = [
    "DEFAULT_PREFIX",
    "PURGED_TABLES",
    "SQLITE_HAS_NO_ROLES",
    "GroupRoles",
    "check_claimed_role",
    "grant_statements",
    "owns_tables",
    "vacuum_purged",
]

DEFAULT_PREFIX: Final = "referral"
"""The prefix of the default group roles: ``referral_app``, ``referral_member``, ..."""

SQLITE_HAS_NO_ROLES: Final = (
    "database roles are PostgreSQL's: a SQLite records file is guarded by its triggers and "
    "by the file's permissions (whoever can open the file is the plaza)"
)
"""Why :meth:`Records.grant_roles` refuses a SQLite file."""

_HISTORY: Final = ("referral", "referral_concern", "event", "chain_head", "consent", "access_log")
"""The tables the application reads and appends to."""
_ALL_TABLES: Final = (*_HISTORY, "outcome_fact", "purge_gate", "alembic_version")
_SEQUENCES: Final = ("access_log_seq_seq", "outcome_fact_seq_seq")
"""The sequences behind the serial ``seq`` columns (PostgreSQL's names for them)."""
PURGED_TABLES: Final = ("event", "chain_head", "referral_concern", "referral", "access_log")
"""The tables a purge deletes from (or, for ``access_log``, clears a referral id in): their
files keep the old rows until ``VACUUM (FULL)`` rewrites them."""


_NAME_CHARS: Final = 50
"""The longest role prefix or name accepted (PostgreSQL's own limit is 63 bytes)."""


def _identifier(value: object, what: str) -> str:
    text = expect_str(value, what)
    if not text or len(text) > _NAME_CHARS or text.strip("abcdefghijklmnopqrstuvwxyz0123456789_"):
        raise ArgumentError(
            f"{what} must be 1 to 50 lowercase ASCII letters, digits or underscores"
        )
    if text[0].isdigit():
        raise ArgumentError(f"{what} must not start with a digit")
    return text


class GroupRoles(Model):
    """The names of the four ``NOLOGIN`` group roles (cluster-wide in PostgreSQL: give each
    database its own prefix when one server holds several records databases).

    >>> GroupRoles.with_prefix("nishi").member
    'nishi_member'
    """

    app: str = f"{DEFAULT_PREFIX}_app"
    member: str = f"{DEFAULT_PREFIX}_member"
    auditor: str = f"{DEFAULT_PREFIX}_auditor"
    retention: str = f"{DEFAULT_PREFIX}_retention"

    @classmethod
    def with_prefix(cls, prefix: str = DEFAULT_PREFIX) -> GroupRoles:
        """``<prefix>_app``, ``<prefix>_member``, ``<prefix>_auditor``, ``<prefix>_retention``."""
        base = _identifier(prefix, "role prefix")
        return cls(
            app=f"{base}_app",
            member=f"{base}_member",
            auditor=f"{base}_auditor",
            retention=f"{base}_retention",
        )

    def names(self) -> tuple[str, str, str, str]:
        """The four names, each checked to be a plain identifier."""
        return (
            _identifier(self.app, "app role"),
            _identifier(self.member, "member role"),
            _identifier(self.auditor, "auditor role"),
            _identifier(self.retention, "retention role"),
        )

    def for_claim(self, role: str) -> str:
        """The group role that a claimed role (``Records.open(role=...)``) needs."""
        return {
            "coordinator": self.app,
            "member": self.member,
            "auditor": self.auditor,
            "system": self.retention,
        }[role]


def grant_statements(roles: GroupRoles | None = None, *, schema: str = "public") -> list[str]:
    """The SQL, one statement each, that creates the group roles (if missing) and grants each
    exactly what it needs on the records' tables in ``schema``; run it as the tables' owner.

    Running it again is harmless: every privilege of the four roles on these tables is
    revoked first, then granted again, and PUBLIC keeps none.

    Parameters
    ----------
    roles
        The group roles' names (default: ``referral_app``, ``referral_member``,
        ``referral_auditor``, ``referral_retention``).
    schema
        The schema holding the tables (the first of the search path when they were made).

    Returns
    -------
    list of str
        SQL statements, in order.

    >>> sql = grant_statements()
    >>> "GRANT SELECT, INSERT ON referral, referral_concern, event TO referral_app" in sql
    True
    """
    app, member, auditor, retention = (roles or GroupRoles()).names()
    where = _identifier(schema, "schema")
    groups = f"{app}, {member}, {auditor}, {retention}"
    tables = ", ".join(_ALL_TABLES)
    sequences = ", ".join(_SEQUENCES)
    create = [
        f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        for name in (app, member, auditor, retention)
    ]
    return [
        *create,
        f"GRANT {app} TO {member}",  # a member of the meeting also does the coordinator's work
        f"REVOKE ALL ON {tables} FROM PUBLIC, {groups}",
        f"REVOKE ALL ON SEQUENCE {sequences} FROM PUBLIC, {groups}",
        f"GRANT USAGE ON SCHEMA {where} TO {groups}",
        f"GRANT SELECT ON alembic_version TO {app}, {auditor}, {retention}",
        # the application: append to the history, move a chain's head, withdraw a consent
        f"GRANT SELECT, INSERT ON referral, referral_concern, event TO {app}",
        f"GRANT SELECT, INSERT ON chain_head, consent, access_log TO {app}",
        f"GRANT UPDATE (seq, hash) ON chain_head TO {app}",
        f"GRANT UPDATE (withdrawn_at) ON consent TO {app}",
        f"GRANT SELECT ON outcome_fact TO {app}",
        f"GRANT USAGE ON SEQUENCE access_log_seq_seq TO {app}",
        # the auditor: read everything, and log its reads
        f"GRANT SELECT ON {', '.join(_HISTORY)}, outcome_fact TO {auditor}",
        f"GRANT INSERT ON access_log TO {auditor}",
        f"GRANT USAGE ON SEQUENCE access_log_seq_seq TO {auditor}",
        # the retention purge: read the old referrals, leave one fact each, delete them
        f"GRANT SELECT, DELETE ON event, chain_head, referral_concern, referral TO {retention}",
        f"GRANT SELECT, INSERT ON outcome_fact TO {retention}",
        f"GRANT SELECT, UPDATE (open) ON purge_gate TO {retention}",
        f"GRANT INSERT ON access_log TO {retention}",
        # (an insert reads back the new seq: INSERT ... RETURNING seq)
        f"GRANT SELECT (seq, referral), UPDATE (referral) ON access_log TO {retention}",
        f"GRANT USAGE ON SEQUENCE {sequences} TO {retention}",
    ]


def _granted(c: sa.Connection, roles: GroupRoles) -> bool:
    """Whether this database's ``referral`` table grants anything to one of the groups."""
    return bool(
        c.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a "
                "JOIN pg_roles r ON r.oid = a.grantee "
                "WHERE c.oid = to_regclass('referral') AND r.rolname = ANY(:names))"
            ),
            {"names": list(roles.names())},
        ).scalar_one()
    )


def owns_tables(c: sa.Connection) -> bool:
    """Whether the login owns the records' tables (or is a superuser): it may do anything."""
    return bool(
        c.execute(
            sa.text(
                "SELECT coalesce(bool_and(pg_has_role(current_user, relowner, 'MEMBER')), false) "
                "FROM pg_class WHERE oid = to_regclass('referral')"
            )
        ).scalar_one()
    )


def check_claimed_role(c: sa.Connection, claimed: str, roles: GroupRoles) -> None:
    """Refuse a claimed role the login is not a member of, once the grants exist.

    Nothing is checked while this database grants nothing to the group roles (records set up
    before them keep working). The tables' owner (and a superuser) may claim any role: it can
    read and change everything anyway.

    Raises
    ------
    RecordsAccessError
        The login (``current_user``) is not a member of the claimed role's group.
    """
    if not _granted(c, roles) or owns_tables(c):
        return
    group = roles.for_claim(claimed)
    member = c.execute(
        sa.text(
            "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = :name"
        ),
        {"name": group},
    ).scalar()
    if not member:
        who = c.execute(sa.text("SELECT current_user")).scalar_one()
        raise RecordsAccessError(
            f"the database login {who!r} may not act as {claimed!r}: it is not a member of "
            f"the group role {group!r} (GRANT {group} TO {who})"
        )


def vacuum_purged(engine: sa.Engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Rewrite the tables a purge deleted from with ``VACUUM (FULL)``, so the deleted rows
    leave the table files (PostgreSQL has no ``secure_delete``); returns the tables vacuumed
    and those skipped because the login neither owns them nor the database.

    ``VACUUM`` cannot run in a transaction: it runs on its own autocommit connection, after
    the purge has committed. The WAL keeps the old rows until its segments are recycled
    (SECURITY.md).
    """
    done: list[str] = []
    skipped: list[str] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for table in PURGED_TABLES:
            allowed = c.execute(
                sa.text(
                    "SELECT pg_has_role(current_user, c.relowner, 'USAGE') OR pg_has_role("
                    "current_user, d.datdba, 'USAGE') FROM pg_class c, pg_database d "
                    "WHERE c.oid = to_regclass(:table) AND d.datname = current_database()"
                ),
                {"table": table},
            ).scalar()
            if not allowed:
                skipped.append(table)
                continue
            c.exec_driver_sql(f"VACUUM (FULL) {table}")
            done.append(table)
    return tuple(done), tuple(skipped)
