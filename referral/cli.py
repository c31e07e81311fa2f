"""The ``referral`` command: a thin layer over the library.

Exit codes: 0 success, 1 nothing matched, 2 a usage or data error. Errors are one line on
stderr, never a traceback (set ``REFERRAL_DEBUG=1`` to see one for an internal error).
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__, _cli_data
from ._cli_data import max_bytes
from ._render import (
    Lang,
    agency_card,
    area_match_rows,
    csv_text,
    kind_label,
    label,
    render_gaps,
    render_plan,
    render_safety,
    render_what_if,
    table,
)
from .advice import advisory
from .directory import Directory
from .errors import (
    EXIT_ERROR,
    EXIT_NO_MATCH,
    EXIT_OK,
    ArgumentError,
    DataFileError,
    NoteTooLongError,
    Problem,
    ReferralError,
    UnknownAgencyError,
    UnknownAreaError,
    UsageError,
    ValidationError,
)
from .matching import MAX_NOTE_CHARS, check_confidence
from .models import Agency, Document
from .validation import load_document

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns the exit code."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}")


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _confidence(text: str) -> float:
    """An argparse type: a confidence threshold from 0 to 1."""
    try:
        return check_confidence(float(text), "--min-confidence")
    except (ValueError, ReferralError) as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if isinstance(exc, ReferralError) else f"not a number: {text[:20]!r}"
        ) from None


def _read_note_bytes(data: bytes) -> str:
    """A note piped in: UTF-8 (with or without a byte-order mark), UTF-16 with its mark, or
    Shift_JIS (cp932, as Windows writes Japanese); anything else is refused, unquoted."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ArgumentError(
        "the note on standard input is not text in UTF-8, UTF-16 or Shift_JIS "
        f"({len(data):,} bytes); save it as UTF-8"
    )


def _json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def _directory(args: argparse.Namespace) -> Directory:
    if args.data:
        return Directory.from_path(args.data, max_bytes=max_bytes(args))
    from ._cache import load_bundled  # noqa: PLC0415

    return load_bundled()


def _resolve_ward(d: Directory, text: str | None) -> str | None:
    if text is None:
        return None
    match = d.require_area(text)
    return match.area.id if match.area.kind == "ward" else match.area.parent


def _agency_row(d: Directory, ag: Agency, lang: Lang) -> list[str]:
    contact = d.contact(ag)
    phone = contact.phones[0].number if contact.phones else ""
    if phone and contact.id != ag.id:
        phone = "→" + phone  # reached through another body (contact_via)
    return [
        ag.id,
        ag.name.ja if lang == "ja" else ag.name.en,
        kind_label(ag.kind, lang),
        phone,
        label("yes" if ag.attested else "no", lang),
    ]


# -- commands ---------------------------------------------------------------------------
def cmd_agencies(args: argparse.Namespace) -> int:
    d = _directory(args)
    ward = _resolve_ward(d, args.ward)
    if args.kind and args.kind not in {a.kind for a in d.agencies}:
        d.find("", kind=args.kind)  # raises UnknownVocabularyError with a suggestion
    rows = [
        a
        for a in d.agencies
        if (ward is None or d.ward_of(a) == ward)
        and (args.kind is None or a.kind == args.kind)
        and not (args.real and (a.aggregate or a.is_meeting))
    ]
    rows.sort(key=lambda a: a.id)
    if args.json:
        _json([a.model_dump(mode="json", exclude_defaults=True) for a in rows])
    else:
        header = [label(k, args.lang) for k in ("id", "name", "kind", "phone", "attested")]
        body = [_agency_row(d, a, args.lang) for a in rows]
        _out(csv_text(header, body) if args.csv else table(header, body))
    return EXIT_OK if rows else EXIT_NO_MATCH


def cmd_show(args: argparse.Namespace) -> int:
    d = _directory(args)
    try:
        agency, others = d.agency(args.query), []
    except UnknownAgencyError:
        found = d.find(args.query, limit=6)
        if not found:
            raise
        agency, others = found[0].agency, [m.agency for m in found[1:]]
    area = d.area(agency.area)
    ward = d.area(area.parent) if area.parent and area.kind == "district" else None
    if args.json:
        _json(
            {
                "agency": agency.model_dump(mode="json", exclude_defaults=True),
                "contact": d.contact(agency).id,
                "links": [
                    lk.model_dump(mode="json", exclude_defaults=True)
                    for lk in d.links_of(agency.id)
                ],
                "other_matches": [o.id for o in others],
            }
        )
        return EXIT_OK
    links = []
    for lk in d.links_of(agency.id):
        if (lk.kind == "member_of" and lk.target != agency.id) or lk.source == agency.id:
            links.append(("→", lk.kind, d.agency(lk.target)))
        else:
            links.append(("←", lk.kind, d.agency(lk.source)))
    links.sort(key=lambda t: (t[0] != "→", t[1], t[2].id))  # outgoing first
    limit = None if args.all_links else 12
    shown = links[:limit]
    text = agency_card(
        agency,
        lang=args.lang,
        area=area,
        ward=ward,
        contact=d.contact(agency),
        links=shown,
        source_titles={s.id: s.title for s in d.document.sources},
        provenance=args.provenance,
        source_credits={s.id: s.credit for s in d.document.sources if s.credit},
    )
    if limit is not None and len(links) > limit:
        text += f"\n    … +{len(links) - limit} (--all-links)"
    if others:
        names = ", ".join(o.id for o in others[:5])
        text += f"\n{label('more', args.lang)}: {names}"
    _out(text)
    return EXIT_OK


def cmd_areas(args: argparse.Namespace) -> int:
    d = _directory(args)
    ward = _resolve_ward(d, args.ward)
    if ward is None:
        rows = [a for a in d.areas if a.kind == "ward"]
        counts = {w.id: len(d.districts(w.id)) for w in rows}
        header = [label(k, args.lang) for k in ("id", "name", "districts")]
        body = [
            [w.id, w.name.ja if args.lang == "ja" else w.name.en, str(counts[w.id])] for w in rows
        ]
    else:
        rows = list(d.districts(ward))
        header = [label(k, args.lang) for k in ("id", "name", "catchment")]
        body = [
            [
                a.id,
                a.name.ja if args.lang == "ja" else a.name.en,
                a.catchment.text if a.catchment else "",
            ]
            for a in rows
        ]
    if args.json:
        _json([a.model_dump(mode="json", exclude_defaults=True) for a in rows])
    else:
        _out(csv_text(header, body) if args.csv else table(header, body, max_width=60))
    return EXIT_OK


def cmd_where(args: argparse.Namespace) -> int:
    d = _directory(args)
    found = d.resolve_area(args.text)
    if args.json:
        _json(
            [
                m.model_dump(
                    mode="json",
                    include={
                        "area": {"id", "kind", "name", "parent"},
                        "confidence": True,
                        "reason": True,
                        "town": True,
                        "chome": True,
                    },
                )
                for m in found
            ]
        )
        return EXIT_OK if found else EXIT_NO_MATCH
    if not found:
        d.require_area(args.text)  # raises with suggestions
    header = [label(k, args.lang) for k in ("id", "name", "confidence", "reason")]
    _out(table(header, area_match_rows(found, args.lang), max_width=70))
    return EXIT_OK


def _note_text(args: argparse.Namespace) -> str:
    """The note from the arguments, or from standard input when it is ``-`` (read no
    further than the longest note accepted: whatever is piped in, the work is bounded)."""
    text = " ".join(args.text)
    if text != "-":
        return text
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream given in place of stdin (tests, embedding)
        note = sys.stdin.read(MAX_NOTE_CHARS + 1)
    else:  # bytes: the terminal's locale does not decide how a piped note is read
        note = _read_note_bytes(stream.read(4 * MAX_NOTE_CHARS + 4))
    if len(note) > MAX_NOTE_CHARS:
        raise NoteTooLongError(len(note), MAX_NOTE_CHARS, at_least=True)
    return note


def cmd_match(args: argparse.Namespace) -> int:
    d = _directory(args)
    note = _note_text(args)
    reading = d.read(note, min_confidence=args.min_confidence)
    found = list(reading.matches)
    advisories = [advisory(c) for c in reading.safety]
    if args.json:
        _json(
            {
                "matches": [m.model_dump(mode="json") for m in found],
                "weak": [m.model_dump(mode="json") for m in reading.weak],
                "advisories": [a.model_dump(mode="json") for a in advisories],
            }
            if args.full
            else [m.model_dump(mode="json") for m in found]
        )
        return EXIT_OK if found or advisories else EXIT_NO_MATCH
    if advisories:  # safety first, even on weak evidence
        _out("\n".join(render_safety(advisories, lang=args.lang)) + "\n")
    if not found:
        if not advisories:
            sys.stderr.write(label("no_concern", args.lang) + "\n")
        if reading.weak:
            names = ", ".join(
                f"{m.name.ja if args.lang == 'ja' else m.name.en} ({m.confidence:.0%})"
                for m in reading.weak[:4]
            )
            sys.stderr.write(f"{label('near', args.lang)}: {names}\n")
        return EXIT_OK if advisories else EXIT_NO_MATCH
    header = [label(k, args.lang) for k in ("concern", "confidence", "evidence")]
    rows = []
    for m in found:
        words = dict.fromkeys(f"「{e.text}」" for e in m.evidence if not e.negated)
        rows.append(
            [m.name.ja if args.lang == "ja" else m.name.en, f"{m.confidence:.0%}", " ".join(words)]
        )
    _out(table(header, rows, max_width=60))
    return EXIT_OK


def cmd_route(args: argparse.Namespace) -> int:
    d = _directory(args)
    text = _note_text(args)
    concerns = [c for c in (args.concern or []) if c]
    try:
        if concerns:  # the note, when there is one too, still speaks (its safety clues first)
            plan = d.route(
                concerns, area=args.area, age=args.age, origin_kind=args.origin, note=text or None
            )
        else:
            plan = d.route(text, area=args.area, age=args.age, origin_kind=args.origin)
    except UnknownAreaError:
        # no plan for this place (outside the city, or unknown), but safety comes first:
        # the note's advice (national numbers) is printed before the error
        clues = d.read(text).safety if text else ()
        if clues:
            advice = [advisory(c) for c in clues]
            if args.json:
                _json({"advisories": [a.model_dump(mode="json") for a in advice]})
            else:
                _out("\n".join(render_safety(advice, lang=args.lang)))
        raise
    if args.json:
        _json(plan.model_dump(mode="json"))
        return EXIT_OK
    names = {a.id: a.name for a in d.agencies}
    _out(render_plan(plan, names, lang=args.lang))
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace) -> int:
    d = _directory(args)
    ward = _resolve_ward(d, args.ward)
    lang: Lang = args.lang
    if args.what_if:
        report = d.what_if(args.what_if)
        if args.json:
            _json(report.model_dump(mode="json"))
        elif args.csv:
            _out(
                csv_text(
                    list(report.to_records()[0]) if report.losses else ["area"],
                    [list(r.values()) for r in report.to_records()],
                )
            )
        else:
            _out(render_what_if(report, d.document, lang=lang))
        return EXIT_OK
    cov = d.coverage(ward=ward)
    spof = d.single_points_of_failure(ward=ward)
    load = [x for x in d.load_concentration() if ward is None or x.ward in (ward, "")]
    health = d.data_health()
    if args.json:
        _json(
            {
                "ward": ward,
                "coverage": [a.model_dump(mode="json") for a in cov.areas],
                "share_covered": cov.share_covered(),
                "single_points_of_failure": [s.model_dump(mode="json") for s in spof],
                "load": [x.model_dump(mode="json") for x in load],
                "data_health": health.model_dump(mode="json", by_alias=True),
            }
        )
        return EXIT_OK
    if args.csv:
        records = {
            "coverage": cov.to_records(),
            "cells": cov.cell_records(),
            "spof": [r for s in spof for r in s.to_records()],
            "load": [r for x in load for r in x.to_records()],
            "health": health.to_records(),
        }[args.table]
        _out(
            csv_text(
                list(records[0]) if records else ["empty"], [list(r.values()) for r in records]
            )
        )
        return EXIT_OK
    _out(render_gaps(cov, spof, load, health, d.document, ward=ward, lang=lang))
    return EXIT_OK


def cmd_concerns(args: argparse.Namespace) -> int:
    d = _directory(args)
    if args.json:
        _json([c.model_dump(mode="json", exclude={"aliases"}) for c in d.concerns])
        return EXIT_OK
    header = [label(k, args.lang) for k in ("id", "concern", "primary")]
    rows = [
        [
            c.id,
            c.name.ja if args.lang == "ja" else c.name.en,
            "・".join(kind_label(k.kind, args.lang) for k in c.primary),
        ]
        for c in d.concerns
    ]
    _out(table(header, rows, max_width=50))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ._data import bundled_path  # noqa: PLC0415

    given = args.path or args.data
    path = given or str(bundled_path())
    shown = given or "data/agencies.json (bundled)"
    try:  # the library's own reading: the same checks, every fault at its place in the file
        doc: Document | None = load_document(path, max_bytes=max_bytes(args))
        problems: tuple[Problem, ...] = ()
        total = 0
    except ValidationError as exc:
        doc, problems, total = None, exc.problems, exc.total
    if args.json:
        _json(
            {
                "path": shown,
                "valid": doc is not None,
                "problems": [
                    {"path": p.path, "message": p.message, "code": p.code} for p in problems
                ],
            }
        )
        return EXIT_OK if doc is not None else EXIT_ERROR
    if doc is None:
        for p in problems:
            sys.stderr.write(f"{shown}: {p.path}: {p.message}\n")
        sys.stderr.write(f"{shown}: {total:,} problem{'s' if total != 1 else ''}\n")
        return EXIT_ERROR
    _out(
        f"{shown}: OK — {len(doc.agencies)} agencies, {len(doc.areas)} areas, "
        f"{len(doc.links)} links (data of {doc.data_date})"
    )
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------
_COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str, str]] = {
    "agencies": (
        cmd_agencies,
        "list agencies, by ward and kind",
        "referral agencies --ward 西区 --kind care_plaza",
    ),
    "show": (
        cmd_show,
        "show one agency by id or name, with its contact and links",
        "referral show 戸部本町",
    ),
    "areas": (
        cmd_areas,
        "list the wards, or the care plaza areas of a ward",
        "referral areas --ward 西区",
    ),
    "where": (
        cmd_where,
        "resolve a ward, care plaza, town, address or postal code to areas",
        "referral where 220-0013",
    ),
    "match": (
        cmd_match,
        "recognise the concerns in a note, safety clues first (Japanese or English; - reads "
        "standard input)",
        "referral match 隣の家がゴミ屋敷で臭い",
    ),
    "route": (
        cmd_route,
        "suggest where to route a note for a person in an area, with paths and reasons",
        "referral route 8050の世帯で息子が部屋から出てこない --area 戸部本町",
    ),
    "gaps": (
        cmd_gaps,
        "where the safety net has holes: coverage, single points of failure, load, data health",
        "referral gaps --ward 西区",
    ),
    "concerns": (
        cmd_concerns,
        "list the concerns the matcher knows, with their primary windows",
        "referral concerns --lang en",
    ),
    "validate": (
        cmd_validate,
        "check a directory file and list every problem with its path",
        "referral validate data/agencies.json",
    ),
}
_COMMANDS.update(_cli_data.COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one subcommand per library feature)."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--lang", choices=["ja", "en"], default="ja", help="language of the output (default: ja)"
    )
    common.add_argument("--json", action="store_true", help="print JSON")
    common.add_argument(
        "--data", metavar="PATH", help="use this directory file instead of the bundled one"
    )
    common.add_argument(
        "--max-mb",
        type=float,
        default=None,
        metavar="MB",
        help="read directory files up to this size (default: 64 MiB)",
    )
    parser = _Parser(prog="referral", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"referral {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text, example) in _COMMANDS.items():
        p = sub.add_parser(
            name,
            parents=[common],
            help=help_text,
            description=help_text,
            epilog=f"example: {example}",
        )
        if name in _cli_data.COMMANDS:
            _cli_data.add_arguments(name, p)
        elif name == "agencies":
            p.add_argument("--ward", help="ward name or id (e.g. 西区, nishi)")
            p.add_argument("--kind", help="kind id (e.g. care_plaza)")
            p.add_argument(
                "--real", action="store_true", help="only bodies: leave out aggregates and meetings"
            )
            p.add_argument("--csv", action="store_true", help="print CSV")
        elif name == "show":
            p.add_argument("query", metavar="ID|NAME")
            p.add_argument("--all-links", action="store_true", help="list every link")
            p.add_argument(
                "--provenance",
                action="store_true",
                help="also print the research notes and what the build derived",
            )
        elif name == "areas":
            p.add_argument("--ward", help="list this ward's care plaza areas")
            p.add_argument("--csv", action="store_true", help="print CSV")
        elif name == "where":
            p.add_argument("text", metavar="TEXT")
        elif name == "route":
            p.add_argument(
                "text", metavar="TEXT", nargs="*", help="the note (- reads standard input)"
            )
            p.add_argument(
                "--area", required=True, help="ward, care plaza, town, address or postal code"
            )
            p.add_argument("--age", type=int, help="the person's age, when known")
            p.add_argument(
                "--from",
                dest="origin",
                metavar="KIND",
                help="where the concern starts (kind id; default: the area's "
                "residents and welfare commissioners)",
            )
            p.add_argument(
                "--concern",
                action="append",
                metavar="ID",
                help="name a concern instead of (or as well as) a note; repeatable",
            )
        elif name == "gaps":
            p.add_argument("--ward", help="one ward (default: the whole city)")
            p.add_argument("--csv", action="store_true", help="print one table as CSV")
            p.add_argument(
                "--table",
                default="coverage",
                choices=["coverage", "cells", "spof", "load", "health"],
                help="which table --csv prints (default: coverage)",
            )
            p.add_argument(
                "--what-if",
                action="append",
                metavar="ID",
                help="remove this body (repeatable) and show what each area loses",
            )
        elif name == "match":
            p.add_argument("text", metavar="TEXT", nargs="+")
            p.add_argument(
                "--min-confidence",
                type=_confidence,
                default=None,
                metavar="X",
                help="report concerns at least this sure (0-1, default 0.7)",
            )
            p.add_argument(
                "--full",
                action="store_true",
                help="with --json: also the weak clues and the safety advisories",
            )
        elif name == "validate":
            p.add_argument(
                "path",
                nargs="?",
                metavar="PATH",
                help="file to check (default: the bundled directory)",
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        code = _COMMANDS[args.command][0](args)
        sys.stdout.flush()  # a full disk or a closed pipe is found here, not at exit
        return code
    except ReferralError as exc:  # each error says its exit status (see referral.errors)
        sys.stderr.write(_error_line(exc))
        return exc.exit_code
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left (| head): stop quietly
        _silence_stdout()
        return EXIT_ERROR
    except OSError as exc:
        if exc.filename is not None or exc.errno not in _OUTPUT_ERRNOS:
            raise  # a file the command opened: not the output stream
        _silence_stdout()
        sys.stderr.write(f"referral: cannot write the output: {exc.strerror or exc}\n")
        return EXIT_ERROR
    except Exception as exc:  # the CLI never shows a traceback unless asked
        if os.environ.get("REFERRAL_DEBUG"):
            raise
        sys.stderr.write(
            f"referral: internal error ({type(exc).__name__}); "
            "set REFERRAL_DEBUG=1 for details and please report it\n"
        )
        return EXIT_ERROR


def _error_line(exc: ReferralError) -> str:
    """The one line a command's error prints: a usage mistake with a pointer to the help, a
    broken file as an error, anything else as it is."""
    if isinstance(exc, UsageError):
        return f"{exc}\n(try: referral --help)\n"
    if isinstance(exc, DataFileError | ValidationError):
        return f"referral: error: {exc}\n"
    return f"referral: {exc}\n"


_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF})
"""Errors of writing standard output (a full disk, a closed descriptor), which carry no file
name, unlike those of a file a command opens."""


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's last flush of
    what could not be written raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    """The ``referral`` command: :func:`main`, then exit with its code.

    The process ends right after, so the objects it made are frozen first: the interpreter
    then skips a last full garbage collection over them (a fifth of a cold start).
    """
    code = main()
    gc.freeze()
    sys.exit(code)
