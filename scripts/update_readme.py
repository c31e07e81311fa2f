"""Refresh the real command output shown in README.md (``--check`` only compares).

Each block between ``<!-- cmd: referral ARGS -->`` and ``<!-- /cmd -->`` is replaced by a
console block with the command and its real output on the bundled data. The test suite runs
the check, so the README never shows output the code no longer prints.

Usage::

    python scripts/update_readme.py          # rewrite README.md
    python scripts/update_readme.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from pathlib import Path

from referral.cli import main as referral_main

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- cmd: (?P<cmd>.+?) -->\n)(?P<body>.*?)(<!-- /cmd -->)", re.S)


def run(command: str) -> str:
    """Run a ``referral ...`` command in-process and return its console block."""
    argv = shlex.split(command)
    if argv[0] != "referral":
        raise ValueError(f"README commands must start with 'referral': {command!r}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = referral_main(argv[1:])
    if code != 0:
        raise RuntimeError(f"{command!r} exited {code}")
    return f"```console\n$ {command}\n{out.getvalue().rstrip()}\n```\n"


def render(text: str) -> str:
    """README text with every command block refreshed."""
    return BLOCK.sub(lambda m: m.group(1) + run(m.group("cmd")) + m.group(4), text)


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print("README.md is out of date: run python scripts/update_readme.py")
            return 1
        print("README.md is up to date")
        return 0
    README.write_text(fresh, encoding="utf-8")
    print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
