"""The package's layers: imports only go down, and only the entry points use the facade.

The check is ``scripts/import_graph.py`` (run it to see the layers); it counts every import,
including those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def import_graph() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "scripts" / "import_graph.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_layer_violation(import_graph: ModuleType) -> None:
    graph = import_graph.import_graph()
    assert "directory" in graph and "routing" in graph  # it read the package
    assert import_graph.violations(graph) == []


def test_every_kind_of_import_counts(import_graph: ModuleType) -> None:
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
import referral.models
from referral import errors
from .network import build_graph
if TYPE_CHECKING:
    from .directory import Directory
def f() -> None:
    from . import gaps, matching
"""
    modules = ["models", "errors", "network", "directory", "gaps", "matching", "routing"]
    assert import_graph.imports_of(source, modules) == {
        "models",
        "errors",
        "network",
        "directory",
        "gaps",
        "matching",
    }


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"errors": set(), "routing": {"errors"}}, []),
        (
            {"errors": {"routing"}, "routing": set()},
            ["errors (low) imports routing, of a higher layer (high)"],
        ),
        (
            {"errors": set(), "routing": {"directory"}, "directory": set()},
            ["routing imports directory: only the entry points use the facade"],
        ),
        (
            {"errors": set(), "routing": set(), "_cli_x": {"directory"}, "directory": set()},
            ["_cli_x: in no layer (add it to LAYERS)"],
        ),
        ({"errors": set()}, ["routing: in LAYERS but no such module"]),
    ],
)
def test_violations_are_found(
    import_graph: ModuleType, graph: dict[str, set[str]], expected: list[str]
) -> None:
    layers: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("low", ("errors",)),
        ("high", ("routing",)),
        ("top", ("directory",)),
    )
    if "directory" not in graph:
        layers = layers[:2]
    assert import_graph.violations(graph, layers) == expected


def test_the_script_exits_zero_and_prints_the_layers() -> None:
    import subprocess  # noqa: PLC0415

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_graph.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "0 foundations"
    assert done.stdout.rstrip().endswith("0 violations")
