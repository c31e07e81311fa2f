"""Attested records per kind, in the bundled directory and (optionally) in an older file.

Usage::

    python scripts/attested_by_kind.py                   # the bundled data/agencies.json
    git show HEAD~5:data/agencies.json > /tmp/old.json
    python scripts/attested_by_kind.py /tmp/old.json     # before and after, as a Markdown table

A record is attested when a cited source gives its name and a contact; aggregates and meetings
are left out (they are structural by design). The last line counts the wards whose child
guidance centre (the one serving the ward) is attested, and those whose centre's catchment a
source confirms.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from referral import Directory
from referral.vocabulary import KINDS

ROOT = Path(__file__).resolve().parent.parent


def counts(d: Directory) -> tuple[Counter[str], Counter[str]]:
    """(attested, all) bodies per kind."""
    attested: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for a in d.agencies:
        if a.aggregate or KINDS[a.kind].meeting:
            continue
        total[a.kind] += 1
        attested[a.kind] += a.attested
    return attested, total


def child_guidance(d: Directory) -> tuple[int, int]:
    """Wards served by an attested child guidance centre, and by one whose catchment a
    source confirms (a centre with no ``serves`` list serves no ward by name).
    """
    wards = {a.id for a in d.areas if a.kind == "ward"}
    attested: set[str] = set()
    confirmed: set[str] = set()
    for a in d.agencies:
        if a.kind != "child_guidance_center" or a.aggregate or not a.catchment_confirmed:
            continue
        served = set(a.serves) & wards
        if a.id.endswith(".unconfirmed"):
            continue
        confirmed |= served
        if a.attested:
            attested |= served
    return len(attested), len(confirmed)


def main(argv: list[str]) -> int:
    new = Directory.load()
    a_new, t_new = counts(new)
    old = Directory.from_path(argv[0]) if argv else None
    a_old, t_old = counts(old) if old else (Counter(), Counter())
    kinds = sorted(set(t_new) | set(t_old), key=lambda k: (-t_new[k], k))
    if old:
        print("| kind | attested before | attested now | records now |")
        print("|---|--:|--:|--:|")
        for k in kinds:
            if a_old[k] != a_new[k] or t_old[k] != t_new[k]:
                print(
                    f"| {KINDS[k].en} (`{k}`) | {a_old[k]} / {t_old[k]} | {a_new[k]} | {t_new[k]} |"
                )
        print(
            f"| **all bodies** | {sum(a_old.values())} / {sum(t_old.values())} | "
            f"{sum(a_new.values())} | {sum(t_new.values())} |"
        )
        before = child_guidance(old)
    else:
        for k in kinds:
            print(f"{k:34} {a_new[k]:5} / {t_new[k]}")
        before = None
    now = child_guidance(new)
    text = (
        f"wards with an attested child guidance centre: {now[0]} of 18; "
        f"catchment confirmed: {now[1]}"
    )
    if before:
        text += f" (before: {before[0]}; {before[1]})"
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
