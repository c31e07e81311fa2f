"""A dry-run diff is the file's unified diff, and costs less than a save (counted in Python
calls, not timed: see benchmarks/bench_edit.py for seconds)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from helpers import agency, load_script, tiny_document
from test_adversarial import _work

from referral import Directory, editing
from referral._data import count_lines, dump_document, iter_pieces, render
from referral.models import Document
from referral.synth import generate


def _edits() -> list[tuple[Document, Document]]:
    """(before, after) pairs: one of each kind of edit, and none."""
    doc = tiny_document()
    with_npo = editing.add_agency(doc, agency("w.npo", "npo", "w"))
    link = {
        "source": "w.npo",
        "target": "w.ward_office",
        "kind": "connects_to",
        "sources": [{"source": "test"}],
    }
    linked = editing.add_link(with_npo, link)
    resident = ("w.a.resident", "w.a.welfare_commissioner", "notices_and_shares")
    return [
        (doc, editing.update_agency(doc, "w.ward_office", notes="checked\nby phone")),
        (doc, editing.update_agency(doc, "w.a.care_plaza", notes="line\u2028separator\u2029end")),
        (doc, with_npo),
        (with_npo, linked),
        (linked, editing.remove_agency(linked, "w.npo")),
        (doc, editing.remove_link(doc, *resident)),
        (doc, doc),
    ]


def _patch(text: str, diff: str) -> str:
    """Apply a unified diff to ``text`` (checking every context and removed line)."""
    old = [line + "\n" for line in text.split("\n")[:-1]]
    out: list[str] = []
    at = 0
    lines = [line + "\n" for line in diff.split("\n")[2:-1]]
    for line in lines:
        if line.startswith("@@ "):
            found = re.match(r"@@ -(\d+)(?:,(\d+))?", line)
            assert found is not None
            start, length = int(found[1]), int(found[2] or 1)
            index = start - 1 if length else start  # an empty range names the line before
            out += old[at:index]
            at = index
        elif line[0] in " -":
            assert old[at] == line[1:], (at, line)
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            out.append(line[1:])
    return "".join(out + old[at:])


@pytest.mark.parametrize("case", range(7))
def test_the_diff_turns_the_old_file_into_the_new(case: int) -> None:
    old, new = _edits()[case]
    before, after = dump_document(old), dump_document(new)
    want = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile="a/agencies.json",
            tofile="b/agencies.json",
            n=2,
        )
    )
    got = editing.diff(old, new)
    assert (got == "") == (old == new) and got[:40] == want[:40]
    assert _patch(before, got) == after
    changed = [line for line in got.split("\n")[2:] if line.startswith(("+", "-"))]
    assert len(changed) == len(
        [line for line in want.split("\n")[2:] if line.startswith(("+", "-"))]
    )
    if case == 0:  # one record changed: exactly what diff -u prints
        assert got == want


@pytest.mark.parametrize("edit", ["set one body's notes", "remove the most linked body"])
def test_a_dry_run_diff_costs_less_than_a_save(
    edit: str, bundled: Directory, tmp_path: Path
) -> None:
    old = bundled.document
    if edit.startswith("set"):
        new = editing.update_agency(old, "nishi.ward_office", notes="checked by phone")
    else:  # 258 links all over the file, and the body itself
        new = editing.remove_agency(old, "yokohama.guardianship_promotion_center")
    diff_work, text = _work(lambda: editing.diff(old, new))
    save_work, _ = _work(lambda: editing.save(new, tmp_path / "d.json"))
    assert _patch(dump_document(old), text) == dump_document(new)
    assert diff_work <= save_work, (diff_work, save_work)
    if edit.startswith("set"):  # one record: a twentieth of a save (it was 13 times one)
        assert text.count("\n@@ ") == 1 and 4 * diff_work <= save_work, (diff_work, save_work)


def test_lines_are_counted_as_written() -> None:
    docs = [tiny_document(), Directory.load().document, generate(wards=2, seed=5)]
    for doc in docs:
        pieces = list(iter_pieces(doc))
        assert [count_lines(p) for p in pieces] == [render(p).count("\n") for p in pieces]
        assert "".join(map(render, pieces)) == dump_document(doc)


def test_the_edit_benchmark_measures_diff_save_and_editors() -> None:
    bench = load_script("benchmarks", "bench_edit")
    result = bench.run(quick=True, runs=1, editors=(2, 1))
    assert result["bundled"]["diff_s"] > 0 and result["bundled"]["save_s"] > 0
    assert result["commands"]["dry_run_s"] > 0 and result["commands"]["save_s"] > 0
    assert result["editors"] == {**result["editors"], "changes": 2, "lost": 0, "failed": 0}
    assert "× the save" in bench.report(result) and "0 lost" in bench.report(result)
