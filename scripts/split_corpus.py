"""Assemble the evaluation corpus and split it by source, once, before the matcher is tuned.

Input: the gathered and reviewed excerpts (``corpus_reviewed.tsv``) and the blind safety notes
(``safety_notes.tsv``), from a staging folder outside the repository. Output:
``benchmarks/data/corpus.tsv`` and ``benchmarks/data/safety_notes.tsv``, each row with its split.

The corpus is split by *source*: rows whose sites share a registrable domain, or that the
reviewer tied to one story (the same incident on two sites), form one group, and a whole group
goes to ``dev`` or to ``test``. Groups are taken in the order of a hash of their key and each
goes to the split that so far has fewer rows of the group's main concerns, so both splits hold
every concern. The safety notes have one author, so they are split by a hash of their text,
half of each category to each side. The split is deterministic: run it again on the same input
and it gives the same files.

Usage: python scripts/split_corpus.py STAGING_DIR
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "data"
DROPPED = {  # the reviewer's suggestions: no concern can be read from the excerpt alone
    "A021": "a daughter tells her father about an unnamed 'incident'",
    "A113": "labelled double_care, but no child appears",
    "B086": "vague distress, no caregiving in the excerpt",
    "C048": "meaningful only in its disaster-evacuation context",
}
_SECOND_LEVEL = {"co", "ne", "or", "ac", "go", "lg", "ed", "gr", "org", "gov", "com", "net", "nhs"}


def domain(url: str) -> str:
    host = (urlsplit(url).hostname or url).rstrip(".").lower()
    host = host.removeprefix("www.")
    parts = host.split(".")
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL:  # noqa: PLR2004 - name.co.jp
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def split_corpus(rows: list[dict[str, str]]) -> None:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for r in rows:
        union(f"row:{r['id']}", f"domain:{domain(r['url'])}")
        if r["story"]:
            union(f"row:{r['id']}", f"story:{r['story']}")
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        groups[find(f"row:{r['id']}")].append(r)
    count: dict[str, Counter[str]] = {"dev": Counter(), "test": Counter()}
    size = Counter[str]()
    for key in sorted(groups, key=_hash):
        members = groups[key]
        mains = Counter(r["main"] for r in members)
        score = {s: (sum(count[s][m] * n for m, n in mains.items()), size[s], s) for s in count}
        side = min(score, key=score.__getitem__)
        for r in members:
            r["split"] = side
        count[side].update(mains)
        size[side] += len(members)


def main(staging: Path) -> None:
    with (staging / "corpus_reviewed.tsv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["id"] not in DROPPED]
    split_corpus(rows)
    cols = [
        "id",
        "split",
        "lang",
        "concerns",
        "main",
        "kind",
        "source_kind",
        "url",
        "story",
        "text",
    ]
    with (OUT / "corpus.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, cols, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    with (staging / "safety_notes.tsv").open(encoding="utf-8", newline="") as fh:
        notes = list(csv.DictReader(fh, delimiter="\t"))
    by_cat: dict[str, list[dict[str, str]]] = defaultdict(list)
    for n in notes:
        by_cat[n["category"]].append(n)
    for members in by_cat.values():
        members.sort(key=lambda n: _hash(n["text"]))
        for i, n in enumerate(members):
            n["split"] = "dev" if i % 2 == 0 else "test"
    for i, n in enumerate(notes, 1):
        n["id"] = f"s{i:03d}"
    with (OUT / "safety_notes.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(
            fh,
            ["id", "split", "category", "lang", "text"],
            delimiter="\t",
            lineterminator="\n",
            extrasaction="ignore",
        )
        w.writeheader()
        w.writerows(notes)
    for name, items, key in (("corpus", rows, "main"), ("safety notes", notes, "category")):
        per = Counter((r["split"], r[key]) for r in items)
        print(name, Counter(r["split"] for r in items))
        for k in sorted({r[key] for r in items}):
            print(f"  {k:<20} dev {per['dev', k]:>3}  test {per['test', k]:>3}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
