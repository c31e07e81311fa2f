"""``referral records``: the consented, closed-loop referral records (private; see cli.py).

One command with one subcommand per action (``consent``, ``record``, ``list``, ``update``,
``withdraw``, ``verify``, ``purge``, ``export``, ``backup``, ``import``, ``report``, and
``grant`` for a PostgreSQL database's group roles), each on the plaza's file given by
``--db``. Bodies and concerns are named by id or by name (``新山下地域ケアプラザ``,
``ごみ屋敷``): an id, a whole name or a part of one name only, never a fuzzy match. The
records need the optional extra (``pip install 'referral[records]'``); without it each
subcommand is one line and exit status 2. No argument takes free text: ids, tokens and enums
only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from typing import Any

from ._cli_parser import Command, T
from ._lang import in_lang
from ._messages import say
from ._records_codes import DECLINE_REASONS, RECORDABLE
from ._render import table
from .errors import EXIT_ERROR, EXIT_OK, ArgumentError, MissingExtraError

__all__ = ["COMMANDS", "add_arguments", "cmd_records", "outcome_cells"]

_DONE = {
    True: ("にします（--dry-run: 未実行）", "would become"),
    False: ("にしました", "became"),
}


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _records(lang: Any) -> Any:
    """The :mod:`referral.records` module, or the error that says which extra to install."""
    try:  # the records extra is optional; import_module sees a module marked missing
        return importlib.import_module(f"{__package__}.records")
    except ImportError:
        raise MissingExtraError(say("records_needs_extra", lang)) from None


def _tell(args: argparse.Namespace, data: Any, key: str, **fields: Any) -> int:
    """Print what was done: ``data`` with ``--json``, else the message ``key``; exit 0."""
    _json(data) if args.json else _out(say(key, args.lang, **fields))
    return EXIT_OK


def _open(args: argparse.Namespace) -> Any:
    options: dict[str, Any] = {"role": args.role, "roles": _groups(args)}
    if getattr(args, "retention_months", None) is not None:
        options["retention_months"] = args.retention_months
    if args.no_response_days is not None:
        options["no_response_days"] = args.no_response_days
    return _records(args.lang).Records.open(args.db, **options)


def _groups(args: argparse.Namespace) -> Any:
    """The PostgreSQL group roles named by ``--role-prefix`` (None: the default names)."""
    prefix = getattr(args, "role_prefix", None)
    if prefix is None:
        return None
    return _records(args.lang).GroupRoles.with_prefix(prefix)


def outcome_cells(path: str, lang: Any, ward: str | None = None) -> list[Any]:
    """The outcome report of the records file ``path`` (``--records`` of route and gaps):
    only the cells of ``ward`` (an id or a name) when one is given, filtered in the database.
    """
    with _records(lang).Records.open(path, role="auditor") as r:
        return list(r.report(ward=ward))


def _consent(r: Any, args: argparse.Namespace) -> int:
    scope = r.give_consent(form=args.form)
    return _tell(args, {"scope": scope}, "records_consent", scope=scope)


def _record(r: Any, args: argparse.Namespace) -> int:
    from . import _cli_names  # noqa: PLC0415 - loads the directory only when recording
    from .directory import Directory  # noqa: PLC0415

    d = Directory.load()
    body = _cli_names.exact_agency(d, args.agency)
    concerns = [_cli_names.concern_id(d, c) for c in args.concerns]
    rid = r.record(body.id, concerns, basis=args.basis, scope=args.scope, household=args.household)
    named = f"{body.name.get(args.lang)} ({body.id})"
    data = {"id": rid, "agency": body.id, "concerns": concerns}
    return _tell(args, data, "records_recorded", id=rid, agency=named)


def _list(r: Any, args: argparse.Namespace) -> int:
    found = r.referrals() if args.all else r.open_referrals()
    if args.json:
        _json([x.model_dump(mode="json") for x in found])
    else:
        names = r.agency_names(args.lang)
        header = ["id", "agency", "concerns", "basis", "status", "reason", "updated_at"]
        rows = [
            [
                x.id,
                names.get(x.agency, x.agency),
                ",".join(x.concerns),
                x.basis,
                x.status,
                x.reason or "",
                x.updated_at,
            ]
            for x in found
        ]
        _out(table(header, [[str(v) for v in row] for row in rows], max_width=40))
    return EXIT_OK if found else 1


def _update(r: Any, args: argparse.Namespace) -> int:
    r.update(args.id, args.status, args.reason)
    data = {"id": args.id, "status": args.status, "reason": args.reason}
    return _tell(args, data, "records_updated", id=args.id, status=args.status)


def _withdraw(r: Any, args: argparse.Namespace) -> int:
    closed = r.withdraw_consent(args.scope)
    return _tell(args, {"closed": closed}, "records_withdrawn", n=len(closed))


def _verify(r: Any, args: argparse.Namespace) -> int:
    report = r.verify()
    if args.json:
        _json(report.model_dump(mode="json") | {"ok": report.ok})
    elif report.ok:
        _out(say("records_verified", args.lang, referrals=report.referrals, events=report.events))
    for b in report.broken if not args.json else ():
        sys.stderr.write(
            say("records_broken", args.lang, referral=b.referral, seq=b.seq, problem=b.problem)
            + "\n"
        )
    return EXIT_OK if report.ok else EXIT_ERROR


def _purge(r: Any, args: argparse.Namespace) -> int:
    report = r.purge(dry_run=args.dry_run)
    if args.json:
        _json(report.model_dump(mode="json"))
    else:
        done = in_lang(args.lang, *_DONE[args.dry_run])
        _out(
            say(
                "records_purge",
                args.lang,
                cutoff=report.cutoff.date(),
                referrals=report.referrals,
                events=report.events,
                facts=report.facts,
                done=done,
            )
        )
        if report.not_vacuumed:
            tables = ", ".join(report.not_vacuumed)
            sys.stderr.write(say("records_not_vacuumed", args.lang, tables=tables) + "\n")
    return EXIT_OK


def _show_grants(statements: list[str], args: argparse.Namespace) -> int:
    if args.json:
        _json({"statements": statements})
    else:
        _out("\n".join(f"{sql};" for sql in statements))
    return EXIT_OK


def _grant(r: Any, args: argparse.Namespace) -> int:
    return _show_grants(r.grant_roles(_groups(args)), args)


def _print_grants(args: argparse.Namespace) -> int:
    """``grant --print``: the SQL, for the database's administrator; nothing is connected."""
    grant_statements = _records(args.lang).grant_statements
    from ._records_roles import SQLITE_HAS_NO_ROLES  # noqa: PLC0415 - loaded by records
    from ._records_store import is_url  # noqa: PLC0415

    if not is_url(args.db):
        raise ArgumentError(SQLITE_HAS_NO_ROLES)
    return _show_grants(grant_statements(_groups(args)), args)


def _export(r: Any, args: argparse.Namespace) -> int:
    n = r.export(args.path, include_meeting=args.include_meeting, format=args.format)
    fhir = args.format == "fhir"
    data = {"path": args.path, "tasks" if fhir else "lines": n}
    key = "records_exported_fhir" if fhir else "records_exported"
    return _tell(args, data, key, path=args.path, n=n)


def _backup(r: Any, args: argparse.Namespace) -> int:
    n = r.backup(args.path)
    return _tell(args, {"path": args.path, "referrals": n}, "records_backup", path=args.path, n=n)


def _import(r: Any, args: argparse.Namespace) -> int:
    n = r.import_(args.path)
    return _tell(args, {"imported": n}, "records_imported", n=n)


def _report(r: Any, args: argparse.Namespace) -> int:
    from ._records_report import rows  # noqa: PLC0415 - the records extra is optional

    cells = r.report(ward=args.ward)
    if args.json:
        _json([c.model_dump(mode="json") for c in cells])
    else:
        header = [
            "agency",
            "concern",
            "ward",
            "referred",
            "accepted",
            "served",
            "declined",
            "no_response",
            "median_days",
            "no_response_rate (95%)",
        ]
        _out(table(header, [[str(v) for v in row] for row in rows(cells)], max_width=40))
    return EXIT_OK if cells else 1


_ACTIONS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "consent": _consent,
    "record": _record,
    "list": _list,
    "update": _update,
    "withdraw": _withdraw,
    "verify": _verify,
    "purge": _purge,
    "export": _export,
    "backup": _backup,
    "import": _import,
    "report": _report,
    "grant": _grant,
}


def cmd_records(args: argparse.Namespace) -> int:
    if args.action == "grant" and args.print:
        return _print_grants(args)
    records = _open(args)
    try:
        return _ACTIONS[args.action](records, args)
    finally:
        records.close()


COMMANDS: dict[str, Command] = {
    "records": Command(
        cmd_records,
        (
            "つなぎの記録（同意・結果・検証・保存期間・書き出し。pip install 'referral[records]' "
            "が必要。メモは保存しません）",
            "consented, closed-loop referral records (needs pip install 'referral[records]'; "
            "a note is never stored)",
        ),
        "referral records list --db plaza.sqlite",
    )
}


def _shared(t: T) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--db",
        required=True,
        metavar="FILE|URL",
        help=t(
            "地域ケアプラザの記録ファイル（SQLite）、または区・市の PostgreSQL の URL"
            "（postgresql+psycopg://…、pip install 'referral[postgres]' が必要）",
            "the plaza's records file (SQLite), or a ward's or the city's PostgreSQL URL "
            "(postgresql+psycopg://..., needs pip install 'referral[postgres]')",
        ),
    )
    p.add_argument(
        "--role",
        choices=["coordinator", "member", "auditor", "system"],
        default="coordinator",
        help=t(
            "操作する人の役割（既定: coordinator。PostgreSQL でグループロールを設定済みなら、"
            "ログインがそのロールの構成員か確かめます）",
            "the role acting (default: coordinator; on PostgreSQL with the group roles set "
            "up, the login must be a member of the role's group)",
        ),
    )
    p.add_argument(
        "--role-prefix",
        metavar="PREFIX",
        default=None,
        help=t(
            "PostgreSQL のグループロール名の接頭辞（既定: referral → referral_app など）",
            "the prefix of the PostgreSQL group roles (default: referral → referral_app, ...)",
        ),
    )
    p.add_argument(
        "--no-response-days",
        type=int,
        default=None,
        metavar="N",
        help=t(
            "この日数だれも応じないつなぎを「応答なし」にする（既定 30）",
            "days after which an unanswered referral becomes no_response (default 30)",
        ),
    )
    p.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help=t("JSON で出力", "print JSON"),
    )
    p.add_argument(
        "--lang",
        choices=["ja", "en"],
        default=argparse.SUPPRESS,
        help=t("出力の言語（既定: ja）", "language of the output (default: ja)"),
    )
    return p


def add_arguments(name: str, p: argparse.ArgumentParser, t: T) -> None:
    """The subcommands of ``records`` and their arguments."""
    shared = [_shared(t)]
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=type(p))

    def add(action: str, ja: str, en: str) -> argparse.ArgumentParser:
        return actions.add_parser(action, parents=shared, help=t(ja, en), description=t(ja, en))

    add(
        "consent", "同意を記録し、その範囲トークンを示す", "record a consent, print its scope"
    ).add_argument(
        "--form", choices=["written", "verbal"], default="written", help=t("同意の形", "how given")
    )
    r = add(
        "record",
        "つなぎを記録（機関と懸念: ID または名前。例: 新山下地域ケアプラザ ごみ屋敷）",
        "record a referral (agency and concerns: ids or names)",
    )
    r.add_argument("agency", metavar="AGENCY")
    r.add_argument("concerns", metavar="CONCERN", nargs="+")
    r.add_argument("--basis", required=True, choices=["consent", "meeting_106_6"])
    r.add_argument("--scope", metavar="TOKEN", help=t("同意の範囲トークン", "the consent's scope"))
    r.add_argument(
        "--household", metavar="TOKEN", help=t("世帯のトークン", "the household's token")
    )
    add("list", "閉じていないつなぎの一覧", "list the open referrals").add_argument(
        "--all", action="store_true", help=t("閉じたものも含める", "include closed ones")
    )
    u = add("update", "つなぎの状態を記録", "record a referral's new status")
    u.add_argument("id", metavar="REFERRAL_ID")
    u.add_argument("status", choices=RECORDABLE)
    u.add_argument(
        "--reason", choices=DECLINE_REASONS, help=t("断られた理由", "why it was declined")
    )
    add("withdraw", "同意を撤回（その範囲のつなぎを閉じる）", "withdraw a consent").add_argument(
        "scope", metavar="SCOPE"
    )
    add("verify", "ハッシュの連鎖を検証", "check every hash chain")
    pg = add("purge", "保存期間を過ぎた記録を匿名の結果に", "reduce old records to outcome facts")
    pg.add_argument("--dry-run", action="store_true", help=t("件数だけ示す", "counts only"))
    pg.add_argument(
        "--retention-months",
        type=int,
        default=None,
        metavar="N",
        help=t("保存期間（月、既定 24）", "retention in months (default 24)"),
    )
    e = add(
        "export",
        "書き出す（JSON Lines: ハッシュつき・取り込み用／fhir: FHIR R4 の Task の Bundle）",
        "export (JSON lines with hashes, to import; or fhir: a FHIR R4 Bundle of Tasks)",
    )
    e.add_argument("path", metavar="FILE")
    e.add_argument(
        "--format",
        choices=["jsonl", "fhir"],
        default="jsonl",
        help=t("書き出しの形式（既定: jsonl）", "the format (default: jsonl)"),
    )
    e.add_argument(
        "--include-meeting",
        action="store_true",
        help=t("支援会議の記録も（会議の構成員のみ）", "include support-meeting records (members)"),
    )
    add(
        "backup",
        "使用中の記録ファイルを安全に複製（SQLite。PostgreSQL は pg_dump）",
        "copy the records file while in use (SQLite; PostgreSQL: pg_dump)",
    ).add_argument("path", metavar="FILE")
    add("import", "書き出した記録を取り込む", "import exported records").add_argument(
        "path", metavar="FILE"
    )
    add(
        "report", "結果からみた支援の穴（5件未満は伏せる）", "outcomes per body, concern and ward"
    ).add_argument(
        "--ward",
        metavar="WARD",
        help=t("この区だけ（ID か名前: nishi, 西区）", "this ward only (id or name: nishi, 西区)"),
    )
    add(
        "grant",
        "PostgreSQL のグループロールを作り、必要な権限だけを与える（テーブルの所有者として）",
        "create the PostgreSQL group roles and grant each only what it needs (as the owner)",
    ).add_argument(
        "--print",
        action="store_true",
        help=t(
            "実行せず SQL を表示（管理者に渡す）",
            "print the SQL instead of running it (for the administrator)",
        ),
    )
