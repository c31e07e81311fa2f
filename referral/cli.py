"""The ``referral`` command: a thin layer over the library.

Exit codes: 0 success, 1 nothing matched, 2 a usage or data error. Errors are one line on
stderr in the language asked for (Japanese unless ``--lang en``), never a traceback (set
``REFERRAL_DEBUG=1`` to see one for an internal error); with ``--json`` the error is also
printed on stdout as ``{"error": {"code": ..., "message": ..., "exit": ...}}``.

A command is added in one place: a row of :data:`_COMMANDS` (its function, its help in
Japanese and English, an example, whether it prints records) and its arguments in
:mod:`referral._cli_parser` (or :mod:`referral._cli_data` for the data-stewardship ones).
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__, _cli_data, _cli_names, _cli_records, _cli_serve, _cli_tables
from ._cli_data import max_bytes
from ._cli_errors import error_object, localise, usage_message
from ._cli_output import chosen_format, emit
from ._cli_parser import (
    Command,
    add_command_arguments,
    add_common,
    argv_lang,
    complete,
    help_lang,
    localise_parser,
)
from ._cli_tables import directory as _directory
from ._lang import in_lang
from ._messages import Lang, label, say
from ._render import (
    agency_card,
    render_brief,
    render_plan,
    render_safety,
    suggestion_rows,
)
from .advice import advisory
from .errors import (
    EXIT_ERROR,
    EXIT_NO_MATCH,
    EXIT_OK,
    ArgumentError,
    DataFileError,
    NoteTooLongError,
    Problem,
    ReferralError,
    UnknownAreaError,
    UsageError,
    ValidationError,
)
from .matching import MAX_NOTE_CHARS, check_confidence
from .models import Document
from .validation import load_document

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` returns the exit code; its
    message is in the language asked for and points to this command's help.
    """

    error_lang: Lang = "ja"

    def error(self, message: str) -> Any:
        hint = say("usage_hint", self.error_lang, prog=self.prog)
        raise UsageError(f"{self.prog}: {usage_message(message, self.error_lang)}\n{hint}")


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
    Shift_JIS (cp932, as Windows writes Japanese); anything else is refused, unquoted.
    """
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


# -- commands ---------------------------------------------------------------------------
def cmd_show(args: argparse.Namespace) -> int:
    d = _directory(args)
    agency, others = _cli_names.agency(d, args.query)
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


def _note_text(args: argparse.Namespace) -> str:
    """The note from the arguments, or from standard input when it is ``-`` (read no
    further than the longest note accepted: whatever is piped in, the work is bounded).
    """
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
    fmt = chosen_format(args)
    if fmt == "json" and args.full:
        _json(
            {
                "matches": [m.model_dump(mode="json") for m in found],
                "weak": [m.model_dump(mode="json") for m in reading.weak],
                "advisories": [a.model_dump(mode="json") for a in advisories],
            }
        )
        return EXIT_OK if found or advisories else EXIT_NO_MATCH
    if fmt:
        emit(args, [m.model_dump(mode="json") for m in found], *_match_table(found, args.lang))
        return EXIT_OK if found or advisories else EXIT_NO_MATCH
    if advisories:  # safety first, even on weak evidence
        _out("\n".join(render_safety(advisories, lang=args.lang)) + "\n")
    if not found:
        if not advisories:
            sys.stderr.write(label("no_concern", args.lang) + "\n")
        if reading.weak:
            names = ", ".join(
                f"{m.name.get(args.lang)} ({m.confidence:.0%})" for m in reading.weak[:4]
            )
            sys.stderr.write(f"{label('near', args.lang)}: {names}\n")
        return EXIT_OK if advisories else EXIT_NO_MATCH
    emit(args, [], *_match_table(found, args.lang), max_width=60)
    return EXIT_OK


def _match_table(found: Sequence[Any], lang: Lang) -> tuple[list[str], list[list[str]]]:
    header = [label(k, lang) for k in ("concern", "confidence", "evidence")]
    rows = []
    for m in found:
        words = dict.fromkeys(f"「{e.text}」" for e in m.evidence if not e.negated)
        rows.append([m.name.get(lang), f"{m.confidence:.0%}", " ".join(words)])
    return header, rows


def _plan(args: argparse.Namespace) -> tuple[Any, Any]:
    """The directory and the plan the route command asks for."""
    d = _directory(args)
    text = _note_text(args)
    concerns = [_cli_names.concern_id(d, c) for c in (args.concern or []) if c]
    origin = _cli_names.kind_id(args.origin) if args.origin else None
    if args.top is not None and args.top < 1:
        raise ArgumentError(f"--top must be at least 1, not {args.top}")
    try:
        if concerns:  # the note, when there is one too, still speaks (its safety clues first)
            plan = d.route(
                concerns, area=args.area, age=args.age, origin_kind=origin, note=text or None
            )
        else:
            plan = d.route(text, area=args.area, age=args.age, origin_kind=origin)
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
    if args.top is not None:
        plan = plan.model_copy(update={"suggestions": plan.suggestions[: args.top]})
    if args.records:
        from ._records_explain import with_outcomes  # noqa: PLC0415

        plan = with_outcomes(plan, _cli_records.outcome_cells(args.records, args.lang))
    return d, plan


def cmd_route(args: argparse.Namespace) -> int:
    fmt = chosen_format(args)
    if args.brief and fmt:
        raise ArgumentError(say("brief_json", args.lang))
    d, plan = _plan(args)
    if fmt == "json":
        _json(plan.model_dump(mode="json"))
    elif fmt:
        rows = suggestion_rows(plan, lang=args.lang)
        keys = ("rank", "role", "id", "name", "phone", "concerns")
        emit(args, [dict(zip(keys, r, strict=True)) for r in rows], keys, rows)
    elif args.brief:
        _out(render_brief(plan, lang=args.lang))
    else:
        _out(render_plan(plan, {a.id: a.name for a in d.agencies}, lang=args.lang))
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


# -- the command table and the parser ------------------------------------------------------
_COMMANDS: dict[str, Command] = {
    "agencies": Command(
        _cli_tables.cmd_agencies,
        ("機関の一覧（区・種別で絞り込み）", "list agencies, by ward and kind"),
        "referral agencies --ward 西区 --kind 地域ケアプラザ",
        records=True,
    ),
    "show": Command(
        cmd_show,
        (
            "一つの機関を ID か名称で表示（連絡先・つながりつき）",
            "show one agency by id or name, with its contact and links",
        ),
        "referral show 戸部本町",
    ),
    "areas": Command(
        _cli_tables.cmd_areas,
        (
            "区の一覧、または区の地域ケアプラザ圏域の一覧",
            "list the wards, or the care plaza areas of a ward",
        ),
        "referral areas --ward 西区",
        records=True,
    ),
    "where": Command(
        _cli_tables.cmd_where,
        (
            "区・地域ケアプラザ・町名・住所・郵便番号から圏域を調べる",
            "resolve a ward, care plaza, town, address or postal code to areas",
        ),
        "referral where 220-0013",
        records=True,
    ),
    "match": Command(
        cmd_match,
        (
            "メモから懸念を読み取る（安全上の手がかりを最優先。日本語・英語。- で標準入力）",
            "recognise the concerns in a note, safety clues first (Japanese or English; - reads "
            "standard input)",
        ),
        "referral match 隣の家がゴミ屋敷で臭い",
        records=True,
    ),
    "route": Command(
        cmd_route,
        (
            "メモと地域から、つなぎ先を経路と理由つきで示す",
            "suggest where to route a note for a person in an area, with paths and reasons",
        ),
        "referral route 8050の世帯で息子が部屋から出てこない --area 戸部本町",
        records=True,
    ),
    "gaps": Command(
        _cli_tables.cmd_gaps,
        (
            "支援の網の穴: カバー状況・単一障害点・負荷・データの健全性",
            "where the safety net has holes: coverage, single points of failure, load, data health",
        ),
        "referral gaps --ward 西区",
        records=True,
    ),
    "concerns": Command(
        _cli_tables.cmd_concerns,
        (
            "読み取れる懸念と一次窓口の一覧",
            "list the concerns the matcher knows, with their primary windows",
        ),
        "referral concerns --lang en",
        records=True,
    ),
    "validate": Command(
        cmd_validate,
        (
            "データファイルを検査し、問題をすべて場所つきで示す",
            "check a directory file and list every problem with its path",
        ),
        "referral validate data/agencies.json",
    ),
}
_COMMANDS.update(_cli_data.COMMANDS)
_COMMANDS["kinds"] = Command(
    _cli_tables.cmd_kinds,
    (
        "機関の種別の一覧（名称・圏域・データ中の件数）",
        "list the kinds of body (labels, tier, count in the data)",
    ),
    "referral kinds --csv --bom",
    records=True,
)
_COMMANDS.update(_cli_records.COMMANDS)
_COMMANDS["serve"] = Command(
    _cli_serve.cmd_serve,
    (
        "相談メモの画面をブラウザで開く（この端末だけ。pip install 'referral[web]' が必要）",
        "open the coordinators' web page on this machine (needs pip install 'referral[web]')",
    ),
    "referral serve --port 8000",
    runs_forever=True,
)


def build_parser(lang: Lang = "ja") -> argparse.ArgumentParser:
    """The argument parser (one subcommand per library feature), its help in ``lang``."""

    def t(japanese: str, english: str) -> str:
        return in_lang(lang, japanese, english)

    common = _Parser(add_help=False)
    add_common(common, t)
    description = t(
        "referral: 相談メモを横浜市の福祉の支援ネットワークのつなぎ先へ（緊急時は110・119、"
        "児童相談所は189）",
        __doc__.splitlines()[0] if __doc__ else "",
    )
    parser = _Parser(prog="referral", description=description, add_help=False)
    localise_parser(parser, lang, version=f"referral {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title=t("コマンド", "commands")
    )
    for name, command in _COMMANDS.items():
        help_text = t(*command.help)
        p = sub.add_parser(
            name,
            parents=[common],
            help=help_text,
            description=help_text,
            epilog=t("例", "example") + f": {command.example}",
            add_help=False,
        )
        localise_parser(p, lang)
        if name in _cli_data.COMMANDS:
            _cli_data.add_arguments(name, p, t)
        elif name in _cli_records.COMMANDS:
            _cli_records.add_arguments(name, p, t)
        else:
            add_command_arguments(name, command, p, t, _confidence)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; a usage error is worded in the ``--lang`` given (else Japanese), and
    with ``--json`` is also printed as a JSON error object.
    """
    _Parser.error_lang = argv_lang(argv) or "ja"
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        if "--json" in argv:
            _json(error_object(exc, EXIT_ERROR))
        raise


def _run(args: argparse.Namespace) -> int:
    """Run the command; an error the library raises is worded again in ``--lang`` (and, with
    ``--json``, printed as a JSON error object) before ``main`` reports it.
    """
    try:
        return _COMMANDS[args.command].run(args)
    except ReferralError as exc:
        lang: Lang = getattr(args, "lang", "ja")
        if not isinstance(exc, DataFileError | ValidationError):
            localise(exc, lang)
        if getattr(args, "json", False):
            _json(error_object(exc, exc.exit_code))
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    argv = list(argv) if argv is not None else sys.argv[1:]
    parser = build_parser(help_lang(argv))
    complete(parser)  # a shell's tab completion answers and exits here
    try:
        args = _parse(parser, argv)
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        code = _run(args)
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
    """The one line a command's error prints: a usage mistake as the parser words it (with a
    pointer to the command's help), a broken file as an error, anything else as it is.
    """
    if isinstance(exc, UsageError):
        return f"{exc}\n"
    if isinstance(exc, DataFileError | ValidationError):
        return f"referral: error: {exc}\n"
    return f"referral: {exc}\n"


_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF})
"""Errors of writing standard output (a full disk, a closed descriptor), which carry no file
name, unlike those of a file a command opens."""


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's last flush of
    what could not be written raises nothing more.
    """
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
