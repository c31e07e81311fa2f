"""What stands in front of every page and endpoint of the web app (private; see web.py).

Plain ASGI middleware, outermost first:

- :class:`Headers` adds the security headers (a strict Content-Security-Policy and friends)
  and ``Cache-Control: no-store`` to every response but the static files;
- :class:`Guard` refuses a request for a host name other than a loopback one when the app
  has no token (a page on another site cannot reach this one by renaming itself, "DNS
  rebinding"), a request without the token when it has one (401), a body over
  :data:`MAX_BODY_BYTES` (413); and turns an unexpected exception into a plain 500 whose
  log line names the exception's type only, never its message (which might quote a note).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "COOKIE",
    "CSP",
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "SECURITY_HEADERS",
    "Guard",
    "Headers",
    "error_body",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 256 * 1024
"""The largest request body taken (413 above). A note of the longest length accepted
(10,000 characters of Japanese) is 90 KB once a browser percent-encodes a form."""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
"""Nothing from another host, no inline script or style, no framing."""

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
COOKIE = "referral_token"
_log = logging.getLogger("referral.web")


def error_body(code: str, message: str) -> bytes:
    """The JSON of an error: ``{"error": {"code": ..., "message": ...}}``."""
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()


class Headers:
    """Add the security headers to every response, and ``no-store`` to all but static files."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"cache-control", b"server")
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS]
                cache = "private, max-age=300" if static else "no-store"
                headers.append((b"cache-control", cache.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLargeError(Exception):
    """The body grew past the limit while it was read."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def _host_name(scope: Scope) -> str:
    host = _header(scope, b"host")
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Host check, token, body limit and a plain 500 (see the module's docstring)."""

    def __init__(self, app: App, *, token: str | None = None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token is None and _host_name(scope) not in LOOPBACK_HOSTS:
            await _plain(send, 400, "bad_host", "this server answers on its loopback address only")
            return
        if self.token is not None:
            done = await self._check_token(scope, send)
            if done:
                return
        length = _header(scope, b"content-length")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            await _too_large(send)
            return
        await self._run(scope, _counting(receive), send)

    async def _check_token(self, scope: Scope, send: Send) -> bool:
        """Let a request with the token through (False); answer the others (True): a page
        visited with ``?token=`` gets the cookie and is sent to its address without it.
        """
        assert self.token is not None
        query = dict(parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1")))
        given = query.pop("token", None)
        if given is not None and _same(given, self.token):
            where = scope.get("path", "/") + ("?" + urlencode(query) if query else "")
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", where.encode()), (b"set-cookie", cookie.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return True
        bearer = _header(scope, b"authorization")
        cookies = SimpleCookie()
        try:
            cookies.load(_header(scope, b"cookie"))
        except Exception:
            cookies = SimpleCookie()
        held = cookies[COOKIE].value if COOKIE in cookies else ""
        if _same(bearer.removeprefix("Bearer "), self.token) or _same(held, self.token):
            return False
        await _plain(send, 401, "unauthorized", "a token is needed (Authorization: Bearer …)")
        return True

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except _TooLargeError:
            if not started:
                await _too_large(send)
        except Exception as exc:
            _log.error("internal error: %s on %s", type(exc).__name__, scope.get("path"))
            if not started:
                await _plain(send, 500, "internal", "internal error; please report it")


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def _counting(receive: Receive) -> Receive:
    """``receive``, raising :class:`_TooLargeError` once the body passes the limit (a body sent
    in chunks, without a length, is bounded too).
    """
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise _TooLargeError
        return message

    return wrapped


async def _too_large(send: Send) -> None:
    kib = MAX_BODY_BYTES // 1024
    await _plain(send, 413, "body_too_large", f"the request body is over {kib} KiB")


async def _plain(send: Send, status: int, code: str, message: str) -> None:
    body = error_body(code, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:  # noqa: PLR2004
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
