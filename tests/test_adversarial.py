"""Adversarial notes return promptly with a result or a clear error. "Promptly" is measured in
work, not time: the number of Python calls made, which is the same on every machine."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

import pytest

from referral import Directory, NoteTooLongError, ReferralError
from referral.matching import MAX_NOTE_CHARS

D = Directory.load()
RNG = random.Random(1)
ALIASES = [a.text for c in D.concerns for a in c.aliases]

NOTES: dict[str, tuple[str, set[str] | None]] = {  # a note, and the concerns it must (still) show
    "10,000 emoji": ("😀" * 10_000, set()),
    "emoji joined by zero-width joiners": ("🏳️‍🌈" * 2_500, set()),
    "control characters": ("".join(chr(i % 32) for i in range(10_000)), set()),
    "right-to-left overrides around the words": (("\u202eゴミ屋敷\u202c" * 1_250), {"hoarding"}),
    "zero-width joiner inside the words": ("死に\u200dたい" * 2_000, {"suicide_risk"}),
    "zero-width space inside the words": ("ヤング\u200bケアラー" * 1_000, {"young_carer"}),
    "a negation repeated": ("ゴミ屋敷ではない" * 1_250, set()),
    "one alias 2,500 times": ("ゴミ屋敷" * 2_500, {"hoarding"}),
    "random kanji": ("".join(chr(RNG.randrange(0x4E00, 0x9FFF)) for _ in range(10_000)), set()),
    "every alias at once": ("".join(RNG.choice(ALIASES) for _ in range(3_000))[:10_000], None),
    "one letter": ("a" * 10_000, set()),
    "NUL bytes and a concern": ("\x00" * 5_000 + "認知症" + "\x00" * 4_997, {"dementia"}),
    "lone surrogates": ("\ud800\udfff" * 5_000, set()),
}


def _work(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Python calls made while running ``fn`` (and its result or ReferralError)."""
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        result: Any = fn()
    except ReferralError as exc:
        result = exc
    finally:
        sys.setprofile(None)
    return calls, result


@pytest.mark.parametrize("name", list(NOTES))
def test_each_adversarial_note_returns_promptly(name: str) -> None:
    note, concerns = NOTES[name]
    assert len(note) <= MAX_NOTE_CHARS
    D.match("warm up")  # the matcher is built once per process, not per note
    work, found = _work(lambda: D.match(note))
    # linear in the note, no quadratic corner: morphology and concept rules do more per word
    # than the alias scan once did (the densest note, every word a cue, takes about 80)
    # per character)
    assert work <= 120 * len(note) + 20_000, work
    if concerns is not None:
        assert {m.concern for m in found} == concerns
    work, plan = _work(lambda: D.route(note, area="戸部本町"))
    assert work <= 120 * len(note) + 60_000, work
    assert isinstance(plan, ReferralError) or plan.suggestions


@pytest.mark.parametrize("size", [MAX_NOTE_CHARS + 1, 1_000_000])
def test_an_over_long_note_is_refused_before_any_work(size: int) -> None:
    note = "ゴミ屋敷" * (size // 4 + 1)
    for fn in (lambda: D.match(note), lambda: D.route(note, area="戸部本町")):
        work, err = _work(fn)
        assert isinstance(err, NoteTooLongError) and work < 1_000
        assert str(err).startswith(f"note is {len(note):,} characters long; the limit is 10,000")
        assert "ゴミ屋敷" not in str(err)


def test_hidden_characters_cannot_hide_a_safety_concern() -> None:
    for note in ("死に\u200dたい", "死に\u200bたい", "\u202e死にたい\u202c", "死\u00adにたい"):
        plan = D.route(note, area="戸部本町")
        assert plan.advisories and plan.advisories[0].rule == "suicide_emergency", note
