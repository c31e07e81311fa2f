"""Fuzzing every public entry point: only the ReferralError family escapes (each error is also
the builtin a caller would catch), and the command line never shows a traceback and exits 0, 1
or 2. The number of generated cases is counted and printed at the end of the run."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from helpers import FUZZ_CASES, tiny_raw_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral import Directory, ReferralError, _cli_serve
from referral.cli import _COMMANDS, main
from referral.matching import Matcher, load_concerns
from referral.validation import validate_data

pytestmark = pytest.mark.slow

D = Directory.load()
AREA_WORDS = sorted(
    {a.name.ja for a in D.areas}
    | {t.town for t in D.document.towns}
    | {t.postal_code for t in D.document.towns}
    | {a.id for a in D.areas}
)
ALIASES = sorted({a.text for c in D.concerns for a in c.aliases})
CONCERN_IDS = [c.id for c in D.concerns]
AGENCY_IDS = [a.id for a in D.agencies]
KINDS_SEEN = sorted({a.kind for a in D.agencies})

# text as people paste it: real words, any Unicode (lone surrogates, controls, bidi, emoji)
weird = st.sampled_from(
    ["\u200d", "\u200b", "\u202e", "\u2066", "\x00", "\x1b[31m", "\ufeff", "\ud800", "🏳️‍🌈", "\r\n"]
)
any_char = st.characters(codec=None, exclude_categories=())
fragment = st.one_of(
    st.sampled_from(ALIASES), st.sampled_from(AREA_WORDS), weird, st.text(any_char, max_size=12)
)
texts = st.lists(fragment, max_size=12).map("".join)
not_text = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)


def _call(name: str, fn: Callable[[], Any]) -> Any:
    """Run one generated case; only the ReferralError family may escape."""
    FUZZ_CASES[name] += 1
    try:
        return fn()
    except ReferralError as exc:
        assert isinstance(exc, Exception) and str(exc)  # a message, never empty
        return exc


SCALE = int(os.environ.get("REFERRAL_FUZZ_SCALE", "1"))  # e.g. 20 for a long hunt
many = settings(
    max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@many
@given(text=st.one_of(texts, not_text))
def test_match(text: Any) -> None:
    _call("Directory.match", lambda: D.match(text))


@functools.cache
def _matcher() -> Matcher:
    """A matcher of its own, built once: building it is not what is fuzzed."""
    return Matcher(load_concerns())


@many
@given(text=st.one_of(texts, not_text), confidence=st.one_of(st.none(), st.floats(0, 1)))
def test_matcher(text: Any, confidence: float | None) -> None:
    matcher = _matcher()
    _call("Matcher.match", lambda: matcher.match(text, min_confidence=confidence))


@many
@given(
    what=st.one_of(
        texts, st.lists(st.one_of(st.sampled_from(CONCERN_IDS), texts), max_size=4), not_text
    ),
    area=st.one_of(texts, st.sampled_from(AREA_WORDS), not_text),
    age=st.one_of(st.none(), st.integers(-5, 200), st.floats(), st.text(max_size=3)),
    origin=st.one_of(st.none(), st.sampled_from(KINDS_SEEN), texts),
)
def test_route(what: Any, area: Any, age: Any, origin: Any) -> None:
    _call("Directory.route", lambda: D.route(what, area=area, age=age, origin_kind=origin))


@many
@given(text=st.one_of(texts, st.sampled_from(AREA_WORDS), not_text))
def test_areas(text: Any) -> None:
    _call("Directory.resolve_area", lambda: D.resolve_area(text))
    _call("Directory.require_area", lambda: D.require_area(text))


@many
@given(
    text=st.one_of(texts, st.sampled_from(AGENCY_IDS), not_text),
    kind=st.one_of(st.none(), st.sampled_from(KINDS_SEEN), texts),
)
def test_lookups(text: Any, kind: Any) -> None:
    _call("Directory.find", lambda: D.find(text, kind=kind))
    _call("Directory.agency", lambda: D.agency(text))
    _call("Directory.area", lambda: D.area(text))
    _call("Directory.concern", lambda: D.concern(text))
    _call("Directory.agencies_in", lambda: D.agencies_in(text, kind=kind))


@settings(max_examples=40 * min(SCALE, 5), deadline=None)  # a city's coverage a case: ~1 s
@given(
    ward=st.one_of(st.none(), st.sampled_from(["nishi", "naka"]), texts),
    remove=st.one_of(st.sampled_from(AGENCY_IDS), st.lists(st.sampled_from(AGENCY_IDS)), texts),
)
def test_analysis(ward: Any, remove: Any) -> None:
    _call("Directory.coverage", lambda: D.coverage(ward=ward))
    _call("Directory.what_if", lambda: D.what_if(remove))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@many
@given(data=st.data())
def test_documents_mutated_anywhere_are_reported_not_raised(data: st.DataObject) -> None:
    """Replace any value of a valid document with any JSON: validation returns problems."""
    raw: Any = tiny_raw_document()
    node: Any = raw
    path: list[Any] = []
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        path.append(key)
        node = node[key]
    value = data.draw(json_values)
    if path:
        parent: Any = raw
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    else:
        raw = value
    FUZZ_CASES["validate_data"] += 1
    doc, problems = validate_data(raw)
    assert (doc is None) == bool(problems)
    assert all(p.path.startswith("$") and p.message for p in problems)


@settings(
    max_examples=80 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(blob=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_any_bytes_as_a_directory_file(blob: bytes, tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_bytes(blob)
    FUZZ_CASES["Directory.from_path"] += 1
    with pytest.raises(ReferralError):  # nothing here is a whole valid directory
        Directory.from_path(path)


SANDBOX = tempfile.mkdtemp(prefix="referral-fuzz-")
# every command the CLI has, but those that run until stopped (serve: tests/test_web.py)
COMMANDS = [*(n for n, c in _COMMANDS.items() if not c.runs_forever), "--help", "--version", ""]
OPTIONS = [  # every option some command takes (a test below keeps the list whole)
    "--age",
    "--all-links",
    "--area",
    "--bom",
    "--brief",
    "--check-schemas",
    "--concern",
    "--csv",
    "--data",
    "--db",
    "--dry-run",
    "--format",
    "--from",
    "--full",
    "--host",
    "--json",
    "--kind",
    "--lang",
    "--max-mb",
    "--min-confidence",
    "--nl",
    "--out",
    "--port",
    "--provenance",
    "--real",
    "--records",
    "--table",
    "--token",
    "--top",
    "--tsv",
    "--update",
    "--ward",
    "--what-if",
    "-",
]


@settings(max_examples=200 * SCALE, deadline=None)
@given(
    argv=st.lists(
        st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS), fragment), max_size=6
    )
)
def test_cli_never_shows_a_traceback(argv: list[str]) -> None:
    FUZZ_CASES["referral (CLI)"] += 1
    out, err = io.StringIO(), io.StringIO()
    stdin, cwd = sys.stdin, Path.cwd()
    try:  # in a scratch folder: whatever a generated command writes lands there
        sys.stdin = io.StringIO("ゴミ屋敷")
        os.chdir(SANDBOX)
        # a server never starts here, even if generated text spelled its command
        with (
            redirect_stdout(out),
            redirect_stderr(err),
            mock.patch.object(_cli_serve, "run_server", lambda *a: None),
        ):
            code = main(argv)
    finally:
        sys.stdin = stdin
        os.chdir(cwd)
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()


def test_the_fuzzed_options_are_every_option_the_commands_take() -> None:
    """A renamed or new option must be fuzzed too (an old name would only test "unknown")."""
    found: set[str] = set()
    for command in _COMMANDS:
        out = io.StringIO()
        with redirect_stdout(out), contextlib.suppress(SystemExit):
            main([command, "--help"])
        found |= set(re.findall(r"(--[a-z][a-z-]+)", out.getvalue()))
    assert found - {"--help"} == set(OPTIONS) - {"-"}
