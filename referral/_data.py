"""Find, read and write directory documents (private).

Reading is strict: UTF-8 only (a BOM, UTF-16 or Shift_JIS is named as such), no duplicate
keys, no NaN, a size and a nesting limit. Every failure is one clear line naming the file and
the place. Writing is stable and diff-friendly: sorted keys, Japanese unescaped, two-space
indent, lists in a documented order.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from ._gc import no_gc
from .errors import ArgumentError, ArgumentTypeError, DataFileError
from .models import RECORD_ORDER, Document

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Piece",
    "bundled_path",
    "check_depth",
    "count_lines",
    "decode_json",
    "dump_document",
    "iter_dump",
    "iter_pieces",
    "read_bytes",
    "read_json",
    "render",
    "scan_json",
]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest data file read (64 MiB); the bundled one is about 4 MB."""

MAX_DEPTH = 32
"""Deepest nesting of JSON arrays and objects accepted; the format needs 6."""


def bundled_path() -> Path:
    """Return the path of the bundled ``agencies.json``.

    Installed from a wheel it sits inside the package (``referral/data``); in a source
    checkout (editable install) it is the repository's ``data/agencies.json``.
    """
    packaged = resources.files("referral").joinpath("data", "agencies.json")
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "data" / "agencies.json"
    if checkout.is_file():
        return checkout
    raise DataFileError(str(checkout), "the bundled directory is missing from this install")


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {col}"


def _sniff_encoding(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return "a UTF-8 byte-order mark (BOM); save the file as UTF-8 without BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:64]):
        return "UTF-16 text; save the file as UTF-8"
    return None


class _Pairs:
    """object_pairs_hook that notices duplicate keys (the dict is shorter than its pairs)."""

    def __init__(self) -> None:
        self.duplicate: str | None = None

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs) and self.duplicate is None:
            seen: set[str] = set()
            self.duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _depth(obj: Any, limit: int) -> int:
    """Depth of nested containers, stopping early past ``limit`` (iterative, and holding one
    iterator per level, never a level's items: a list of a million objects costs nothing).
    """
    if not isinstance(obj, dict | list):
        return 0
    deepest = 1
    stack: list[Iterator[Any]] = [iter(obj.values() if isinstance(obj, dict) else obj)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, dict | list):
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                deepest = max(deepest, len(stack))
                if deepest > limit:
                    return deepest
                break
        else:
            stack.pop()
    return deepest


def _decode(data: bytes, where: str) -> str:
    if (problem := _sniff_encoding(data)) is not None:
        raise DataFileError(where, f"not UTF-8 JSON: the file is {problem}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = ""
        try:
            data.decode("shift_jis")
            guess = " (it looks like Shift_JIS; save it as UTF-8)"
        except UnicodeDecodeError:
            pass
        raise DataFileError(
            where, f"not UTF-8: invalid byte at offset {exc.start}{guess}"
        ) from None


def _parse(text: str, where: str, hook: _Pairs) -> Any:
    try:
        with no_gc():
            obj = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            where, f"invalid JSON at {_position(text, exc.pos)}: {exc.msg}"
        ) from None
    except RecursionError:
        raise DataFileError(where, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise DataFileError(where, f"invalid JSON: {exc}") from None
    if hook.duplicate is not None:
        raise DataFileError(where, f"duplicate key {hook.duplicate!r} in a JSON object")
    if _SURROGATE.search(text):  # rare: only then look for a lone half of a pair
        _check_surrogates(json.loads(text) if obj is None else obj, text, where)
    return obj


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_surrogates(obj: Any, text: str, where: str) -> None:
    r"""Refuse strings holding half a UTF-16 surrogate pair (``"\ud800"`` alone): Python
    reads them, but they cannot be written back as UTF-8.
    """
    stack = [obj]
    while stack:
        node = stack.pop()
        strings: list[str] = []
        if isinstance(node, dict):
            strings += node
            stack += node.values()
        elif isinstance(node, list):
            stack += node
        elif isinstance(node, str):
            strings.append(node)
        for value in strings:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                half = f"\\u{ord(value[exc.start]):04x}"
                at = text.lower().find(half)
                place = f" at {_position(text, at)}" if at >= 0 else ""
                raise DataFileError(
                    where,
                    f"invalid JSON{place}: {half} is half a UTF-16 surrogate pair, not a character",
                ) from None


class _Scan(_Pairs):
    """The duplicate-key check without building anything (for :func:`scan_json`)."""

    def __call__(self, pairs: list[tuple[str, Any]]) -> Any:
        if len(dict(pairs)) != len(pairs):
            super().__call__(pairs)
        return None


def decode_json(data: bytes, where: str) -> Any:
    """Decode JSON bytes strictly, raising :class:`DataFileError` with one clear line."""
    return _parse(_decode(data, where), where, _Pairs())


def scan_json(data: bytes, where: str) -> None:
    """Check JSON bytes as strictly as :func:`decode_json` does, keeping nothing.

    Used before validating the bytes directly (which builds no intermediate dictionaries,
    so a large directory needs about half the memory).
    """
    _parse(_decode(data, where), where, _Scan())


def check_depth(obj: Any, where: str) -> None:
    """Raise :class:`DataFileError` when ``obj`` nests deeper than :data:`MAX_DEPTH`.

    A valid directory nests six levels, so a document that validates needs no check; the
    validator runs this before reporting schema problems, so a pathological file gets one
    clear line instead of thousands of type errors.
    """
    if _depth(obj, MAX_DEPTH) > MAX_DEPTH:
        raise DataFileError(where, f"JSON nested deeper than {MAX_DEPTH} levels")


_FILE_TYPES = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(where: str, mode: int) -> DataFileError:
    """Name what ``where`` is (and, for a link, what it links to)."""
    what = next((name for test, name in _FILE_TYPES if test(mode)), "a special file")
    link = Path(where)
    it = f"links to {link.resolve()}, {what}" if link.is_symlink() else f"is {what}"
    return DataFileError(where, f"{it}, not a regular file; only regular files are read")


def _check_limit(max_bytes: int | None) -> int:
    if max_bytes is None:
        return MAX_FILE_BYTES
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise ArgumentTypeError(f"max_bytes must be an int, not {type(max_bytes).__name__}")
    if max_bytes < 1:
        raise ArgumentError(f"max_bytes must be at least 1, not {max_bytes}")
    return max_bytes


def _too_large(where: str, size: int, limit: int) -> DataFileError:
    return DataFileError(
        where,
        f"file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB "
        "(pass max_bytes, or --max-mb on the command line, to read larger files)",
    )


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """Read a data file's bytes, refusing files over ``max_bytes`` (default
    :data:`MAX_FILE_BYTES`) and anything but a regular file.

    Devices (``/dev/zero``), named pipes and sockets, or links to them, are refused before
    they are opened: they have no size to check, and reading them may never end. The file is
    opened without blocking (a pipe swapped in after the check cannot hang it), checked again
    once open, and never read past ``max_bytes`` + 1 bytes, so a file that grows while it is
    read is refused too.

    Raises
    ------
    DataFileError
        No such file, a directory, not a regular file, too large, or not readable.
    ArgumentTypeError, ArgumentError
        ``max_bytes`` is not an int, or below 1.
    """
    where = os.fspath(path)
    limit = _check_limit(max_bytes)
    if "\0" in where:
        raise DataFileError(repr(where), "is not a valid path (it holds a NUL character)")
    try:
        mode = Path(where).stat().st_mode  # follows links: the file that would be read
        if stat.S_ISDIR(mode):
            raise DataFileError(where, "is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise _not_regular(where, mode)
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:  # noqa: PTH123 - a descriptor opened without blocking
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # swapped for something else since the check
                raise _not_regular(where, info.st_mode)
            if info.st_size > limit:
                raise _too_large(where, info.st_size, limit)
            data = fh.read(info.st_size + 1)  # one byte more: has it grown since?
            if len(data) > info.st_size:  # it grows: read on, in pieces, up to the limit
                data = _read_on(fh, data, limit)
    except FileNotFoundError:
        raise DataFileError(where, "no such file") from None
    except IsADirectoryError:
        raise DataFileError(where, "is a directory, not a file") from None
    except PermissionError:
        raise DataFileError(where, "permission denied") from None
    except OSError as exc:
        raise DataFileError(where, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise DataFileError(
            where, f"file grew past the limit of {limit / 1e6:.0f} MB while it was read"
        )
    return data


def _read_on(fh: BinaryIO, start: bytes, limit: int) -> bytes:
    buffer = bytearray(start)
    while len(buffer) <= limit and (more := fh.read(min(1 << 20, limit + 1 - len(buffer)))):
        buffer += more
    return bytes(buffer)


def read_json(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Any:
    """Read a JSON file strictly (see :func:`decode_json`), with a size limit."""
    return decode_json(read_bytes(path, max_bytes=max_bytes), os.fspath(path))


def _dumps(value: Any, pad: str) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return text.replace("\n", "\n" + pad) if pad else text


Piece = str | tuple[Any, str]
"""A piece of the on-disk text, whole lines: its text, or a record and the line's ending."""


def iter_pieces(doc: Document) -> Iterator[Piece]:
    """The pieces of :func:`dump_document`'s text in order, records not yet written (see
    :func:`render`): a diff compares records by identity and writes only those it shows.
    """
    fields = Document.model_fields
    header = doc.model_dump(mode="json", exclude_defaults=True, exclude=set(RECORD_ORDER))
    header["schema_version"] = doc.schema_version
    lists = {
        name: getattr(doc, name)
        for name in RECORD_ORDER
        if getattr(doc, name) or fields[name].is_required()
    }
    keys = sorted({*header, *lists})
    yield "{\n"
    for i, key in enumerate(keys):
        end = ",\n" if i < len(keys) - 1 else "\n"
        name = f"  {json.dumps(key)}: "
        if key not in lists:
            yield name + _dumps(header[key], "  ") + end
            continue
        items = sorted(lists[key], key=RECORD_ORDER[key])
        if not items:
            yield name + "[]" + end
            continue
        yield name + "[\n"
        last = len(items) - 1
        for j, item in enumerate(items):
            yield (item, ",\n" if j < last else "\n")
        yield "  ]" + end
    yield "}\n"


def render(piece: Piece) -> str:
    """The text of one piece (a record: indented four spaces, with its line ending)."""
    if isinstance(piece, str):
        return piece
    item, end = piece
    return "    " + _dumps(item.model_dump(mode="json", exclude_defaults=True), "    ") + end


def _lines(value: Any) -> int:
    """Lines ``json.dumps(value, indent=2)`` takes: a scalar or an empty container one, a
    container one more than its members, plus its closing line.
    """
    if not isinstance(value, dict | list) or not value:
        return 1
    members = value.values() if isinstance(value, dict) else value
    return 2 + sum(_lines(v) if isinstance(v, dict | list) else 1 for v in members)


def count_lines(piece: Piece) -> int:
    """The lines of a piece's text, without writing it (about a fifth of the cost)."""
    if isinstance(piece, str):
        return piece.count("\n")
    return _lines(piece[0].model_dump(mode="json", exclude_defaults=True))


def iter_dump(doc: Document) -> Iterator[str]:
    """Yield :func:`dump_document`'s text in whole lines, one record at a time, so writing a
    national directory never holds it whole (identical output).
    """
    return map(render, iter_pieces(doc))


def dump_document(doc: Document) -> str:
    """Serialise a document in the stable, diff-friendly form used on disk.

    Keys sorted, Japanese kept as UTF-8, two-space indent, default-valued fields left out,
    lists sorted by id (links by source, kind, target), a final newline. Loading the result
    gives back an equal document.
    """
    return "".join(iter_dump(doc))
