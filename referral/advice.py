"""The advice a safety clue calls for: the numbers to call and what to do, first in a plan.

Safety rules (:data:`referral.vocabulary.SAFETY_RULES`) override ranking: a route puts one
:class:`~referral.models.Advisory` per clue before its suggestions, and ``referral match``
prints the same advice for a note. A weak clue's advice stands, saying it is weak.

>>> WEAK_PREFIX.en
'(The clue is weak, but to be safe:) '
"""

from __future__ import annotations

from .models import Advisory, AgencyRef, SafetyClue, Text
from .vocabulary import SAFETY_RULES

__all__ = ["WEAK_PREFIX", "advisory"]


def advisory(clue: SafetyClue, agencies: tuple[AgencyRef, ...] = ()) -> Advisory:
    """The advice a safety clue calls for (a weak clue says it is weak; the advice stands).

    >>> from referral.models import SafetyClue
    >>> adv = advisory(SafetyClue(rule="child_abuse_189", concern="child_abuse",
    ...                           confidence=0.4, weak=True))
    >>> adv.numbers, adv.message.ja.startswith("（手がかりは弱いですが、念のため）")
    (('189', '110'), True)
    """
    rule = SAFETY_RULES[clue.rule]
    message = Text(ja=rule.ja, en=rule.en)
    if clue.weak:
        message = Text(ja=WEAK_PREFIX.ja + rule.ja, en=WEAK_PREFIX.en + rule.en)
    return Advisory(
        rule=clue.rule,
        concern=clue.concern,
        message=message,
        numbers=rule.numbers,
        agencies=agencies,
        weak=clue.weak,
        evidence=clue.words,
        learned=clue.learned,
    )


WEAK_PREFIX = Text(
    ja="（手がかりは弱いですが、念のため）",
    en="(The clue is weak, but to be safe:) ",
)
"""What a weak clue's advisory says first: the advice stands, the evidence is thin."""
