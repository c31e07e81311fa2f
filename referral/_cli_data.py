"""The data-stewardship commands: schema, export, import, edit (private; see cli.py)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import editing, interop
from ._cli_parser import Command, T
from .directory import Directory
from .errors import ArgumentError, DataError
from .models import Citation, Document, Link

__all__ = ["COMMANDS", "add_arguments", "max_bytes"]


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def max_bytes(args: argparse.Namespace) -> int | None:
    """The --max-mb limit in bytes (``None``: the default)."""
    mb = getattr(args, "max_mb", None)
    if mb is None:
        return None
    if not (mb > 0 and math.isfinite(mb)):  # inf would overflow int(), nan compares False
        raise ArgumentError(f"--max-mb must be a positive, finite number of MB, not {mb:g}")
    return max(1, int(mb * 2**20))


def _directory(args: argparse.Namespace) -> Directory:
    return (
        Directory.from_path(args.data, max_bytes=max_bytes(args)) if args.data else Directory.load()
    )


def cmd_schema(args: argparse.Namespace) -> int:
    text = interop.schema_text()
    if args.out:
        editing.atomic_write(args.out, text.encode(), mode=0o644)  # public: the format
        _out(f"wrote {args.out}")
    else:
        _out(text)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import hsds  # noqa: PLC0415 - its models load only for these commands

    if args.check_schemas:  # before writing anything: a wrong folder is a usage error
        if args.format != "hsds":
            raise ArgumentError("--check-schemas checks an HSDS export: add --format hsds")
        hsds.schema_folder(args.check_schemas)
    d = _directory(args)
    paths = d.export(args.format, args.out)
    if args.json:
        _out(
            json.dumps(
                {"format": args.format, "files": [str(p) for p in paths]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for p in paths:
            _out(f"wrote {p}")
    if args.format == "hsds" and args.check_schemas:
        errors = hsds.validate_hsds(hsds.read_hsds(Path(args.out) / "hsds"), args.check_schemas)
        for e in errors[:50]:
            sys.stderr.write(f"referral: HSDS: {e}\n")
        _out(f"HSDS 3.0 validation: {len(errors)} error(s)")
        return 2 if errors else 0
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from . import hsds  # noqa: PLC0415 - its models load only for these commands

    base = _directory(args)
    result = hsds.import_hsds(hsds.read_hsds(args.path), where=args.path)
    merged = hsds.merge_hsds(base.document, result, update=args.update)
    report: dict[str, Any] = {
        "organizations": result.organizations,
        "imported": len(merged.added) + len(merged.updated),
        "added": list(merged.added),
        "updated": list(merged.updated),
        "changes": list(merged.changes),
        "unchanged": len(merged.unchanged),
        "kept": list(merged.kept),
        "links_added": merged.links_added,
        "unmapped": list(merged.skipped),
    }
    if args.out:
        editing.save(merged.document, args.out)
        report["written"] = str(args.out)
    if args.json:
        _out(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _out(
            f"{result.organizations} organizations read: {len(merged.added)} added, "
            f"{len(merged.updated)} updated, {len(merged.unchanged)} unchanged, "
            f"{len(merged.kept)} held otherwise and not changed"
            + ("" if args.update or not merged.kept else " (--update changes them)")
            + f", {len(merged.skipped)} not imported"
            + (f"; written to {args.out}" if args.out else " (use --out to write)")
        )
        for line in merged.changes:
            _out(f"  changed: {line}")
        for line in merged.kept:
            _out(f"  not changed: {line}")
        for line in merged.skipped:
            _out(f"  not mapped: {line}")
    return 0 if merged.added or merged.updated or merged.unchanged else 1


def _value(text: str) -> Any:
    """``FIELD=VALUE``: JSON where it parses (numbers, lists, objects, null), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _change(args: argparse.Namespace) -> Callable[[Document], Document]:
    """The edit the command line asks for, as a function of the document read."""
    if args.operation == "set":
        changes = {}
        for pair in args.pairs:
            field, sep, value = pair.partition("=")
            if not sep:
                raise DataError(f"expected FIELD=VALUE, got {pair!r}")
            changes[field] = _value(value)
        return lambda old: editing.update_agency(old, args.id, **changes)
    if args.operation == "add":
        record = json.loads(Path(args.file).read_text(encoding="utf-8"))
        return lambda old: editing.add_agency(old, record, replace=args.replace)
    if args.operation == "remove":
        return lambda old: editing.remove_agency(old, args.id)
    if args.operation == "link":
        link = Link(
            source=args.source,
            target=args.target,
            kind=args.kind,
            inferred=args.inferred,
            sources=(Citation(source=args.source_id, detail=args.detail),),
        )
        return lambda old: editing.add_link(old, link)
    return lambda old: editing.remove_link(old, args.source, args.target, args.kind)


def cmd_edit(args: argparse.Namespace) -> int:
    if not args.data:
        raise DataError(
            "edit needs --data PATH: the file to change (the bundled one is "
            "built from data/sources by scripts/build_data.py)"
        )
    path = Path(args.data)
    change = _change(args)
    if args.dry_run:
        old = Directory.from_path(path, max_bytes=max_bytes(args)).document
        _out(editing.diff(old, change(old), name=path.name) or "no change")
        return 0
    # read, change and save under the file's lock: concurrent editors each keep their change
    out = editing.edit_file(path, change, out=args.out, max_bytes=max_bytes(args))
    _out(f"saved {out}")
    return 0


COMMANDS: dict[str, Command] = {
    "schema": Command(
        cmd_schema,
        (
            "データファイルの JSON Schema を表示（または書き出し）",
            "print (or write) the JSON Schema of the directory file",
        ),
        "referral schema --out data/agencies.schema.json",
    ),
    "export": Command(
        cmd_export,
        (
            "HSDS 3.0・GraphML・GEXF・CSV・GeoJSON に書き出す",
            "export to HSDS 3.0, GraphML, GEXF, CSV or GeoJSON files",
        ),
        "referral export --format hsds --out export/",
    ),
    "import": Command(
        cmd_import,
        (
            "HSDS 3.0 のデータを取り込み、対応づけられなかったものを報告",
            "read an HSDS 3.0 dataset into the directory, reporting what could not be mapped",
        ),
        "referral import --format hsds export/hsds --out new.json",
    ),
    "edit": Command(
        cmd_edit,
        (
            "データファイルを安全に変更（検証・原子的な保存。--dry-run で差分を表示）",
            "change a directory file safely (validated, atomic; --dry-run shows the diff)",
        ),
        "referral edit --data my.json set nishi.ward_office notes='checked'",
    ),
}


def add_arguments(name: str, p: argparse.ArgumentParser, t: T) -> None:
    """The arguments of one stewardship command."""
    adder = _ARGUMENTS.get(name)
    if adder is not None:
        adder(p, t)


def _schema_arguments(p: argparse.ArgumentParser, t: T) -> None:
    """``schema``: where to write it."""
    p.add_argument(
        "--out",
        metavar="FILE",
        help=t("ここにスキーマを書き出す（原子的に）", "write the schema here (atomically)"),
    )


def _export_arguments(p: argparse.ArgumentParser, t: T) -> None:
    """``export``: the format, the folder, the HSDS schemas to check against."""
    p.add_argument("--format", required=True, choices=interop.FORMATS)
    p.add_argument(
        "--out",
        default="referral-export",
        metavar="DIR",
        help=t(
            "書き出すフォルダ（既定: referral-export）",
            "folder to write into (default: referral-export)",
        ),
    )
    p.add_argument(
        "--check-schemas",
        metavar="DIR",
        help=t(
            "HSDS の書き出しを DIR の公式スキーマで検証",
            "validate the HSDS export against the official schemas in DIR",
        ),
    )


def _import_arguments(p: argparse.ArgumentParser, t: T) -> None:
    """``import``: the dataset, where to write the merge, whether to update."""
    p.add_argument("--format", required=True, choices=["hsds"])
    p.add_argument(
        "path", metavar="PATH", help=t("HSDS データのフォルダ", "folder of an HSDS dataset")
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        help=t(
            "統合したデータをここに書き出す（原子的に）",
            "write the merged directory here (atomically)",
        ),
    )
    p.add_argument(
        "--update",
        action="store_true",
        help=t(
            "すでにある機関も変更する（変更はすべて報告）",
            "change bodies the directory already holds (each change is reported)",
        ),
    )


def _edit_arguments(p: argparse.ArgumentParser, t: T) -> None:
    """``edit``: where to save, --dry-run, and one subcommand per operation."""
    p.add_argument(
        "--out",
        metavar="FILE",
        help=t("--data に上書きせずここに保存", "save here instead of over --data"),
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help=t("差分を表示し、何も書き込まない", "show the diff, write nothing"),
    )
    ops = p.add_subparsers(
        dest="operation", required=True, metavar="OPERATION", parser_class=type(p)
    )
    s = ops.add_parser(
        "set", help=t("項目を変更: ID FIELD=VALUE ...", "change fields: ID FIELD=VALUE ...")
    )
    s.add_argument("id")
    s.add_argument("pairs", nargs="+", metavar="FIELD=VALUE")
    a = ops.add_parser("add", help=t("JSON ファイルから機関を追加", "add a body from a JSON file"))
    a.add_argument("file")
    a.add_argument(
        "--replace",
        action="store_true",
        help=t("同じ ID の機関を置き換える", "replace a body with the same id"),
    )
    r = ops.add_parser("remove", help=t("機関とそのつながりを削除", "remove a body and its links"))
    r.add_argument("id")
    for op in ("link", "unlink"):
        lk = ops.add_parser(
            op,
            help=t(
                f"つながりの{'追加' if op == 'link' else '削除'}: SOURCE KIND TARGET",
                f"{op} SOURCE KIND TARGET",
            ),
        )
        lk.add_argument("source")
        lk.add_argument("kind")
        lk.add_argument("target")
        if op == "link":
            lk.add_argument(
                "--source-id",
                required=True,
                help=t("根拠とする出典の ID", "id of the source it cites"),
            )
            lk.add_argument("--detail", help=t("ページや節", "page or section"))
            lk.add_argument(
                "--inferred",
                action="store_true",
                help=t("推定したつながり", "an inferred link"),
            )


_ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser, T], None]] = {
    "schema": _schema_arguments,
    "export": _export_arguments,
    "import": _import_arguments,
    "edit": _edit_arguments,
}
"""The function adding each stewardship command's arguments."""
