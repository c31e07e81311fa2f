"""Alembic's environment: run the migrations on the connection :mod:`referral.records` passes.

There is no ``alembic.ini`` and no URL here: the records module opens the database itself
(with its pragmas) and hands the connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from referral._records_schema import metadata


def _run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _inside_alembic() -> bool:
    try:
        context.config  # noqa: B018 - only set while Alembic runs this file
    except AttributeError:  # imported by something else (pytest's doctest collector)
        return False
    return True


if _inside_alembic():
    _run()
