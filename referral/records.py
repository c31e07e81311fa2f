"""Consented, closed-loop referral records: who was referred where, and what came of it.

A plaza keeps one SQLite file; a ward or the city can keep one PostgreSQL database (the
same tables and schema history: ``Records.open("postgresql+psycopg://...")``). A record
holds **no free text**: random tokens (the referral, the household — which links to the
plaza's paper file — and the consent scope), the concern and agency ids of the plan, a hash
of the plan, the lawful basis, dates, and an append-only, hash-chained history of statuses.
A note is never stored (``SECURITY.md``).

Needs the optional extra: ``pip install 'referral[records]'`` (``'referral[postgres]'`` for
PostgreSQL).

Examples
--------
>>> import datetime as dt, tempfile, pathlib
>>> from referral import Directory
>>> from referral.records import Records
>>> d = Directory.load()
>>> plan = d.route("ごみ屋敷で悪臭、住人は高齢の男性", area="西区")
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Records.open(folder / "plaza.sqlite") as r:
...     scope = r.give_consent(form="written")
...     rid = r.record_from_plan(plan, 1, basis="consent", scope=scope)
...     r.update(rid, "accepted")
...     [x.status for x in r.open_referrals()], r.verify().ok
(['accepted'], True)

The statuses map to FHIR R4 ``Task.status`` (:data:`FHIR_TASK_STATUS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Final, Literal, Self

from . import _records_schema as t
from ._lang import Lang
from ._records_chain import OPEN_STATUSES, check_transition, genesis_hash
from ._records_fhir import FHIR_TASK_STATUS
from ._records_models import BrokenChain, PurgeReport, ReferralRecord, VerifyReport
from ._records_report import FunnelCell, Rate, outcome_report, ward_id
from ._records_roles import (
    SQLITE_HAS_NO_ROLES,
    GroupRoles,
    check_claimed_role,
    grant_statements,
)
from ._records_rows import append, heads, last, read_records
from ._records_schema import sa
from ._records_store import connect, upgrade, wrap_errors
from ._suggest import suggest
from .errors import (
    ArgumentError,
    TransitionError,
    UnknownAgencyError,
    UnknownReferralError,
    UnknownVocabularyError,
    expect_instance,
    expect_int,
    expect_str,
)
from .models import Document
from .vocabulary import CONCERN_IDS

__all__ = [
    "DEFAULT_NO_RESPONSE_DAYS",
    "DEFAULT_RETENTION_MONTHS",
    "FHIR_TASK_STATUS",
    "BrokenChain",
    "FunnelCell",
    "GroupRoles",
    "PurgeReport",
    "Rate",
    "Records",
    "ReferralRecord",
    "VerifyReport",
    "grant_statements",
]

Role = Literal["coordinator", "member", "auditor", "system"]
Clock = Callable[[], dt.datetime]

DEFAULT_RETENTION_MONTHS: Final = 24
"""Closed referrals older than this are reduced to one anonymous outcome fact."""
DEFAULT_NO_RESPONSE_DAYS: Final = 30
"""A referral still ``referred`` this many days later becomes ``no_response``."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _token() -> str:
    return secrets.token_hex(t.TOKEN_CHARS // 2)


def _check_token(value: object, what: str) -> str:
    text = expect_str(value, what)
    if len(text) != t.TOKEN_CHARS or text.strip("0123456789abcdef"):
        # never echo the value: a name or a phone number typed here must not reach a log
        raise ArgumentError(f"{what} must be a token of {t.TOKEN_CHARS} lowercase hex digits")
    return text


def _one_of(value: object, allowed: Sequence[str], what: str) -> str:
    text = expect_str(value, what)
    if text not in allowed:
        raise UnknownVocabularyError(what, text, suggestions=suggest(text, list(allowed)))
    return text


def _months_before(when: dt.datetime, months: int) -> dt.datetime:
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    return when.replace(year=year, month=month + 1, day=min(when.day, 28))


class Records:
    """The referral records of one plaza (a SQLite file) or of a ward or the city (a
    PostgreSQL database); see the module's docstring.

    Use :meth:`open`; every method is one transaction, and a refused call writes nothing.
    """

    def __init__(
        self,
        engine: sa.Engine,
        document: Document,
        *,
        role: Role,
        clock: Clock,
        no_response_after: dt.timedelta,
        retention_months: int,
    ) -> None:
        self._engine = engine
        self._agencies = {a.id: a for a in document.agencies}
        self._areas = {a.id: a for a in document.areas}
        self.role: Role = role
        self._clock = clock
        self.no_response_after = no_response_after
        self.retention_months = retention_months

    @classmethod
    def open(
        cls,
        path: object,
        *,
        document: Document | None = None,
        role: Role = "coordinator",
        clock: Clock = _utcnow,
        no_response_days: int = DEFAULT_NO_RESPONSE_DAYS,
        retention_months: int = DEFAULT_RETENTION_MONTHS,
        roles: GroupRoles | None = None,
    ) -> Self:
        """Open (or create) the records at ``path`` and bring its schema up to date.

        ``path`` is a SQLite file, or a PostgreSQL URL (``postgresql+psycopg://...``, the
        ``postgres`` extra) whose database exists; the schema is the same on both.

        ``document`` is the directory whose agency ids are accepted (default: the bundled
        one); ``clock`` returns naive UTC datetimes (tests pass their own).

        ``role`` is who acts. On PostgreSQL, once :meth:`grant_roles` has set up the group
        ``roles`` (default names ``referral_app``, ``referral_member``, ``referral_auditor``,
        ``referral_retention``) in this database, the claim is authenticated: the login must
        be a member of the group of its role (coordinator → app, member → member, auditor →
        auditor, system → retention), or own the tables, else :class:`RecordsAccessError`.
        Without those grants nothing is checked (records set up before them keep working).
        On SQLite the role is never authenticated: whoever can open the plaza's file is the
        plaza, and the file's permissions decide who can.
        """
        if document is None:
            from .validation import bundled_document  # noqa: PLC0415

            document = bundled_document()
        _one_of(role, t.ROLES, "role")
        expect_int(no_response_days, "no_response_days", minimum=1)
        expect_int(retention_months, "retention_months", minimum=1)
        groups = GroupRoles() if roles is None else expect_instance(roles, GroupRoles, "roles")
        engine = connect(path)
        if engine.dialect.name == "postgresql":  # before the schema: it may need the owner
            with wrap_errors(engine), engine.connect() as c:
                check_claimed_role(c, role, groups)
        upgrade(engine)
        return cls(
            engine,
            expect_instance(document, Document, "document"),
            role=role,
            clock=clock,
            no_response_after=dt.timedelta(days=no_response_days),
            retention_months=retention_months,
        )

    def close(self) -> None:
        """Checkpoint the WAL into the file and release it."""
        self._checkpoint()
        self._engine.dispose()

    def _checkpoint(self) -> None:
        if self._engine.dialect.name != "sqlite":
            return  # PostgreSQL has no -wal file beside the records (see SECURITY.md)
        with wrap_errors(self._engine), self._engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self, action: str, referral: str | None = None) -> Iterator[sa.Connection]:
        with wrap_errors(self._engine), self._engine.begin() as c:
            yield c
            c.execute(
                t.access_log.insert().values(
                    role=self.role, action=action, at=self._clock(), referral=referral
                )
            )

    def agency_names(self, lang: Lang = "ja") -> dict[str, str]:
        """Each agency id of the directory and its name in ``lang`` (for listings)."""
        return {key: a.name.get(lang) for key, a in self._agencies.items()}

    # -- consent ---------------------------------------------------------------------
    def give_consent(self, *, form: str = "written") -> str:
        """Record a consent and return its new scope token (write it on the paper form)."""
        _one_of(form, t.CONSENT_FORMS, "consent form")
        scope = _token()
        with self._tx("record") as c:
            c.execute(t.consent.insert().values(scope=scope, form=form, given_at=self._clock()))
        return scope

    def withdraw_consent(self, scope: str) -> list[str]:
        """Withdraw the consent ``scope``: every open referral under it closes (``withdrawn``).

        Returns the ids of the referrals closed.
        """
        _check_token(scope, "scope")
        with self._tx("withdraw") as c:
            row = c.execute(sa.select(t.consent).where(t.consent.c.scope == scope)).first()
            if row is None:
                raise UnknownReferralError("consent scope", scope)
            now = self._clock()
            if row.withdrawn_at is None:
                c.execute(
                    t.consent.update().where(t.consent.c.scope == scope).values(withdrawn_at=now)
                )
            ids = c.execute(sa.select(t.referral.c.id).where(t.referral.c.scope == scope))
            closed = [rid for (rid,) in ids if last(c, rid)[0] in OPEN_STATUSES]
            for rid in closed:
                append(c, rid, "withdrawn", None, now)
        return closed

    # -- referrals -------------------------------------------------------------------
    def _ward(self, area: str) -> str:
        found = self._areas.get(area)
        while found is not None and found.kind not in {"ward", "city"}:
            found = self._areas.get(found.parent or "")
        return found.id if found is not None else area

    def record_from_plan(
        self,
        plan: Any,
        suggestion_rank: int,
        *,
        household: str | None = None,
        basis: str,
        scope: str | None = None,
    ) -> str:
        """Record that the plan's suggestion ``suggestion_rank`` was referred; return its id.

        ``household`` is the plaza's token for the paper file (a new one if omitted);
        ``basis`` is ``consent`` (with the ``scope`` of a consent not withdrawn) or
        ``meeting_106_6``. The plan's concerns and agency are checked against the vocabulary
        and the directory; the plan itself is kept only as a hash of its routing (area,
        concerns, ranked agencies), never its note or evidence.
        """
        from ._plan_models import ReferralPlan  # noqa: PLC0415

        plan = expect_instance(plan, ReferralPlan, "plan")
        expect_int(suggestion_rank, "suggestion_rank", minimum=1)
        chosen = [s for s in plan.suggestions if s.rank == suggestion_rank]
        if not chosen:
            raise ArgumentError(f"the plan has no suggestion ranked {suggestion_rank}")
        return self.record(
            chosen[0].agency.id,
            chosen[0].concerns or tuple(c.id for c in plan.concerns),
            household=household,
            basis=basis,
            scope=scope,
            plan_hash=_plan_hash(plan),
            rank=suggestion_rank,
        )

    def record(
        self,
        agency: str,
        concerns: Sequence[str],
        *,
        household: str | None = None,
        basis: str,
        scope: str | None = None,
        plan_hash: str | None = None,
        rank: int = 1,
    ) -> str:
        """Record a referral of ``concerns`` to ``agency`` (ids); return its id."""
        body = self._agency(agency)
        concern_ids = [_one_of(c, CONCERN_IDS, "concern") for c in concerns]
        if not concern_ids:
            raise ArgumentError("a referral names at least one concern")
        _one_of(basis, t.BASES, "basis")
        row: dict[str, Any] = {
            "id": _token(),
            "household": _token() if household is None else _check_token(household, "household"),
            "agency": body.id,
            "kind": body.kind,
            "ward": self._ward(body.area),
            "plan_hash": plan_hash or hashlib.sha256(body.id.encode()).hexdigest(),
            "rank": rank,
            "basis": basis,
            "scope": None if scope is None else _check_token(scope, "scope"),
            "created_at": self._clock(),
        }
        with self._tx("record", row["id"]) as c:
            if basis == "consent":
                self._require_consent(c, row["scope"])
            elif scope is not None:
                raise ArgumentError("a meeting_106_6 referral takes no consent scope")
            c.execute(t.referral.insert().values(**row))
            c.execute(
                t.referral_concern.insert(),
                [
                    {"referral": row["id"], "position": i, "concern": k}
                    for i, k in enumerate(concern_ids)
                ],
            )
            c.execute(
                t.chain_head.insert().values(
                    referral=row["id"], seq=0, hash=genesis_hash(row, concern_ids)
                )
            )
            append(c, row["id"], "referred", None, row["created_at"], first=True)
        return str(row["id"])

    def _agency(self, agency: object) -> Any:
        key = expect_str(agency, "agency")
        found = self._agencies.get(key)
        if found is None:
            raise UnknownAgencyError(key, suggestions=suggest(key, list(self._agencies)))
        return found

    @staticmethod
    def _require_consent(c: sa.Connection, scope: str | None) -> None:
        if scope is None:
            raise ArgumentError("a referral on consent needs the consent's scope")
        row = c.execute(sa.select(t.consent).where(t.consent.c.scope == scope)).first()
        if row is None:
            raise UnknownReferralError("consent scope", scope)
        if row.withdrawn_at is not None:
            raise TransitionError("that consent was withdrawn: no referral can be made under it")

    def update(self, referral_id: str, status: str, reason: str | None = None) -> None:
        """Record a new status (``declined`` with its reason); a forbidden move raises
        :class:`TransitionError` and writes nothing.
        """
        _check_token(referral_id, "referral id")
        _one_of(status, t.STATUSES, "status")
        if reason is not None:
            _one_of(reason, t.DECLINE_REASONS, "decline reason")
        if status == "no_response":
            raise TransitionError("no_response is set by the records after the waiting time")
        self.expire()
        with self._tx("update", referral_id) as c:
            current = last(c, referral_id)[0]
            check_transition(current, status, reason)
            append(c, referral_id, status, reason, self._clock())

    def expire(self) -> list[str]:
        """Mark ``no_response`` every referral still ``referred`` after the waiting time."""
        now = self._clock()
        with wrap_errors(self._engine), self._engine.begin() as c:
            late = [rid for rid, status, at in heads(c) if self._overdue(status, at, now)]
            for rid in late:
                append(c, rid, "no_response", None, now)
        return late

    def open_referrals(self) -> list[ReferralRecord]:
        """Every referral not yet closed, oldest first (after :meth:`expire`).

        An ``auditor`` only reads: the overdue referrals are left out as :meth:`expire` would
        close them, but no event is written (on PostgreSQL the auditor's role may not).
        """
        now = self._clock()
        if self.role != "auditor":
            self.expire()
        with self._tx("list") as c:
            return [
                r
                for r in read_records(c)
                if r.status in OPEN_STATUSES and not self._overdue(r.status, r.created_at, now)
            ]

    def _overdue(self, status: str, created_at: dt.datetime, now: dt.datetime) -> bool:
        """Whether a referral still at ``status`` is past the waiting time (:meth:`expire`)."""
        return status == "referred" and now - created_at >= self.no_response_after

    def referrals(self) -> list[ReferralRecord]:
        """Every referral the records hold, open or closed, oldest first."""
        with self._tx("list") as c:
            return read_records(c)

    # -- integrity and retention -----------------------------------------------------
    def verify(self) -> VerifyReport:
        """Walk every referral's hash chain; report the first bad row of each broken one."""
        from ._records_io import verify_chains  # noqa: PLC0415

        with self._tx("verify") as c:
            return verify_chains(c)

    def purge(self, *, dry_run: bool = True) -> PurgeReport:
        """Reduce closed referrals older than the retention period to one anonymous fact
        each, and delete them (see :func:`referral._records_io.purge`).
        """
        from ._records_io import purge  # noqa: PLC0415

        cutoff = _months_before(self._clock(), self.retention_months)
        with self._tx("purge") as c:
            report = purge(c, cutoff, dry_run=dry_run)
        if dry_run:
            return report
        self._checkpoint()  # SQLite: the deleted rows leave the -wal file too
        if report.referrals and self._engine.dialect.name == "postgresql":
            from ._records_roles import vacuum_purged  # noqa: PLC0415

            with wrap_errors(self._engine):
                done, skipped = vacuum_purged(self._engine)
            report = report.model_copy(update={"vacuumed": done, "not_vacuumed": skipped})
        return report

    def grant_roles(self, roles: GroupRoles | None = None, *, schema: str = "public") -> list[str]:
        """Create the PostgreSQL group roles and grant each what it needs, in one transaction
        (connected as the tables' owner); returns the statements run
        (:func:`grant_statements`).

        Raises
        ------
        ArgumentError
            The records are a SQLite file: SQLite has no roles (its triggers refuse changes
            and the file's permissions decide who reads it).
        """
        if self._engine.dialect.name != "postgresql":
            raise ArgumentError(SQLITE_HAS_NO_ROLES)
        statements = grant_statements(roles, schema=schema)
        with wrap_errors(self._engine), self._engine.begin() as c:
            for sql in statements:
                c.exec_driver_sql(sql)
        return statements

    def report(self, ward: str | None = None) -> list[FunnelCell]:
        """Gap analysis from outcomes, per body × concern × ward (small cells suppressed).

        Parameters
        ----------
        ward
            Only this ward's cells: its id as the records hold it (``"nishi"``) or its
            name (``"西区"``, ``"Nishi Ward"``); ``None``: every ward. The filter is applied
            in the database. A household's later referral to another ward's body still
            counts as a re-referral loop of the earlier cell.

        Returns
        -------
        list[FunnelCell]
            The cells sorted by (agency, concern, ward); see
            :mod:`referral._records_report` for what each counts.

        Raises
        ------
        UnknownVocabularyError
            ``ward`` names no ward (with the nearest ids and names).

        Notes
        -----
        Reading only: a referral still ``referred`` after the waiting time counts as
        ``no_response`` (closed) as :meth:`expire` would mark it, but no event is written;
        the one row written is the access log's. The counting is done in SQL (a few
        statements, whatever the number of referrals).

        Examples
        --------
        >>> import datetime as dt, tempfile, pathlib
        >>> now = [dt.datetime(2026, 1, 5, 9)]
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.sqlite"
        >>> with Records.open(path, clock=lambda: now[0]) as r:
        ...     for _ in range(5):
        ...         _ = r.record("nishi.ward_office", ["hoarding"], basis="meeting_106_6")
        ...     now[0] += dt.timedelta(days=31)
        ...     [(c.ward, c.referred, c.no_response, c.open) for c in r.report(ward="西区")]
        ...     [x.status for x in r.referrals()][:1], r.report(ward="naka")
        [('nishi', 5, 5, 0)]
        (['referred'], [])
        """
        cutoff = self._clock() - self.no_response_after
        with self._tx("report") as c:
            wanted = None if ward is None else ward_id(c, self._areas.values(), ward)
            return outcome_report(c, overdue_before=cutoff, ward=wanted)

    def export(self, path: object, *, include_meeting: bool = False, format: str = "jsonl") -> int:
        """Write the records to ``path``; return the lines (``jsonl``) or referrals (``fhir``)
        written.

        ``jsonl``: every row as a JSON line, every hash kept — what :meth:`import_` reads, to
        move records between databases. ``fhir``: one FHIR R4 ``Bundle`` of ``Task``
        resources, one per referral, its status mapped by :data:`FHIR_TASK_STATUS` and no
        household token (see :mod:`referral._records_fhir`). Either way, referrals on
        ``meeting_106_6`` stay out unless ``include_meeting`` is asked by the role ``member``
        (a member of that meeting). The file is written atomically, owner-only.
        """
        from ._records_io import export, export_fhir  # noqa: PLC0415

        _one_of(format, ("jsonl", "fhir"), "export format")
        if include_meeting and self.role != "member":
            raise ArgumentError("only a member of the support meeting may export its records")
        with self._tx("export") as c:
            if format == "fhir":
                names = self.agency_names("ja")
                return export_fhir(
                    c, path, names, include_meeting=include_meeting, at=self._clock()
                )
            return export(c, path, include_meeting=include_meeting)

    def backup(self, path: object) -> int:
        """Copy the plaza's SQLite file, while it is in use, to ``path``; return the
        referrals the copy holds.

        The copy is one consistent snapshot (what the ``-wal`` file holds included), has no
        free pages (nothing deleted or purged survives in it), is owner-only (0600), and
        replaces ``path`` in one step, so a failed backup leaves an earlier one intact. It
        is the whole file — support-meeting records included — for the plaza that keeps
        it; to move records elsewhere, use :meth:`export`. PostgreSQL: use ``pg_dump``.
        """
        from ._records_io import backup  # noqa: PLC0415

        with self._tx("export"):
            pass  # the access log says the whole file was copied
        with wrap_errors(self._engine):
            return backup(self._engine, path)

    def import_(self, path: object) -> int:
        """Read records exported by :meth:`export`; every chain must verify, or nothing is
        written. Returns the referrals imported.
        """
        from ._records_io import import_lines, verify_chains  # noqa: PLC0415

        with self._tx("import") as c:
            n = import_lines(c, path)
            report = verify_chains(c)
            if not report.ok:
                raise ArgumentError(
                    f"the import breaks {len(report.broken)} hash chain(s): nothing was written"
                )
        return n


def _plan_hash(plan: Any) -> str:
    routing = [
        plan.area.area.id,
        [c.id for c in plan.concerns],
        [[s.rank, s.agency.id] for s in plan.suggestions],
    ]
    return hashlib.sha256(repr(routing).encode()).hexdigest()


def plan_hash(plan: Any) -> str:
    """The hash a referral keeps of its plan: its routing (area, concerns, ranked agencies)."""
    return _plan_hash(plan)
