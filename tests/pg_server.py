"""A throwaway PostgreSQL server for the records tests: initdb into a temporary folder, a
unix socket there (no TCP), trust authentication, stopped at the end of the session.

The binaries are looked up on PATH, then in Debian's ``/usr/lib/postgresql/<version>/bin``.
initdb refuses to run as root: as root, the server runs as the ``postgres`` user (through
``runuser``) in a folder it owns. :func:`start` returns ``None`` with the reason when no
server can be started, and the tests skip with that reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "referral"
"""The server's superuser (trust authentication on the socket; nothing listens on TCP)."""


def find_bin(name: str) -> str | None:
    """The path of a PostgreSQL program: PATH first, then Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    debian = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: float(p.parts[-3]) if p.parts[-3].replace(".", "").isdigit() else 0.0,
    )
    return str(debian[-1]) if debian else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server: its folder, socket folder and port."""

    folder: Path
    prefix: list[str]
    port: int
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def sockets(self) -> Path:
        return self.folder / "sock"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.sockets}&port={self.port}"

    def psql_args(self, database: str) -> list[str]:
        """The connection arguments of the client programs (pg_dump, psql)."""
        return ["-h", str(self.sockets), "-p", str(self.port), "-U", USER, "-d", database]

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        import sqlalchemy as sa  # noqa: PLC0415 - the test extra

        name = f"records_{next(self._names)}"
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        pg_ctl = find_bin("pg_ctl")
        if pg_ctl:
            subprocess.run(
                [*self.prefix, pg_ctl, "stop", "-D", str(self.folder / "data"), "-m", "immediate"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def _prefix() -> list[str] | str:
    """How to run the server's programs: as ourselves, or (as root) as ``postgres``."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        return "running as root and runuser is missing: initdb refuses root"
    probe = subprocess.run(
        [runuser, "-u", "postgres", "--", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return "running as root and there is no postgres user to run the server as"
    return [runuser, "-u", "postgres", "--"]


def start() -> Server | str:
    """Start a server; the reason it cannot be started, if it cannot."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    prefix = _prefix()
    if isinstance(prefix, str):
        return prefix
    folder = Path(tempfile.mkdtemp(prefix="referral-pg-"))
    (folder / "sock").mkdir()
    if prefix:
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "sock", "postgres")
    port = _free_port()
    data = str(folder / "data")
    steps = [
        [initdb, "-D", data, "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"],
        [
            pg_ctl,
            "start",
            "-w",
            "-D",
            data,
            "-l",
            str(folder / "server.log"),
            "-o",
            f"-p {port} -k {folder / 'sock'} -c listen_addresses='' -c fsync=off",
        ],
    ]
    for step in steps:
        proc = subprocess.run([*prefix, *step], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            return f"{Path(step[0]).name} failed: {(proc.stderr or proc.stdout)[-300:]}"
    return Server(folder, prefix, port)
