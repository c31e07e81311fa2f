"""The output options every record-printing command shares (private; see cli.py).

``--json`` (one array), ``--nl`` (one JSON object a line), ``--csv`` and ``--tsv`` (with
``--bom`` for Excel in Japanese), else an aligned table: one function, :func:`emit`, prints
records in whichever the user chose, as sqlite-utils does.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._messages import Lang, say
from ._render import csv_text, spreadsheet_cell, table
from .errors import ArgumentError

__all__ = ["FORMATS", "add_output_options", "chosen_format", "emit", "write"]

FORMATS = ("json", "nl", "csv", "tsv")
"""The machine formats, by their option name (the table is the default)."""

BOM = "\ufeff"


def add_output_options(p: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    """Add ``--nl``, ``--csv``, ``--tsv`` and ``--bom`` (``--json`` every command has)."""
    p.add_argument("--nl", action="store_true", help=t("1行に1件の JSON", "newline-delimited JSON"))
    p.add_argument("--csv", action="store_true", help=t("CSV で出力", "print CSV"))
    p.add_argument("--tsv", action="store_true", help=t("TSV（タブ区切り）で出力", "print TSV"))
    p.add_argument(
        "--bom",
        action="store_true",
        help=t(
            "CSV・TSV の先頭に BOM を付ける（日本語の Excel で開くとき）",
            "start CSV or TSV with a UTF-8 byte-order mark (for Excel)",
        ),
    )


def chosen_format(args: argparse.Namespace) -> str | None:
    """The machine format asked for (``None``: the table); two at once is a usage error."""
    given = [f for f in FORMATS if getattr(args, f, False)]
    lang: Lang = getattr(args, "lang", "ja")
    if len(given) > 1:
        raise ArgumentError(say("one_format", lang, given=", ".join(f"--{f}" for f in given)))
    if getattr(args, "bom", False) and (not given or given[0] not in ("csv", "tsv")):
        raise ArgumentError(say("bom_needs_csv", lang))
    return given[0] if given else None


def write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _tsv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow([spreadsheet_cell(h) for h in header])
    writer.writerows([spreadsheet_cell(c) for c in row] for row in rows)
    return buf.getvalue()


def emit(
    args: argparse.Namespace,
    records: Sequence[Any],
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_width: int = 48,
) -> None:
    """Print ``records`` (JSON-ready values) as JSON or newline-delimited JSON, or ``rows``
    under ``header`` as CSV, TSV or a table, as the options ask.
    """
    fmt = chosen_format(args)
    if fmt == "json":
        write(json.dumps(list(records), ensure_ascii=False, indent=2))
    elif fmt == "nl":
        for r in records:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt in ("csv", "tsv"):
        text = csv_text(header, rows) if fmt == "csv" else _tsv(header, rows)
        sys.stdout.write((BOM if args.bom else "") + text)
    else:
        write(table(header, rows, max_width=max_width))
