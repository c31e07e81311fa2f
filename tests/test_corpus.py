"""The evaluation corpus and the safety notes: well formed, split by source, test part frozen."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from referral.vocabulary import CONCERN_IDS

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
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
    from urllib.parse import urlsplit  # noqa: PLC0415

    sides: dict[str, set[str]] = defaultdict(set)
    for r in _rows("corpus.tsv"):
        host = (urlsplit(r["url"]).hostname or "").rstrip(".").removeprefix("www.")
        sides[host].add(r["split"])
        if r["story"]:
            sides["story:" + r["story"]].add(r["split"])
    assert all(len(s) == 1 for s in sides.values())


def test_safety_notes_are_well_formed() -> None:
    rows = _rows("safety_notes.tsv")
    assert len([r for r in rows if r["category"] != "none"]) >= 60
    for r in rows:
        assert r["category"] in CATEGORIES and r["split"] in ("dev", "test")
        assert r["text"].strip()
