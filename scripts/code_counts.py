"""A few counts that say whether the package keeps one place for each thing.

Usage::

    python scripts/code_counts.py                    # this checkout
    python scripts/code_counts.py --root /tmp/old    # another checkout (a git worktree, say)
    python scripts/code_counts.py --json

It reads the ``.py`` files of ``referral/`` (not below it) and ``pyproject.toml`` as text and
runs nothing. What each count means, exactly:

did-you-mean implementations
    Calls of ``process.extract``, ``process.extractOne``, ``process.extract_iter`` or
    ``process.cdist`` (rapidfuzz), of any ``fuzz.<scorer>`` (rapidfuzz) or of
    ``get_close_matches`` (difflib), made inside a function whose source (name, body and
    docstring) contains ``suggest`` or ``did you mean`` in any case, in any module but
    ``referral/_suggest.py`` (the one helper). Fuzzy matching that finds things
    (``Directory.find``, area resolution, aliases) is not counted: those functions never speak
    of suggestions. A call in a nested function counts once, for the innermost function.
``lang`` ternaries
    Conditional expressions (``x if … else y``) whose test is ``<lang> == "ja"`` or
    ``<lang> == "en"`` (either side), where ``<lang>`` is a name or attribute called ``lang``,
    or a flag set beforehand: a name or attribute called ``ja`` or ``en`` (``ja = lang ==
    "ja"`` … ``x if ja else y``). A test that joins one of these with ``and``/``or``
    (``x if ja and measure == "score" else y``) counts too.
functions over 60 lines
    Functions and methods (nested ones too) with ``end_lineno - lineno + 1 > 60``; ``lineno``
    is the ``def`` line, so decorators are not counted.
ruff rules
    ``select``, ``extend-select`` and ``ignore`` of ``[tool.ruff.lint]`` (or ``[tool.ruff]``).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["MAX_LINES", "Counts", "count", "main"]

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 60
"""A function longer than this many lines counts as long."""

_HELPER = "_suggest.py"
_EXTRACT = {"extract", "extractOne", "extract_iter", "cdist"}
_WORDS = ("suggest", "did you mean")


@dataclass
class Counts:
    """What :func:`count` found."""

    did_you_mean: list[str] = field(default_factory=list)
    """``module:line function`` of each did-you-mean call."""
    lang_ternaries: int = 0
    long_functions: list[str] = field(default_factory=list)
    """``module:line function (n lines)`` of each long function."""
    ruff: dict[str, list[str]] = field(default_factory=dict)


def _is_fuzzy_call(node: ast.Call) -> bool:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id == "get_close_matches"
    if not isinstance(f, ast.Attribute) or not isinstance(f.value, ast.Name):
        return False
    base = f.value.id
    return (
        (base == "process" and f.attr in _EXTRACT)
        or base == "fuzz"
        or (base == "difflib" and f.attr == "get_close_matches")
    )


def _is_lang(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "lang") or (
        isinstance(node, ast.Attribute) and node.attr == "lang"
    )


def _is_flag(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("ja", "en")) or (
        isinstance(node, ast.Attribute) and node.attr in ("ja", "en")
    )


def _is_lang_test(test: ast.expr) -> bool:
    if _is_flag(test):
        return True
    if isinstance(test, ast.BoolOp):
        return any(_is_lang_test(v) for v in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    left, right = test.left, test.comparators[0]
    for a, b in ((left, right), (right, left)):
        if _is_lang(a) and isinstance(b, ast.Constant) and b.value in ("ja", "en"):
            return True
    return False


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.Module) -> list[Function]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _own_calls(fn: Function) -> list[ast.Call]:
    """The calls in ``fn``'s body, not in a function nested in it."""
    out: list[ast.Call] = []
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def _module_counts(path: Path, out: Counts) -> None:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    name = path.name
    out.lang_ternaries += sum(
        isinstance(n, ast.IfExp) and _is_lang_test(n.test) for n in ast.walk(tree)
    )
    for fn in _functions(tree):
        assert fn.end_lineno is not None
        length = fn.end_lineno - fn.lineno + 1
        if length > MAX_LINES:
            out.long_functions.append(f"{name}:{fn.lineno} {fn.name} ({length} lines)")
        if name == _HELPER:
            continue
        source = (ast.get_source_segment(text, fn) or "").lower()
        if not any(w in source for w in _WORDS):
            continue
        out.did_you_mean += [
            f"{name}:{call.lineno} {fn.name}" for call in _own_calls(fn) if _is_fuzzy_call(call)
        ]


def _ruff(pyproject: Path) -> dict[str, list[str]]:
    config = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("ruff", {})
    lint = config.get("lint", config)
    return {k: list(lint[k]) for k in ("select", "extend-select", "ignore") if k in lint}


def count(root: Path = ROOT) -> Counts:
    """The counts for the checkout at ``root``.

    Parameters
    ----------
    root
        A checkout of the repository: ``root/referral`` and ``root/pyproject.toml`` are read.

    Returns
    -------
    Counts
        Did-you-mean calls, ``lang`` ternaries, long functions and the ruff rules.
    """
    out = Counts()
    for path in sorted((root / "referral").glob("*.py")):
        _module_counts(path, out)
    out.did_you_mean.sort()
    out.ruff = _ruff(root / "pyproject.toml")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the counts; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="a checkout (default: this one)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    found = count(args.root)
    if args.json:
        print(json.dumps(asdict(found), indent=2))
        return 0
    print(f"did-you-mean implementations outside referral/{_HELPER}: {len(found.did_you_mean)}")
    for where in found.did_you_mean:
        print(f"  {where}")
    print(f'`if lang == "ja"/"en" else` and `if ja else` ternaries: {found.lang_ternaries}')
    print(f"functions over {MAX_LINES} lines: {len(found.long_functions)}")
    for where in found.long_functions:
        print(f"  {where}")
    for key, rules in found.ruff.items():
        print(f"ruff {key}: {', '.join(rules)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
