"""The evaluation corpus and the safety notes: well formed, split by source, test part frozen."""

from __future__ import annotations

import csv
import hashlib
import importlib
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from referral.vocabulary import CONCERN_IDS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
CATEGORIES = {
    "child_abuse",
    "suicide_risk",
    "domestic_violence",
    "emergency",
    "elder_abuse",
    "disability_abuse",
    "none",
}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _frozen() -> dict[str, tuple[int, str]]:
    out = {}
    for line in (DATA / "FROZEN").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _split, count, digest = line.split("\t")
            out[name] = (int(count), digest)
    return out


@pytest.mark.parametrize("name", ["corpus.tsv", "safety_notes.tsv"])
def test_test_part_is_frozen(name: str) -> None:
    rows = [r for r in _rows(name) if r["split"] == "test"]
    h = hashlib.sha256()
    for r in rows:
        h.update(("\t".join(r.values()) + "\n").encode())
    assert (len(rows), h.hexdigest()) == _frozen()[name]


def test_corpus_rows_are_well_formed() -> None:
    rows = _rows("corpus.tsv")
    assert len(rows) >= 400 + 40
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["split"] in ("dev", "test") and r["lang"] in ("ja", "en")
        assert 15 <= len(r["text"]) <= 200, r["id"]
        assert r["url"].startswith(("http://", "https://")), r["id"]
        if r["concerns"] == "none":
            assert r["main"] == "none"
        else:
            labels = r["concerns"].split(",")
            assert set(labels) <= set(CONCERN_IDS), r["id"]
            assert r["main"] in labels, r["id"]
    neutral = [r for r in rows if r["concerns"] == "none"]
    assert len(neutral) >= 40
    for split in ("dev", "test"):  # every concern is in both parts
        mains = {r["main"] for r in rows if r["split"] == split}
        assert set(CONCERN_IDS) <= mains


def test_corpus_is_split_by_source() -> None:
    """No registrable domain (a publisher, a blog platform, a city's site) and no story has
    rows in both parts, the rows added to dev after the freeze included."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        domain = importlib.import_module("split_corpus").domain
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    sides: dict[str, set[str]] = defaultdict(set)
    for r in _rows("corpus.tsv"):
        sides[domain(r["url"])].add(r["split"])
        if r["story"]:
            sides["story:" + r["story"]].add(r["split"])
    assert all(len(s) == 1 for s in sides.values())


def test_safety_notes_are_well_formed() -> None:
    rows = _rows("safety_notes.tsv")
    assert len([r for r in rows if r["category"] != "none"]) >= 60
    for r in rows:
        assert r["category"] in CATEGORIES and r["split"] in ("dev", "test")
        assert r["text"].strip()


def test_later_blind_sets_are_well_formed() -> None:
    notes = _rows("safety_more.tsv")
    assert {r["batch"] for r in notes} == {"s2", "s3", "s4"}
    for r in notes:
        assert r["category"] in CATEGORIES and r["lang"] in ("ja", "en") and r["text"].strip()
    assert len({r["text"] for r in notes}) == len(notes)
    neutral = _rows("neutral_more.tsv")
    assert {r["batch"] for r in neutral} == {"n4", "n5"}
    for r in neutral:
        assert r["url"].startswith("http") and 0 < len(r["text"]) <= 200
