"""The argument parser of the ``referral`` command, in Japanese or English (private).

Help is Japanese by default; English with ``--lang en``, or when the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``) starts with ``en``. Each command's arguments are declared once,
with their help in both languages (``t(ja, en)``); commands that print records take the
shared output options (:mod:`referral._cli_output`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ._cli_output import add_output_options
from ._lang import in_lang
from ._messages import Lang, label

__all__ = [
    "Command",
    "add_command_arguments",
    "add_common",
    "argv_lang",
    "complete",
    "help_lang",
    "localise_parser",
]

T = Callable[[str, str], str]


class Command(NamedTuple):
    """One row of the command table: what runs, its help (ja, en), an example, whether it
    prints records (then it takes ``--nl``, ``--csv``, ``--tsv`` and ``--bom``), and whether
    it runs until stopped (``serve``: a server; the fuzzer leaves such commands out and tests
    them apart, since a call that starts one does not return).
    """

    run: Callable[[argparse.Namespace], int]
    help: tuple[str, str]
    example: str
    records: bool = False
    runs_forever: bool = False


def argv_lang(argv: Sequence[str]) -> Lang | None:
    """The ``--lang`` given on the command line, if any (the last one wins, as argparse's)."""
    found: Lang | None = None
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg[7:]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in ("ja", "en"):
            found = "en" if value == "en" else "ja"
    return found


def help_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Lang:
    """The language of help: ``--lang``, else the locale's, else Japanese."""
    given = argv_lang(argv)
    if given:
        return given
    env = os.environ if environ is None else environ
    locale = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    return "en" if locale.startswith("en") else "ja"


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer a shell's tab completion and exit, when the shell asks (``_ARGCOMPLETE`` is
    set by ``register-python-argcomplete referral``) and the optional ``argcomplete`` is
    installed (``pip install "referral[completion]"``); otherwise do nothing, at the cost of
    one look-up in the environment.
    """
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete  # noqa: PLC0415 (optional, and only needed while completing)
    except ImportError:
        return
    argcomplete.autocomplete(parser)


class _Formatter(argparse.HelpFormatter):
    usage_prefix = "usage: "

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, self.usage_prefix if prefix is None else prefix)


class _JapaneseFormatter(_Formatter):
    usage_prefix = "使い方: "


def localise_parser(p: argparse.ArgumentParser, lang: Lang, *, version: str = "") -> None:
    """Help titles, ``-h`` and ``--version`` in ``lang`` (argparse's own words are English)."""
    p.formatter_class = in_lang(lang, _JapaneseFormatter, _Formatter)
    p._positionals.title = label("help_positionals", lang)
    p._optionals.title = label("help_options", lang)
    p.add_argument("-h", "--help", action="help", help=label("help_help", lang))
    if version:
        p.add_argument(
            "--version",
            action="version",
            version=version,
            help=label("help_version", lang),
        )


def add_common(common: argparse.ArgumentParser, t: T) -> None:
    """The options every command takes."""
    common.add_argument(
        "--lang",
        choices=["ja", "en"],
        default="ja",
        help=t("出力の言語（既定: ja）", "language of the output (default: ja)"),
    )
    common.add_argument("--json", action="store_true", help=t("JSON で出力", "print JSON"))
    common.add_argument(
        "--data",
        metavar="PATH",
        help=t(
            "同梱のデータの代わりにこのファイルを使う",
            "use this directory file instead of the bundled one",
        ),
    )
    common.add_argument(
        "--max-mb",
        type=float,
        default=None,
        metavar="MB",
        help=t(
            "この大きさまでのデータファイルを読む（既定: 64 MiB）",
            "read directory files up to this size (default: 64 MiB)",
        ),
    )


def add_command_arguments(
    name: str, command: Command, p: argparse.ArgumentParser, t: T, confidence: Any
) -> None:
    """The arguments of one command (``confidence``: the argparse type of --min-confidence)."""
    if command.records:
        add_output_options(p, t)
    add = _ARGUMENTS.get(name)
    if add is not None:
        add(p, t)
    if name == "match":
        p.add_argument(
            "--min-confidence",
            type=confidence,
            default=None,
            metavar="X",
            help=t(
                "この確からしさ以上の懸念を示す（0〜1、既定 0.7）",
                "report concerns at least this sure (0-1, default 0.7)",
            ),
        )


def _ward(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "--ward", help=t("区の名前か ID（例: 西区, nishi）", "ward name or id (e.g. 西区, nishi)")
    )


def _agencies(p: argparse.ArgumentParser, t: T) -> None:
    _ward(p, t)
    p.add_argument(
        "--kind",
        help=t(
            "種別の名前か ID（例: 地域ケアプラザ, care_plaza）",
            "kind name or id (e.g. 地域ケアプラザ, care_plaza)",
        ),
    )
    p.add_argument(
        "--real",
        action="store_true",
        help=t("集約ノードと会議を除く", "only bodies: leave out aggregates and meetings"),
    )


def _show(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument("query", metavar="ID|NAME", help=t("機関の ID か名称", "an agency's id or name"))
    p.add_argument(
        "--all-links", action="store_true", help=t("つながりをすべて表示", "list every link")
    )
    p.add_argument(
        "--provenance",
        action="store_true",
        help=t(
            "調査メモと補完した項目も表示",
            "also print the research notes and what the build derived",
        ),
    )


def _areas(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "--ward", help=t("この区の地域ケアプラザ圏域を一覧", "list this ward's care plaza areas")
    )


def _where(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "text",
        metavar="TEXT",
        help=t("区・町名・住所・郵便番号", "a ward, town, address or postal code"),
    )


def _records_option(p: argparse.ArgumentParser, t: T, ja: str, en: str) -> None:
    p.add_argument(
        "--records",
        metavar="DB",
        help=t(
            f"つなぎの記録ファイル（SQLite）から{ja}（pip install 'referral[records]' が必要）",
            f"{en} from a referral records file (SQLite; needs pip install 'referral[records]')",
        ),
    )


def _route(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "text",
        metavar="TEXT",
        nargs="*",
        help=t("相談メモ（- で標準入力）", "the note (- reads standard input)"),
    )
    p.add_argument(
        "--area",
        required=True,
        help=t(
            "区・地域ケアプラザ・町名・住所・郵便番号",
            "ward, care plaza, town, address or postal code",
        ),
    )
    p.add_argument(
        "--age", type=int, help=t("本人の年齢（分かれば）", "the person's age, when known")
    )
    p.add_argument(
        "--from",
        dest="origin",
        metavar="KIND",
        help=t(
            "相談の起点の種別（名前か ID。既定: 地域の住民と民生委員）",
            "where the concern starts (kind name or id; default: the area's residents and "
            "welfare commissioners)",
        ),
    )
    p.add_argument(
        "--concern",
        action="append",
        metavar="NAME",
        help=t(
            "メモの代わりに（または加えて）懸念を名前か ID で指定（繰り返し可）",
            "name a concern (name or id) instead of, or as well as, a note; repeatable",
        ),
    )
    p.add_argument(
        "--brief",
        action="store_true",
        help=t("つなぎ先ごとに1行（電話番号つき）", "one line per suggested body, with its phone"),
    )
    p.add_argument(
        "--top",
        type=int,
        metavar="N",
        help=t("上位 N 件のつなぎ先だけを表示", "show only the first N suggestions"),
    )
    _records_option(p, t, "各機関の応答の実績を理由に添える", "add each body's observed answers")


def _gaps(p: argparse.ArgumentParser, t: T) -> None:
    _records_option(p, t, "つなぎの結果の節を加える", "add the referral outcomes section")
    p.add_argument(
        "--ward", help=t("一つの区（既定: 市全域）", "one ward (default: the whole city)")
    )
    p.add_argument(
        "--table",
        default="coverage",
        choices=["coverage", "cells", "spof", "load", "health"],
        help=t(
            "--csv などで出力する表（既定: coverage）",
            "which table --csv, --tsv or --nl prints (default: coverage)",
        ),
    )
    p.add_argument(
        "--what-if",
        action="append",
        metavar="NAME",
        help=t(
            "この機関（名称か ID、繰り返し可）を除いたとき各圏域が失うもの",
            "remove this body (name or id; repeatable) and show what each area loses",
        ),
    )


def _match(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "text",
        metavar="TEXT",
        nargs="+",
        help=t("相談メモ（- で標準入力）", "the note (- reads standard input)"),
    )
    p.add_argument(
        "--full",
        action="store_true",
        help=t(
            "--json で弱い手がかりと安全上の注意も",
            "with --json: also the weak clues and the safety advisories",
        ),
    )


def _validate(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help=t(
            "検査するファイル（既定: 同梱のデータ）",
            "file to check (default: the bundled directory)",
        ),
    )


def _serve(p: argparse.ArgumentParser, t: T) -> None:
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help=t(
            "待ち受けるアドレス（既定: 127.0.0.1。ほかは --token が必要）",
            "address to listen on (default: 127.0.0.1; any other needs --token)",
        ),
    )
    p.add_argument(
        "--port", type=int, default=8000, help=t("ポート（既定: 8000）", "port (default: 8000)")
    )
    p.add_argument(
        "--token",
        default=None,
        help=t(
            "アクセスに必要な合言葉（環境変数 REFERRAL_TOKEN でも可。そちらを推奨）",
            "a token every request must carry (or the REFERRAL_TOKEN environment variable, "
            "which others cannot see in ps)",
        ),
    )
    _records_option(
        p,
        t,
        "つなぎを記録するフォームと一覧 /records を加える",
        "add the forms to record referrals",
    )


_ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser, T], None]] = {
    "serve": _serve,
    "agencies": _agencies,
    "show": _show,
    "areas": _areas,
    "where": _where,
    "route": _route,
    "gaps": _gaps,
    "match": _match,
    "validate": _validate,
}
