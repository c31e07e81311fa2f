"""Open a records database: the SQLite file or a PostgreSQL URL, its schema revision (private).

One SQLite file per plaza, or one PostgreSQL database for a ward or the city (a URL such as
``postgresql+psycopg://referral@db.example/records``; the ``postgres`` extra). Every
connection to a SQLite file gets ``journal_mode=WAL``, ``foreign_keys=ON`` and
``secure_delete=ON`` (deleted rows are overwritten, not left in free pages), set by an
engine event; PostgreSQL enforces foreign keys itself. The schema is the Alembic history in
``referral/migrations``: :func:`upgrade` brings a database to the newest revision this
``referral`` knows, and a database from a newer one is refused (:class:`RecordsSchemaError`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from ._records_schema import sa
from .errors import (
    ArgumentError,
    MissingExtraError,
    RecordsAccessError,
    RecordsSchemaError,
    expect_path,
)

__all__ = ["HEAD", "LOCK_TIMEOUT", "connect", "downgrade", "is_url", "revision", "upgrade"]

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
"""The Alembic script location, inside the package."""
HEAD: Final = "0002"
"""The newest schema revision this version knows (a test checks it is Alembic's head)."""
LOCK_TIMEOUT: Final = 2.0
"""Seconds to wait for another program's lock before giving up."""


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _check_writable(path: Path) -> None:
    folder = path.parent
    if path.exists() and not path.is_file():  # a folder, a device, a pipe: not a records file
        raise RecordsAccessError(f"{path}: not a records file (a folder or a special file)")
    if path.exists() and not os.access(path, os.W_OK):
        raise RecordsAccessError(f"{path}: the records file is read-only; nothing was written")
    if not os.access(folder, os.W_OK):
        raise RecordsAccessError(
            f"{path}: its folder cannot be written (SQLite needs it for the -wal file)"
        )


def is_url(path: object) -> bool:
    """Whether ``path`` names a PostgreSQL database (a ``postgresql://`` or
    ``postgresql+driver://`` URL) rather than a SQLite file.

    >>> is_url("postgresql+psycopg://referral@/records"), is_url("plaza.sqlite")
    (True, False)
    """
    return isinstance(path, str) and path.startswith(("postgresql://", "postgresql+"))


def _connect_url(url: str, timeout: float) -> sa.Engine:
    try:
        engine = sa.create_engine(
            url,
            connect_args={
                "connect_timeout": max(1, round(timeout)),
                # wait for another program's lock as long as SQLite would, then give up
                "options": f"-c lock_timeout={round(timeout * 1000)}",
            },
            poolclass=sa.pool.NullPool,
        )
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise MissingExtraError(
            "referral records on PostgreSQL need the postgres extra: "
            "pip install 'referral[postgres]'"
        ) from exc
    except sa.exc.ArgumentError:
        raise ArgumentError("the records URL is not a valid database URL") from None
    return engine


def connect(path: object, *, timeout: float = LOCK_TIMEOUT) -> sa.Engine:
    """An engine on the records at ``path``: a PostgreSQL URL (see :func:`is_url`), or a
    SQLite file (created if missing) whose every connection gets the pragmas; a read-only
    file or folder raises :class:`RecordsAccessError`.
    """
    if is_url(path):
        return _connect_url(str(path), timeout)
    where = Path(expect_path(path)).resolve()
    _check_writable(where)
    engine = sa.create_engine(
        f"sqlite:///{where}",
        connect_args={"timeout": timeout},
        poolclass=sa.pool.NullPool,
    )
    sa.event.listen(engine, "connect", _pragmas)
    return engine


def _config(connection: sa.Connection) -> Any:
    from alembic.config import Config  # noqa: PLC0415 - the records extra

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def revision(connection: sa.Connection) -> str | None:
    """The schema revision the database is at (``None``: a new, empty database)."""
    from alembic.migration import MigrationContext  # noqa: PLC0415

    return MigrationContext.configure(connection).get_current_revision()


def _known() -> set[str]:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory(str(MIGRATIONS))
    return {r.revision for r in script.walk_revisions()}


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Bring the database to ``target`` (the newest revision by default); a database at a
    revision this version does not know raises :class:`RecordsSchemaError`.
    """
    from alembic import command  # noqa: PLC0415

    with wrap_errors(engine), engine.begin() as connection:
        current = revision(connection)
        if current is not None and current not in _known():
            raise RecordsSchemaError(
                f"{wrap_errors(engine).where}: the records were written by a newer referral "
                f"(schema {current!r}; this version knows up to {HEAD!r}): upgrade referral"
            )
        command.upgrade(_config(connection), target)


def downgrade(engine: sa.Engine, target: str) -> None:
    """Take the database down to ``target`` (``"base"``: no tables)."""
    from alembic import command  # noqa: PLC0415

    with wrap_errors(engine), engine.begin() as connection:
        command.downgrade(_config(connection), target)


class wrap_errors:  # noqa: N801 - used as a ``with`` statement, like contextlib's helpers
    """Turn SQLite's "locked", "read-only" and "not a database" into one clear error."""

    def __init__(self, engine: sa.Engine) -> None:
        # a URL is named without its password
        self.where = (
            engine.url.database
            if engine.dialect.name == "sqlite"
            else engine.url.render_as_string(hide_password=True)
        )

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, _tb: object) -> None:
        if not isinstance(exc, sa.exc.OperationalError | sa.exc.DatabaseError):
            return
        text = str(exc.orig) if isinstance(exc, sa.exc.DBAPIError) else str(exc)
        if isinstance(exc, sa.exc.IntegrityError):
            return
        if "locked" in text or "busy" in text or "lock timeout" in text:
            raise RecordsAccessError(
                f"{self.where}: the records are locked by another program; nothing was written"
            ) from None
        if "readonly" in text or "read-only" in text:
            raise RecordsAccessError(
                f"{self.where}: the records file is read-only; nothing was written"
            ) from None
        if (
            getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"
        ):  # PostgreSQL: insufficient_privilege
            raise RecordsAccessError(
                f"{self.where}: the database login may not do this (permission denied); "
                "nothing was written"
            ) from None
        if "not a database" in text:
            raise RecordsSchemaError(f"{self.where}: not a records database") from None
        if "connect" in text or "connection" in text:
            raise RecordsAccessError(
                f"{self.where}: cannot connect to the records database; nothing was written"
            ) from None
