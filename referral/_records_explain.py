"""The outcome report where people read it: routing reasons and the gap report (private).

:func:`with_outcomes` adds to each suggestion of a plan what the records saw of that body for
that concern ("answered 4 of 11 hoarding referrals within 30 days"), only from a cell that is
not suppressed; :func:`outcome_section` is the report's section of ``referral gaps
--records``. Both take the cells of :meth:`Records.report <referral.records.Records.report>`
(or their JSON) and need no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._lang import Lang
from ._messages import say
from ._plan_models import ReferralPlan
from ._records_codes import ANSWER_DAYS, MIN_CELL, rate_text
from ._render import table
from .models import Text

__all__ = ["outcome_reason", "outcome_rows", "outcome_section", "with_outcomes"]


def _get(cell: Any, key: str) -> Any:
    return cell.get(key) if isinstance(cell, Mapping) else getattr(cell, key)


def outcome_reason(cell: Any, concern: Text) -> Text | None:
    """The reason line of one cell, or ``None`` when the cell is suppressed or empty."""
    n, answered = _get(cell, "referred"), _get(cell, "answered_in_time")
    if _get(cell, "suppressed") or not n or answered is None:
        return None
    fields = {"n": n, "answered": answered, "days": ANSWER_DAYS}
    return Text(
        ja=say("outcome_answered", "ja", concern=concern.ja, **fields),
        en=say("outcome_answered", "en", concern=concern.en, **fields),
    )


def with_outcomes(plan: ReferralPlan, cells: Iterable[Any]) -> ReferralPlan:
    """The plan with an outcome reason on each suggestion the records have seen enough of."""
    by_key = {(_get(c, "agency"), _get(c, "concern")): c for c in cells}
    names = {c.id: c.name for c in plan.concerns}
    suggestions = []
    for s in plan.suggestions:
        extra = [
            reason
            for concern in s.concerns
            if (cell := by_key.get((s.agency.id, concern))) is not None
            and concern in names
            and (reason := outcome_reason(cell, names[concern])) is not None
        ]
        suggestions.append(s.model_copy(update={"reasons": (*s.reasons, *extra)}) if extra else s)
    return plan.model_copy(update={"suggestions": tuple(suggestions)})


def outcome_rows(cells: Sequence[Any]) -> list[list[str]]:
    """One row per cell: the funnel, days to answer, rates, decline reasons and loops."""
    out = []
    for c in cells:
        key = [_get(c, "agency"), _get(c, "concern"), _get(c, "ward")]
        if _get(c, "suppressed"):
            out.append([*key, f"<{MIN_CELL}", *[""] * 8])
            continue
        days = _get(c, "median_days_to_response")
        reasons = _get(c, "decline_reasons") or {}
        counts = ("referred", "accepted", "contacted", "served", "re_referred")
        out.append(
            [
                *key,
                *(str(_get(c, k)) for k in counts[:4]),
                "" if days is None else f"{days:.1f}",
                rate_text(_get(c, "no_response_rate")),
                rate_text(_get(c, "decline_rate")),
                " ".join(f"{k}:{v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])[:3]),
                str(_get(c, "re_referred")),
            ]
        )
    return out


def outcome_section(cells: Sequence[Any], *, lang: Lang) -> str:
    """The outcome section of the gap report, as text."""
    suppressed = sum(1 for c in cells if _get(c, "suppressed"))
    header = [
        "agency",
        "concern",
        "ward",
        "referred",
        "accepted",
        "contacted",
        "served",
        "median_days",
        "no_response (95%)",
        "declined (95%)",
        "decline_reasons",
        "re_referred_90d",
    ]
    heading = say("outcome_heading", lang, n=len(cells), suppressed=suppressed)
    return heading + "\n" + table(header, outcome_rows(cells), max_width=40)
