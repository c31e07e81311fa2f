"""A per-user cache of the bundled directory, validated once (private; used by the CLI).

Every ``referral route`` is a new process, and validating the bundled directory (7 MB, 706
bodies, about 15,000 links) would more than double its start-up. The first run therefore keeps
the validated directory, with its route and area indexes and the concern matcher, in the user's
cache folder; later runs load it back if, and only if, it was made from the same data file, the
same package code and data (by their sha256) and the same Python, pydantic and analysers.

Only the public bundled directory is cached: never a file a user passes (it may hold
confidential addresses) and never a note.

Where: ``$REFERRAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/referral``, else
``~/.cache/referral``. ``REFERRAL_CACHE_DIR=off`` turns it off. The folder must be absolute:
``~`` or ``~/…`` at the start of ``REFERRAL_CACHE_DIR`` is the home folder, and any other
relative value turns the cache off (it would write wherever the command runs); a relative
``XDG_CACHE_HOME`` is ignored, as the XDG specification says. With no home folder (no
``HOME`` and no passwd entry, as in some containers) and no absolute setting, there is no
cache: commands work, uncached.

The file is never a pickle: it is a JSON header (the strings and numbers, and the names of
the record classes) and a list of integers saying how to put them together (see
:func:`_encode`). Loading it builds only builtin containers, dates, compiled regular
expressions and the package's own record classes, looked up in a fixed list of its modules,
made without calling their constructors and filled field by field: no function or class
named by the file is called and no module is imported because of it, so a forged file can
give wrong answers or fail a command, at worst, and cannot run code. Its first line is the
sha256 of the rest, so a file edited afterwards (even one digit of a phone number) is
noticed and rebuilt: this catches edits, not a forger, who can write the digest too. The
file is also read only when it belongs to the current user and no one else may write to it
or to its folder. Any fault it can notice (unreadable, stale, edited, truncated, malformed)
means the file is ignored and rebuilt, and a cache that cannot be written is not used.
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pydantic

from . import (
    _aliases,
    _concern_models,
    _cue_base,
    _plan_models,
    areas,
    association,
    cues,
    directory,
    locality,
    matching,
    models,
    network,
    rules,
)
from . import safety_ngrams as _ngrams
from ._data import bundled_path
from ._gc import no_gc
from .cues import analyser_versions
from .directory import Directory, use_bundled
from .editing import atomic_write
from .matching import Matcher, default_matcher, use_default_matcher

__all__ = ["cache_dir", "load_bundled"]

_PREFIX = "bundled-"
_SUFFIX = ".cache"
_FORMAT = 2  # 1 was a pickle
_MAX_BYTES = 256 * 1024 * 1024
_OFF = ("", "0", "off", "no", "false")

# the only modules whose classes a cache file may name (all imported above: none is imported
# because a file names it)
_MODULES = (
    models,
    _concern_models,
    _plan_models,
    directory,
    network,
    locality,
    areas,
    matching,
    _aliases,
    cues,
    _cue_base,
    rules,
    association,
    _ngrams,
)
_FACTORIES: dict[str, type] = {"list": list, "set": set, "dict": dict, "int": int}


# -- where -------------------------------------------------------------------------------------
def _home() -> Path | None:
    """The home folder, or ``None`` when there is none or it is not an absolute path."""
    if os.environ.get("HOME") == "":  # set but empty: Python would say "/"
        return None
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
        return None
    return home if home.is_absolute() else None


def cache_dir() -> Path | None:
    """The cache folder (always absolute), or ``None`` when there is to be no cache."""
    env = os.environ.get("REFERRAL_CACHE_DIR")
    if env is not None:
        if env.strip().lower() in _OFF:
            return None
        if env == "~" or env.startswith("~/"):
            home = _home()
            return None if home is None else home / env[2:]
        try:
            path = Path(env).expanduser()  # ~user/...
        except RuntimeError:  # no such user
            return None
        return path if path.is_absolute() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if Path(xdg).is_absolute():
        return Path(xdg) / "referral"
    home = _home()
    return None if home is None else home / ".cache" / "referral"


# -- what it depends on ------------------------------------------------------------------------
def _package_files() -> list[Path]:
    package = Path(__file__).resolve().parent
    return [*sorted(package.glob("*.py")), *sorted(package.glob("*.json"))]


def _key(data: Path) -> str:
    """What the cached objects depend on: the bytes of the data file and of the package's
    code and data, and the versions of Python, pydantic and the analysers.
    """
    h = hashlib.sha256()
    for f in [data, *_package_files()]:
        content = f.read_bytes()
        h.update(f"{f.name}:{len(content)}:".encode())
        h.update(content)
    h.update(f"{_FORMAT}|{sys.version}|{pydantic.VERSION}|{analyser_versions()}".encode())
    return h.hexdigest()[:32]


# -- the format --------------------------------------------------------------------------------
class _UnencodableError(TypeError):
    """A value the format does not hold: the cache is then not written."""


def _allowed() -> dict[tuple[str, str], type]:
    return {
        (m.__name__, name): obj
        for m in _MODULES
        for name, obj in vars(m).items()
        if isinstance(obj, type) and obj.__module__ == m.__name__
    }


def _slots(cls: type) -> tuple[str, ...]:
    names = (n for c in cls.__mro__ for n in getattr(c, "__slots__", ()))
    return tuple(n for n in names if n not in ("__dict__", "__weakref__"))


def _kind(cls: type) -> str:
    """How instances are stored: ``m`` a pydantic model, ``t`` a tuple with attributes,
    ``s`` slots, ``o`` an instance dictionary.
    """
    if issubclass(cls, pydantic.BaseModel):
        return "m"
    if issubclass(cls, tuple):
        return "t"
    return "s" if _slots(cls) else "o"


_TUPLE, _LIST, _SET, _FROZENSET, _DICT, _DATE, _PATTERN = range(7)
_DEFAULTDICT = 8  # + the factory's place in _FACTORIES
_RECORD = 16  # + the shape's number


class _Encoder:
    """Lists an object graph as constants and operations (see :func:`_encode`)."""

    def __init__(self) -> None:
        self.allowed = {cls: key for key, cls in _allowed().items()}
        self.kinds: dict[type, tuple[str, tuple[str, ...]]] = {}
        self.shapes: dict[tuple[Any, ...], int] = {}
        self.spec: list[list[Any]] = []
        self.constants: list[Any] = []
        self.strings: dict[str, int] = {}
        self.others: dict[tuple[type, Any], int] = {}
        self.made: dict[int, int] = {}  # id of an object -> ~its number (negative)
        self.open: set[int] = set()
        self.ops: list[tuple[int, list[int]]] = []

    def ref(self, o: Any) -> int:
        """The number of ``o``: a constant's place (``>= 0``), or ``~n`` for the ``n``-th
        object made; its parts are listed first.
        """
        t = type(o)
        if t is str:
            got = self.strings.get(o)
            if got is None:
                got = self.strings[o] = len(self.constants)
                self.constants.append(o)
            return got
        if t in _CONSTANTS:
            key = (t, o.hex() if t is float else o)  # 0.0 and -0.0 apart
            got = self.others.get(key)
            if got is None:
                got = self.others[key] = len(self.constants)
                self.constants.append(o)
            return got
        i = id(o)
        made = self.made.get(i)
        if made is not None:
            return made
        if i in self.open:
            raise _UnencodableError("a cycle")
        self.open.add(i)
        code, parts = self.parts(o, t)
        self.open.discard(i)
        self.ops.append((code, parts))
        made = self.made[i] = ~(len(self.ops) - 1)
        return made

    def parts(self, o: Any, t: type) -> tuple[int, list[int]]:
        """The code of an object made (not a constant) and the numbers of its parts."""
        r, refs = self.ref, self.refs
        if t is tuple or t is list or t is set or t is frozenset:
            code, parts = _CODES[t], refs(o)
        elif t is dict or t is defaultdict:
            parts = refs([x for kv in o.items() for x in kv])
            code = _DICT
            if t is defaultdict:
                factory = [f for f in _FACTORIES.values() if f is o.default_factory]
                if not factory:
                    raise _UnencodableError("a defaultdict of an unknown factory")
                code = _DEFAULTDICT + list(_FACTORIES.values()).index(factory[0])
        elif t is dt.date:
            code, parts = _DATE, [r(o.isoformat())]
        elif t is re.Pattern:
            if not isinstance(o.pattern, str):
                raise _UnencodableError("a bytes pattern")
            code, parts = _PATTERN, [r(o.pattern), r(o.flags)]
        else:
            shape, values = self.record(o)
            code, parts = _RECORD + shape, refs(values)
        return code, parts

    def refs(self, items: Iterable[Any]) -> list[int]:
        """The numbers of ``items`` (a string met before, the commonest, without a call)."""
        known, ref = self.strings, self.ref
        return [known[x] if type(x) is str and x in known else ref(x) for x in items]

    def record(self, o: Any) -> tuple[int, list[Any]]:
        """A record's shape and stored values (for a tuple, its attributes then items)."""
        cls = type(o)
        if cls not in self.kinds:
            if cls not in self.allowed:
                raise _UnencodableError(f"{cls.__module__}.{cls.__qualname__} is not a cached type")
            self.kinds[cls] = (_kind(cls), _slots(cls))
        kind, slots = self.kinds[cls]
        given = None
        if kind == "m":
            if o.__pydantic_extra__ is not None or o.__pydantic_private__ is not None:
                raise _UnencodableError("a model with extra or private state")
            state = o.__dict__
            given = frozenset(o.__pydantic_fields_set__)
        elif kind == "s":
            if getattr(o, "__dict__", None):
                raise _UnencodableError("slots and a dictionary")
            state = {n: getattr(o, n) for n in slots if hasattr(o, n)}
        else:
            state = vars(o)
        names = tuple(state)
        shape = self.shapes.get((cls, names, given))
        if shape is None:
            shape = self.shapes[(cls, names, given)] = len(self.spec)
            fields = None if given is None else sorted(given)
            self.spec.append([*self.allowed[cls], kind, list(names), fields])
        values = list(state.values())
        return shape, [*values, *o] if kind == "t" else values


_CONSTANTS = (str, int, float, bool, type(None))
_CODES: dict[type, int] = {tuple: _TUPLE, list: _LIST, set: _SET, frozenset: _FROZENSET}


def _encode(value: Any, key: str) -> bytes:
    """The cache file for ``value``.

    Line 1 is the sha256 of the rest. Line 2, the header: the format, the key, the record
    shapes (class, kind, field names, and a model's given fields), and the constants (every
    string, integer, float, boolean and ``None`` in the objects, once each). Line 3, the
    objects, one after another, each after its parts, as unsigned 32-bit little-endian
    integers: for each, a code (what to make: a tuple, list, set, frozenset, dict, date,
    pattern or defaultdict, or a record of a shape), the number of its parts, then the
    number of each part: the constants come first, then the objects in the order they are
    made. The last object is ``value``.
    """
    enc = _Encoder()
    root = enc.ref(value)
    if root >= 0:
        raise _UnencodableError("a constant")
    base, flat = len(enc.constants), []
    for code, parts in enc.ops:
        flat.append(code)
        flat.append(len(parts))
        flat += parts
    ops = [p if p >= 0 else base + ~p for p in flat]  # codes and counts are >= 0
    header = {"format": _FORMAT, "key": key, "shapes": enc.spec, "constants": enc.constants}
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    return _frame(head.encode() + b"\n" + _pack(ops))


def _pack(ops: list[int]) -> bytes:
    """Unsigned 32-bit integers, little-endian."""
    packed = array.array("I", ops)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> array.array[int]:
    packed = array.array("I")
    packed.frombytes(data)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def _frame(body: bytes) -> bytes:
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def _maker(spec: Any, allowed: dict[tuple[str, str], type]) -> Callable[[Iterator[Any]], Any]:
    """How to make one shape's records from their values, checked against the package's own
    classes: made without calling a constructor, then filled.
    """
    module, name, kind, names, given = spec
    cls = allowed[(module, name)]
    if kind != _kind(cls) or not all(type(n) is str for n in (*names, *(given or ()))):
        raise ValueError("a shape that does not fit its class")
    names = tuple(names)
    new, setattr_ = object.__new__, object.__setattr__

    if kind == "m":
        fields = set(given)  # shared by the shape's records, never changed (as models does)

        def make(values: Iterator[Any]) -> Any:
            m: Any = new(cls)
            setattr_(m, "__dict__", dict(zip(names, values, strict=True)))
            setattr_(m, "__pydantic_fields_set__", fields)
            setattr_(m, "__pydantic_extra__", None)
            setattr_(m, "__pydantic_private__", None)
            return m

    elif kind == "s":
        slots: dict[str, Any] = {}
        for c in reversed(cls.__mro__):
            slots.update((n, vars(c).get(n)) for n in getattr(c, "__slots__", ()))
        setters: list[Any] = [slots.get(n) for n in names]
        if not all(isinstance(s, types.MemberDescriptorType) for s in setters):
            raise ValueError("a field that is not a slot")

        def make(values: Iterator[Any]) -> Any:
            o: Any = new(cls)
            for s, v in zip(setters, values, strict=True):
                s.__set__(o, v)
            return o

    elif kind == "t":

        def make(values: Iterator[Any]) -> Any:
            state = dict(zip(names, values, strict=False))  # the attributes; the rest: items
            if len(state) != len(names):
                raise ValueError("a malformed record")
            o: Any = tuple.__new__(cls, values)
            setattr_(o, "__dict__", state)
            return o

    else:

        def make(values: Iterator[Any]) -> Any:
            o: Any = new(cls)
            setattr_(o, "__dict__", dict(zip(names, values, strict=True)))
            return o

    return make


def _pairs(parts: Iterator[Any]) -> dict[Any, Any]:
    return dict(zip(parts, parts, strict=False))  # one iterator: key, value, key, …


def _date(parts: Iterator[Any]) -> dt.date:
    (iso,) = parts
    return dt.date.fromisoformat(iso)


def _pattern(parts: Iterator[Any]) -> re.Pattern[str]:
    pattern, flags = parts
    if type(pattern) is not str or type(flags) is not int:
        raise ValueError("a malformed pattern")
    return re.compile(pattern, flags)


def _builders(makers: list[Callable[[Iterator[Any]], Any]]) -> list[Callable[..., Any]]:
    """What each code makes (see :func:`_encode`)."""
    build: list[Callable[..., Any]] = [_unknown] * (_RECORD + len(makers))
    build[_TUPLE], build[_LIST], build[_SET], build[_FROZENSET] = tuple, list, set, frozenset
    build[_DICT], build[_DATE], build[_PATTERN] = _pairs, _date, _pattern
    for i, factory in enumerate(_FACTORIES.values()):
        build[_DEFAULTDICT + i] = lambda parts, f=factory: defaultdict(
            f, zip(parts, parts, strict=False)
        )
    build[_RECORD:] = makers
    return build


def _unknown(parts: Iterator[Any]) -> Any:
    raise ValueError("an unknown code")


def _decode(data: bytes, key: str) -> Any:
    """The objects of a cache file (see :func:`_encode`); ``ValueError`` (or another error)
    if it is not one that was written for ``key``, or was changed since.
    """
    digest, _, body = data.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise ValueError("the file was changed after it was written")
    head, _, line = body.partition(b"\n")
    header = json.loads(head)
    if header.get("format") != _FORMAT or header.get("key") != key:
        raise ValueError("a cache of other data, code or versions")
    allowed = _allowed()
    build = _builders([_maker(spec, allowed) for spec in header["shapes"]])
    objs: list[Any] = header["constants"]
    if type(objs) is not list or any(type(c) not in _CONSTANTS for c in objs):
        raise ValueError("a malformed constant")
    ops = _unpack(line)
    get, add = objs.__getitem__, objs.append
    stream = iter(ops)
    count = stream.__next__
    for code in stream:  # each builder takes all its parts
        add(build[code](map(get, islice(stream, count()))))
    return objs[-1]


# -- reading and writing -----------------------------------------------------------------------
def _trusted(path: Path) -> bool:
    """Only the current user may have written the file (POSIX); elsewhere, own folders only."""
    if not hasattr(os, "getuid"):
        return True
    try:
        for p in (path, path.parent):
            st = p.stat()
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def _read(path: Path, key: str) -> tuple[Directory, Matcher] | None:
    if not path.is_file() or not _trusted(path):
        return None
    try:
        if path.stat().st_size <= _MAX_BYTES:
            with no_gc():
                got = _decode(path.read_bytes(), key)
            if type(got) is tuple and len(got) == 2:  # noqa: PLR2004 - a pair
                d, matcher = got
                if type(d) is Directory and type(matcher) is Matcher:
                    return d, matcher
    except Exception:  # any fault in the file means: rebuild it
        pass
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def _write(folder: Path, path: Path, key: str, value: tuple[Directory, Matcher]) -> None:
    try:
        data = _encode(value, key)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in folder.glob(f"{_PREFIX}*"):  # one version kept (old pickles too)
            old.unlink()
        atomic_write(path, data)
    except Exception:  # a cache that cannot be written is not used
        pass


def load_bundled() -> Directory:
    """The bundled directory, from the cache when it is current (see the module notes).

    Also makes :meth:`Directory.load` and :func:`~referral.matching.default_matcher` return
    the cached objects for the rest of the process.
    """
    folder = cache_dir()
    if folder is None:
        return Directory.load()
    try:
        key = _key(bundled_path())
    except OSError:
        return Directory.load()
    path = folder / f"{_PREFIX}{key}{_SUFFIX}"
    got = _read(path, key)
    if got is not None:
        d, matcher = got
        use_bundled(d)
        use_default_matcher(matcher)
        return d
    d = Directory.load()
    d._route_index, d._area_index  # noqa: B018 - built now, so that they are cached too
    _write(folder, path, key, (d, default_matcher()))
    return d
