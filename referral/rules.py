"""Concern rules: how cues combine into a concern, with who did what to whom.

A rule (in ``referral/concepts.json``) names a concern, a weight and the atoms that must meet
in one sentence (``scope: "clause"`` or ``"note"`` also exist): ``all`` is a list of groups,
each satisfied by any one of its atoms; ``none`` lists atoms that stop the rule. The first
group is the rule's *act*; ``patient`` and ``agent`` say to whom it must be done and by whom:

- when the note says it (the person before を/に, or the subject of a passive verb), the
  person must be of those atoms, or the rule does not apply (母親が子どもを叩く is not elder
  abuse);
- when the note does not say, such a person must be mentioned in the same sentence, and the
  rule counts at its ``fallback`` weight when it has one.

Cues that are negated, hypothetical or only named as a topic take no part. A rule hit keeps
the cues that made it, so every concern can show the words behind it.

Examples
--------
>>> from referral.cues import load_lexicon, find_cues
>>> from referral.morphology import analyse
>>> lex = load_lexicon()
>>> rules = compile_rules(lex.rules)
>>> def concerns(note):
...     cues = find_cues(analyse(note), lex)
...     return sorted({h.concern for h in apply_rules(cues, rules)})
>>> concerns("母親が育児に疲れて子どもを叩いてしまう")
['child_abuse', 'isolated_parenting']
>>> concerns("息子が80代の父親を殴っているようだ")
['elder_abuse']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .cues import Cue

__all__ = [
    "NOTE_WINDOW",
    "WIDE_DISCOUNT",
    "Rule",
    "RuleHit",
    "RuleSet",
    "apply_rules",
    "compile_rules",
    "roles",
]

NOTE_WINDOW = 4
"""How many consecutive sentences a ``note``-scope rule reads together (a long note is read
in overlapping windows, so that concepts far apart in it do not meet by chance)."""

WIDE_DISCOUNT = 0.6
"""What a rule weighs when its words only meet across sentences of the note (the child in one
sentence, 食べてない in the next), for the concerns that ``apply_rules`` is asked to widen:
those with safety advice, where a weak clue must still be shown."""

_INACTIVE = frozenset({"negated", "hypothetical", "topic", "past"})


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled concern rule (see the module notes)."""

    id: str
    concern: str
    weight: float
    all: tuple[frozenset[str], ...]
    none: frozenset[str] = frozenset()
    scope: str = "sentence"
    patient: frozenset[str] = frozenset()
    agent: frozenset[str] = frozenset()
    not_agent: frozenset[str] = frozenset()
    not_patient: frozenset[str] = frozenset()
    fallback: float | None = None
    safety: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that applied: its concern, weight, the cues behind it and its safety rules."""

    rule: str
    concern: str
    weight: float
    cues: tuple[Cue, ...]
    safety: tuple[str, ...] = ()


class RuleSet(tuple[Rule, ...]):
    """Compiled rules, indexed by the atoms of their first group (a note only tries the
    rules whose act it mentions).
    """

    by_atom: dict[str, tuple[int, ...]]

    def __new__(cls, rules: Iterable[Rule]) -> RuleSet:
        """The rules, in order, indexed by the atoms of their first part."""
        self = super().__new__(cls, tuple(rules))
        index: dict[str, list[int]] = defaultdict(list)
        for i, rule in enumerate(self):
            for atom in rule.all[0]:
                index[atom].append(i)
        self.by_atom = {a: tuple(v) for a, v in index.items()}
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickles as its rules
        return (RuleSet, (tuple(self),))


def compile_rules(specs: Iterable[dict[str, Any]]) -> RuleSet:
    """Rules from their lexicon entries."""
    return RuleSet(
        Rule(
            id=s["id"],
            concern=s["concern"],
            weight=float(s["weight"]),
            all=tuple(frozenset(g if isinstance(g, list) else [g]) for g in s["all"]),
            none=frozenset(s.get("none", ())),
            scope=s.get("scope", "sentence"),
            patient=frozenset(s.get("patient", ())),
            agent=frozenset(s.get("agent", ())),
            not_agent=frozenset(s.get("not_agent", ())),
            not_patient=frozenset(s.get("not_patient", ())),
            fallback=s.get("fallback"),
            safety=tuple(s.get("safety", ())),
        )
        for s in specs
    )


def apply_rules(
    cues: Sequence[Cue], rules: RuleSet, *, widen: frozenset[str] = frozenset()
) -> list[RuleHit]:
    """Every hit of ``rules`` among ``cues`` (at most one per rule and scope unit).

    A sentence- or clause-scope rule of a concern in ``widen`` that does not apply in any
    sentence is tried again on the whole note (in windows of ``NOTE_WINDOW`` sentences), at
    ``WIDE_DISCOUNT`` times its weight.
    """
    active = [c for c in cues if c.polarity not in _INACTIVE]
    units: dict[str, dict[int, list[Cue]]] = {
        "clause": defaultdict(list),
        "sentence": defaultdict(list),
        "note": defaultdict(list),
    }
    for c in active:
        units["clause"][c.clause].append(c)
        units["sentence"][c.sentence].append(c)
        for window in range(max(0, c.sentence - NOTE_WINDOW + 1), c.sentence + 1):
            units["note"][window].append(c)  # the sentences window..window+NOTE_WINDOW-1
    candidates: set[int] = set()
    note_atoms: frozenset[str] = frozenset().union(*(c.atoms for c in active))
    for atom in note_atoms:
        candidates.update(rules.by_atom.get(atom, ()))
    hits: list[RuleHit] = []
    atoms_of: dict[tuple[str, int], frozenset[str]] = {}
    for i in sorted(candidates):
        rule = rules[i]
        before = len(hits)
        scopes = [rule.scope]
        if rule.concern in widen and rule.scope != "note":
            scopes.append("note")
        for scope in scopes:
            if len(hits) > before:
                break  # applied at its own scope: no need to widen
            for key, unit in units[scope].items():
                have = atoms_of.get((scope, key))
                if have is None:
                    have = atoms_of[scope, key] = frozenset().union(*(c.atoms for c in unit))
                if not rule.none.isdisjoint(have) or any(g.isdisjoint(have) for g in rule.all):
                    continue
                hit = _apply(rule, unit)
                if hit is not None:
                    if scope != rule.scope:
                        hit = replace(hit, weight=round(hit.weight * WIDE_DISCOUNT, 3))
                    hits.append(hit)
    return hits


def _has(cue: Cue, atoms: frozenset[str]) -> bool:
    return not cue.atoms.isdisjoint(atoms)


def _apply(rule: Rule, unit: list[Cue]) -> RuleHit | None:
    groups = [[c for c in unit if _has(c, g)] for g in rule.all]
    if not all(groups):
        return None
    best: tuple[float, Cue] | None = None
    for act in groups[0]:
        weight = _roles_weight(rule, act, unit)
        if weight is not None and (best is None or weight > best[0]):
            best = (weight, act)
    if best is None:
        return None
    weight, act = best
    chosen = [act]
    for group in groups[1:]:
        if not any(c in chosen for c in group):
            chosen.append(min(group, key=lambda c: abs(c.first - act.first)))
    chosen.sort(key=lambda c: c.first)
    return RuleHit(rule.id, rule.concern, weight, tuple(chosen), rule.safety)


def _roles_weight(rule: Rule, act: Cue, unit: list[Cue]) -> float | None:
    """The rule's weight for this act given who does it to whom, or ``None``."""
    if not (rule.patient or rule.agent or rule.not_agent or rule.not_patient):
        return rule.weight
    patients, agents = roles(act, unit)
    if any(_has(a, rule.not_agent) for a in agents) or any(
        _has(p, rule.not_patient) for p in patients
    ):
        return None
    weight = rule.weight
    for wanted, found in ((rule.patient, patients), (rule.agent, agents)):
        if not wanted:
            continue
        if found:
            if not any(_has(p, wanted) for p in found):
                return None
            continue
        taken = agents if wanted is rule.patient else patients  # one person, one role
        others = [c for c in unit if c is not act and _has(c, wanted) and c not in taken]
        if wanted is rule.patient:
            others = [
                c
                for c in others
                if c.role != "subject"
                or act.passive
                or act.atom not in ("violence", "shouting", "take_money")
            ]
        if not others and not _has(act, wanted):
            return None
        if rule.fallback is not None:
            weight = min(weight, rule.fallback)
    return weight


def roles(act: Cue, unit: Sequence[Cue]) -> tuple[list[Cue], list[Cue]]:
    """Who undergoes and who does ``act``, as far as the sentence says.

    Japanese: before an active verb, the person marked が/は is the agent and the one
    marked を/に the patient; a passive verb (叩かれる) swaps them, its agent marked に/から.
    A person marked の before a sign (子どもの腕のあざ) is its patient. English: the person
    before the verb acts on the one after it; a passive verb's agent follows "by".
    """
    people = [c for c in unit if c.person]
    before = [c for c in people if c.last < act.first and c is not act]
    after = [c for c in people if c.first > act.last]
    if act.english:  # no particles: the person before the verb is its subject
        before = [replace(c, role="subject") if c.role is None else c for c in before]
    if act.passive:
        patients = [c for c in before if c.role == "subject"]
        agents = [c for c in (*before, *after) if c.role in ("agent", "target")]
    elif act.atom in _SIGNS:
        patients = [c for c in before if c.role in ("owner", "subject", "target")]
        agents = []
    else:
        agents = [c for c in before if c.role == "subject"]
        patients = [c for c in before if c.role in ("object", "target")]
        owners = [c for c in before if c.role == "owner"]
        if act.pos == "noun":
            agents += [c for c in owners if c.last + 2 >= act.first]  # 父親の暴力
        elif not patients:
            patients = owners  # 実母の背部を蹴る
    if not act.passive and not agents and not patients and after:
        patients = [c for c in after if c.role is None][:1]  # English: "hit the child"
    return patients[-1:], agents[-1:]


_SIGNS = frozenset({"injury", "crying"})
