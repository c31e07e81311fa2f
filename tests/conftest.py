"""Fixtures: the bundled directory, the tiny hand-made network, its file, raw bundled JSON."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg_server as pg_server_module
import pytest
from helpers import FUZZ_CASES, tiny_document, write_document
from hypothesis import HealthCheck, settings

from referral import Directory, Document
from referral._data import bundled_path

# the suite never writes to the user's cache; tests/test_cache.py turns it on in a tmp folder
os.environ["REFERRAL_CACHE_DIR"] = "off"

# the same generated cases on every run (a run that lands must not fail by chance);
# HYPOTHESIS_PROFILE=explore draws new ones, REFERRAL_FUZZ_SCALE=20 draws more of them
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def bundled() -> Directory:
    return Directory.load()


@pytest.fixture(scope="session")
def _bundled_raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bundled_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture
def bundled_raw(_bundled_raw: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the bundled JSON, free to break."""
    return copy.deepcopy(_bundled_raw)


@pytest.fixture
def tiny_doc() -> Document:
    return tiny_document()


@pytest.fixture
def tiny(tiny_doc: Document) -> Directory:
    return Directory(tiny_doc, source="tiny")


@pytest.fixture
def tiny_path(tmp_path: Path, tiny_doc: Document) -> Path:
    return write_document(tmp_path / "tiny.json", tiny_doc)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many generated cases the fuzz tests ran, per entry point."""
    if FUZZ_CASES:
        total = sum(FUZZ_CASES.values())
        terminalreporter.write_line(
            f"fuzzing: {total:,} generated cases over {len(FUZZ_CASES)} entry points ("
            + ", ".join(f"{k} {v:,}" for k, v in sorted(FUZZ_CASES.items()))
            + ")"
        )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_server_module.Server]:
    """A throwaway PostgreSQL server for the session (skips when none can be started)."""
    pytest.importorskip("psycopg")
    server = pg_server_module.start()
    if isinstance(server, str):
        pytest.skip(f"no PostgreSQL server: {server}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: pg_server_module.Server) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    return pg_server.new_database()
