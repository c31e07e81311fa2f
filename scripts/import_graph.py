"""Show the package's import graph in layers, and check that imports only go down.

Each module of ``referral/`` is printed with the ``referral`` modules it imports, layer by
layer from the lowest to the highest. Every import counts: at the top of the module, inside a
function (imported on first use) and under ``if TYPE_CHECKING:`` (for types only), because
each is a dependency a reader has to follow. The check fails (exit 1) when

* a module imports one of a higher layer (imports within a layer are allowed);
* a module other than :data:`MAY_IMPORT_DIRECTORY` imports ``directory``, the facade: lower
  modules take the document, an index, the matcher or the graph, never the facade;
* a module is in no layer, or a layer names a module that does not exist (a new module is
  placed in :data:`LAYERS` when it is added).

Usage::

    python scripts/import_graph.py          # print the layers; exit 1 on a violation
    python scripts/import_graph.py --quiet  # print only the violations
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "referral"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundations", ("_suggest", "errors", "_gc", "_text", "_progress", "_lang")),
    ("vocabulary", ("_records_codes", "_safety_rules", "vocabulary")),
    (
        "records",
        ("_field_checks", "models", "_concern_models", "_plan_models", "_table", "_schema"),
    ),
    ("data files", ("_data", "_diff", "validation", "editing", "areas", "_aliases")),
    (
        "reading notes",
        (
            "morphology",
            "polarity",
            "_cue_base",
            "_cue_numbers",
            "cues",
            "rules",
            "association",
            "safety_ngrams",
            "_evidence",
            "matching",
        ),
    ),
    ("the network", ("network", "locality", "health", "synth")),
    ("routing and gaps", ("advice", "_plan_text", "routing", "gaps")),
    (
        "exchange and display",
        (
            "_messages",
            "_render",
            "_render_gaps",
            "plot",
            "_hsds_import",
            "_hsds_merge",
            "hsds",
            "interop",
        ),
    ),
    (
        "referral records",
        (
            "_records_schema",
            "_records_chain",
            "_records_models",
            "_records_fhir",
            "_records_rows",
            "_records_store",
            "_records_report",
            "_records_io",
            "_records_roles",
            "records",
            "records_synth",
            "_records_explain",
        ),
    ),
    ("the facade", ("_lookups", "directory")),
    (
        "entry points",
        (
            "__init__",
            "_cache",
            "_cli_parser",
            "_cli_output",
            "_cli_errors",
            "_cli_names",
            "_cli_tables",
            "_cli_data",
            "_cli_serve",
            "_cli_records",
            "cli",
            "__main__",
            "_web_guard",
            "_web_views",
            "_web_api",
            "_web_records",
            "web",
        ),
    ),
)
"""The layers, lowest first: a module may import its own layer's modules and lower ones."""

FACADE = "directory"
MAY_IMPORT_DIRECTORY = frozenset({"__init__", "cli", "_cache", "web"})
"""The modules that may import the facade, besides any ``_cli_*`` or ``_web_*`` module."""


def imports_of(source: str, modules: Iterable[str]) -> set[str]:
    r"""The package modules that ``source`` (a module of the package) imports, wherever the
    import statement is: top level, in a function, or under ``TYPE_CHECKING``.

    >>> code = "from . import errors\ndef f():\n    from .models import A"
    >>> sorted(imports_of(code, ["errors", "models"]))
    ['errors', 'models']
    """
    known = set(modules)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or (node.level == 0 and node.module is not None):
                parts = (node.module or "").split(".")
                if node.level == 0:
                    if parts[0] != "referral":
                        continue
                    parts = parts[1:]
                if parts and parts[0]:
                    found.add(parts[0])
                else:  # from . import a, b / from referral import a, b
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "referral" and len(parts) > 1:
                    found.add(parts[1])
    return found & known


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package (by its file name) and the package modules it imports."""
    files = {p.stem: p for p in sorted(package.glob("*.py"))}
    return {
        name: imports_of(path.read_text(encoding="utf-8"), files) - {name}
        for name, path in files.items()
    }


def layer_of(layers: Sequence[tuple[str, Sequence[str]]] = LAYERS) -> dict[str, int]:
    """Each module's layer number (0 is the lowest)."""
    return {m: i for i, (_, modules) in enumerate(layers) for m in modules}


def violations(
    graph: Mapping[str, Iterable[str]], layers: Sequence[tuple[str, Sequence[str]]] = LAYERS
) -> list[str]:
    """Every import that goes up a layer or reaches the facade from below, and every module
    missing from (or only named in) the layers; empty when the package is in order.
    """
    level = layer_of(layers)
    names = [name for _, modules in layers for name in modules]
    out = [f"{m}: in no layer (add it to LAYERS)" for m in sorted(graph) if m not in level]
    out += [f"{m}: in LAYERS but no such module" for m in sorted(set(level) - set(graph))]
    out += [f"{m}: in more than one layer" for m in sorted(set(names)) if names.count(m) > 1]
    for module in sorted(graph):
        for target in sorted(graph[module]):
            if target == FACADE and not _may_import_facade(module):
                out.append(f"{module} imports {FACADE}: only the entry points use the facade")
            elif module in level and target in level and level[target] > level[module]:
                up, here = layers[level[target]][0], layers[level[module]][0]
                out.append(f"{module} ({here}) imports {target}, of a higher layer ({up})")
    return out


def _may_import_facade(module: str) -> bool:
    return module in MAY_IMPORT_DIRECTORY or module.startswith(("_cli_", "_web_"))


def render(
    graph: Mapping[str, Iterable[str]], layers: Sequence[tuple[str, Sequence[str]]] = LAYERS
) -> str:
    """The layers, lowest first, each module with the package modules it imports."""
    lines = []
    for i, (name, modules) in enumerate(layers):
        lines.append(f"{i} {name}")
        for module in modules:
            deps = ", ".join(sorted(graph.get(module, ()))) or "-"
            lines.append(f"    {module:<14} -> {deps}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the layers and any violation; return 1 if there is one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quiet", action="store_true", help="print only the violations")
    args = parser.parse_args(argv)
    graph = import_graph()
    if not args.quiet:
        print(render(graph))
    found = violations(graph)
    for line in found:
        print(f"violation: {line}", file=sys.stderr)
    if not args.quiet:
        n = sum(len(v) for v in graph.values())
        print(f"{len(graph)} modules, {n} imports, {len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
