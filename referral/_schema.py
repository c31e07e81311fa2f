"""The schema pass's bounded machinery (private; see :mod:`referral.validation`).

A file may ask for millions of problems (300,000 empty records make 2.4 million): the first
:data:`MAX_PROBLEMS` are listed and the rest only counted, and nothing pydantic makes while
failing is kept in proportion to the problems rather than to the file. pydantic keeps, with
each error, the value that failed as Python objects (for a JSON input, converted), so the
validators here fail fast: a list stops at its first bad item.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pydantic
from pydantic_core import SchemaValidator

from .errors import Omitted, Problem

__all__ = [
    "MAX_PROBLEMS",
    "MissingFieldError",
    "Problems",
    "json_path",
    "schema_problems",
    "validate_record",
    "validator",
]

MAX_PROBLEMS = 1_000
"""Problems listed at most. Validation goes on to count the rest: the list then ends with an
:class:`~referral.errors.Omitted` saying how many more there are (``… and N more``), and
:attr:`ValidationError.total <referral.errors.ValidationError>` counts them all. So a small
file that asks for millions of problems costs memory in proportion to its size, not to them."""


def json_path(loc: Iterable[int | str]) -> str:
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class Problems:
    """Problems as they are found: the first ``limit`` kept, the rest only counted."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.kept: list[Problem] = []
        self.total = 0
        self.limit = limit

    @property
    def room(self) -> int:
        """How many more problems would be kept."""
        return self.limit - len(self.kept)

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def count(self, n: int) -> None:
        """Count ``n`` problems found but not listed."""
        self.total += n

    def result(self) -> list[Problem]:
        """The problems kept, and an :class:`Omitted` for the rest, if any."""
        more = self.total - len(self.kept)
        if more <= 0:
            return list(self.kept)
        message = f"… and {more:,} more problems (only the first {self.limit:,} are listed)"
        return [*self.kept, Omitted("$", message, "too_many_problems", count=more)]


_BUILDING = threading.Lock()


class MissingFieldError(Exception):
    """A required field is missing (raised by :func:`validator`'s ``"check"`` validator)."""


def _missing() -> Any:
    raise MissingFieldError


def _fail_fast(node: Any, models: set[type[Any]], purpose: str) -> Any:
    """A copy of a core schema whose lists stop at their first bad item; for ``"check"``, a
    missing field stops everything; for ``"list"``, unknown fields are ignored.
    """
    if isinstance(node, list):
        return [_fail_fast(v, models, purpose) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _fail_fast(v, models, purpose) for k, v in node.items()}
    kind = out.get("type")
    if kind in ("list", "tuple", "set", "frozenset"):
        out["fail_fast"] = True
    elif kind == "model":
        models.add(out["cls"])
        if purpose == "list":
            out["config"] = {**out.get("config", {}), "extra_fields_behavior": "ignore"}
    elif kind == "model-fields" and purpose == "list":
        out["extra_behavior"] = "ignore"
    elif kind == "model-field" and purpose == "check" and out["schema"]["type"] != "default":
        out["schema"] = {"type": "default", "schema": out["schema"], "default_factory": _missing}
    return out


@functools.cache
def validator(model: type[pydantic.BaseModel], purpose: str) -> SchemaValidator:
    """``model``'s validator, made cheap to fail (see :func:`_fail_fast`).

    pydantic keeps, with each error, the value that failed, converted from JSON to Python
    objects, and for a missing field that value is the whole object holding it: reading a
    broken file at full speed (``"check"``) then cost many times its size. Failing at the
    first missing field and at each list's first bad item keeps that to a few small values;
    a valid document builds the same instances. ``"list"`` finds a few problems of a record
    that has too many to list them all. (pydantic reuses a model's own finished validator
    for it when nested; the models are marked unfinished while this one is built.)
    """
    models: set[type[Any]] = set()
    schema = _fail_fast(model.__pydantic_core_schema__, models, purpose)
    with _BUILDING:  # two threads building at once would mark them finished too soon
        for cls in models:
            cls.__pydantic_complete__ = False
        try:
            return SchemaValidator(schema)
        finally:
            for cls in models:
                cls.__pydantic_complete__ = True


def schema_problems(
    out: Problems,
    exc: pydantic.ValidationError,
    prefix: Sequence[int | str],
    model: type[pydantic.BaseModel],
    item: Any,
) -> None:
    """Add ``exc``'s problems: all if there is room, else as many as there is room for."""
    n = exc.error_count()
    if n > out.room > 0:  # list the first few only: errors() would build them all
        try:
            validator(model, "list").validate_python(item)
            errors = []
        except pydantic.ValidationError as fewer:
            errors = fewer.errors(include_url=False, include_input=False)[: out.room]
        listed = _add_errors(out, errors, prefix)
        if isinstance(item, Mapping) and out.room > 0:
            extras = (k for k in item if k not in model.model_fields)
            for key, _ in zip(extras, range(out.room), strict=False):
                out.append(
                    Problem(
                        json_path([*prefix, str(key)]),
                        "Extra inputs are not permitted",
                        "extra_forbidden",
                    )
                )
                listed += 1
        out.count(max(0, n - listed))
    elif n <= out.room:
        _add_errors(out, exc.errors(include_url=False, include_input=False), prefix)
    else:
        out.count(n)


def _add_errors(out: Problems, errors: Iterable[Any], prefix: Sequence[int | str]) -> int:
    added = 0
    for err in errors:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = err["msg"].removeprefix("Value error, ")
        out.append(Problem(json_path([*prefix, *loc]), message, code=err["type"]))
        added += 1
    return added


def validate_record(
    out: Problems, model: type[pydantic.BaseModel], item: Any, prefix: Sequence[int | str]
) -> Any:
    """``model`` validated from ``item``, or ``None`` (its problems added to ``out``)."""
    try:
        return model.model_validate(item)
    except pydantic.ValidationError as exc:
        schema_problems(out, exc, prefix, model, item)
        return None
