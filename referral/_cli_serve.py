"""``referral serve``: the web page for coordinators on this machine (private; see cli.py).

The server runs until stopped (Ctrl-C), so its row in the command table says
``runs_forever=True``. Before anything starts, the arguments are checked: an address other
than the loopback one needs a token (``--token`` or ``REFERRAL_TOKEN``), and the optional
``web`` extra must be installed; each refusal is one line and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from typing import Any

from ._cli_tables import directory as _directory
from ._messages import say
from .errors import EXIT_OK, ArgumentError, MissingExtraError

__all__ = ["LOOPBACK", "MIN_TOKEN_CHARS", "cmd_serve", "run_server"]

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
"""Addresses only this machine can reach: the server listens on them without a token."""
MIN_TOKEN_CHARS = 16
"""The shortest token accepted (``secrets.token_urlsafe()`` gives 43 characters)."""
_WEB_MODULES = ("fastapi", "uvicorn", "jinja2", "multipart")


def _token(args: argparse.Namespace) -> str | None:
    given: str | None = args.token or os.environ.get("REFERRAL_TOKEN") or None
    if given is not None and len(given) < MIN_TOKEN_CHARS:
        raise ArgumentError(say("serve_short_token", args.lang, n=MIN_TOKEN_CHARS))
    return given


def _missing(module: str) -> bool:
    import importlib.util  # noqa: PLC0415

    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a broken or blocked install counts as missing
        return True


def _check_extra(lang: Any) -> None:
    if any(_missing(m) for m in _WEB_MODULES):
        raise MissingExtraError(say("serve_needs_web", lang))


def _check_records(lang: Any) -> None:
    if any(_missing(m) for m in ("sqlalchemy", "alembic")):
        raise MissingExtraError(say("records_needs_extra", lang))


class _NoToken(logging.Filter):
    """Take ``token=…`` out of the access log's lines (the first visit of a page carries it
    in its address; the log must not keep it).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                re.sub(r"token=[^&\s]*", "token=***", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def run_server(app: Any, host: str, port: int) -> None:  # pragma: no cover - runs forever
    """Serve ``app`` with uvicorn until stopped (tests replace this function)."""
    import uvicorn  # noqa: PLC0415

    logging.getLogger("uvicorn.access").addFilter(_NoToken())
    uvicorn.run(app, host=host, port=port, server_header=False, proxy_headers=False)


def cmd_serve(args: argparse.Namespace) -> int:
    host = args.host.strip("[]")
    token = _token(args)
    if host not in LOOPBACK and token is None:
        raise ArgumentError(say("serve_needs_token", args.lang, host=host))
    if not 1 <= args.port <= 65535:  # noqa: PLR2004
        raise ArgumentError(say("serve_port", args.lang, port=args.port))
    _check_extra(args.lang)
    from . import web  # noqa: PLC0415 - the web extra is optional

    options = {"records": args.records} if args.records else {}
    if args.records:
        _check_records(args.lang)
    app = web.create_app(_directory(args), token=token, lang=args.lang, host=host, **options)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(say("serve_open", args.lang, url=f"http://{shown}:{args.port}/") + "\n")
    sys.stderr.flush()
    run_server(app, host, args.port)
    return EXIT_OK
