"""The unified diff of two directory documents, found record by record (private; see
:func:`referral.editing.diff`).

Two versions of a directory share almost every record (an edit makes new objects only for
what it changes), so records are matched by identity before any is written: those before the
first change are only counted (:func:`~referral._data.count_lines`), and only the records the
diff shows are written and compared line by line. The output is what ``diff -u`` prints with
two lines of context.
"""

from __future__ import annotations

import bisect
import difflib
from typing import Literal

from ._data import Piece, count_lines, iter_pieces, render
from .models import Document

__all__ = ["unified_diff"]

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


class _Text:
    """The lines of a run of pieces of a file, each piece written only when a line of it is
    wanted (a line ends at a newline only: a note may hold U+2028).
    """

    def __init__(self, pieces: list[Piece]) -> None:
        self.pieces = pieces
        self.starts = [0]
        for piece in pieces:
            self.starts.append(self.starts[-1] + count_lines(piece))
        self._written: dict[int, list[str]] = {}

    def lines(self, start: int, stop: int) -> list[str]:
        """Lines ``start`` to ``stop`` (counted from the run's first line)."""
        k = first = bisect.bisect_right(self.starts, start) - 1
        out: list[str] = []
        while k < len(self.pieces) and self.starts[k] < stop:
            if k not in self._written:
                text = render(self.pieces[k])
                self._written[k] = [line + "\n" for line in text.split("\n")[:-1]]
            out += self._written[k]
            k += 1
        return out[start - self.starts[first] : stop - self.starts[first]]


def _key(piece: Piece) -> object:
    """What to match pieces by: a record by identity (and its line ending), text by value."""
    return piece if isinstance(piece, str) else (id(piece[0]), piece[1])


def _opcodes(a: _Text, b: _Text) -> list[Opcode]:
    """Line opcodes of two runs of pieces: records are matched by identity first (about
    linear), then lines compared only inside the runs of pieces that differ.
    """
    sa, sb = a.starts, b.starts
    ops: list[Opcode] = []
    pieces = difflib.SequenceMatcher(None, list(map(_key, a.pieces)), list(map(_key, b.pieces)))
    for tag, i1, i2, j1, j2 in pieces.get_opcodes():
        if tag != "replace":
            ops.append((tag, sa[i1], sa[i2], sb[j1], sb[j2]))
            continue
        la, lb = sa[i1], sb[j1]
        inner = difflib.SequenceMatcher(None, a.lines(la, sa[i2]), b.lines(lb, sb[j2]))
        ops += [
            (t, la + x1, la + x2, lb + y1, lb + y2) for t, x1, x2, y1, y2 in inner.get_opcodes()
        ]
    merged: list[Opcode] = []
    for op in ops:
        if merged and op[0] == merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


class _Opcodes(difflib.SequenceMatcher[str]):
    """A matcher whose opcodes are given (to group them as :mod:`difflib` does)."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        super().__init__(None, [], [])
        self._given = opcodes

    def get_opcodes(self) -> list[Opcode]:
        return list(self._given)


def _range(start: int, stop: int) -> str:
    """A hunk's line range as ``diff -u`` writes it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"


def unified_diff(old: Document, new: Document, name: str) -> str:
    """The diff of the two documents' files (empty when they are equal)."""
    a, b = list(iter_pieces(old)), list(iter_pieces(new))
    n, lo, hi = min(len(a), len(b)), 0, 0
    while lo < n and a[lo] == b[lo]:
        lo += 1
    if lo == len(a) == len(b):
        return ""
    while hi < n - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    # a window of the changed records and two more each side (two lines of context at
    # least: every piece is a line or more); outside it the two files are equal
    first, end_a, end_b = max(lo - 2, 0), len(a) - max(hi - 2, 0), len(b) - max(hi - 2, 0)
    offset = sum(map(count_lines, a[:first]))
    text_a, text_b = _Text(a[first:end_a]), _Text(b[first:end_b])
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for group in _Opcodes(_opcodes(text_a, text_b)).get_grouped_opcodes(2):
        old_lines = _range(offset + group[0][1], offset + group[-1][2])
        new_lines = _range(offset + group[0][3], offset + group[-1][4])
        out.append(f"@@ -{old_lines} +{new_lines} @@\n")
        for tag, i1, i2, j1, j2 in group:
            out += [(" " if tag == "equal" else "-") + line for line in text_a.lines(i1, i2)]
            if tag != "equal":
                out += ["+" + line for line in text_b.lines(j1, j2)]
    return "".join(out)
