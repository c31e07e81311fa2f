"""How a note says something: stated, suspected, ruled out, supposed, a topic, or over.

``plain``
    stated (叩いている);
``suspected``
    suspected or reported (叩いているようだ, 虐待ではないか, "I think he hits her"): still a cue;
``negated``
    ruled out (叩いていない, 「死にたいとは言っていない」, "no sign of abuse");
``hypothetical``
    supposed (虐待を見つけたら, "if you suspect abuse");
``topic``
    named as a subject, not a situation (自殺予防の講演会, 認知症サポーター養成講座);
``past``
    told as over and done ("years ago", 今は落ち着いている): set by :mod:`referral.cues`,
    which also turns what an announcement names into a topic.

Japanese is read from the words after the phrase (its predicate's tail: ない, ようだ, たら, 予防),
English from the words before it in its clause ("no", "if", "I think"). A negation ends with
its sentence.

>>> from referral.morphology import analyse
>>> toks = analyse("死にたいとは言っていない")
>>> polarity(toks, 0, 1)
'negated'
>>> toks = analyse("虐待ではないか")
>>> polarity(toks, 0, 0)
'suspected'
>>> toks = analyse("息子に叩かれている")
>>> polarity(toks, 2, 2), passive(toks, 2, 2)
('plain', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .morphology import Token

__all__ = ["CASE_PARTICLES", "NEGATION", "TAIL_LENGTH", "Polarity", "passive", "polarity"]

Polarity = Literal["plain", "suspected", "negated", "hypothetical", "topic", "past"]

CASE_PARTICLES = frozenset({"を", "が", "は", "も", "に", "へ"})
"""The particles that mark a person or thing as an argument of a verb."""

TAIL_LENGTH = 12
"""How many words after a cue are read for negation, suspicion and supposition."""

# -- Japanese function words that do not end a predicate ------------------------------------
NEGATION = frozenset({"ない", "無い", "ぬ", "ず", "ん", "無し", "なし", "へん", "ひん", "not"})
_SUSPICION = frozenset(
    {"か", "かも", "かしら", "だろう", "でしょう", "疑い", "恐れ", "おそれ", "気", "かな", "のでは"}
)
_SPEECH = frozenset(
    {"言う", "話す", "思う", "聞く", "訴える", "漏らす", "口", "為る", "呟く", "書く", "云う"}
)
_HEDGE_NOUNS = frozenset(
    {
        "心配",
        "疑い",
        "恐れ",
        "おそれ",
        "様子",
        "兆候",
        "形跡",
        "気配",
        "可能",
        "可能性",
        "事実",
        "傾向",
        "訴え",
        "跡",
        "痕跡",
        "所見",
        "様",
        "よう",
        "感じ",
        "素振り",
        "問題",
    }
)
_TAIL_VERBS = frozenset(
    {"見る", "見える", "見当たる", "見受ける", "認める", "確認", "有る", "居る", "見せる", "為る"}
)
_CONDITIONAL_SURFACES = frozenset({"たら", "だら", "れば", "ったら"})
_CONDITIONAL_NOUNS = frozenset({"場合", "際", "時", "とき"})
_TOPIC_NOUNS = frozenset(
    {
        "予防",
        "防止",
        "対策",
        "研修",
        "講座",
        "講演",
        "講演会",
        "講習",
        "教室",
        "啓発",
        "セミナー",
        "キャンペーン",
        "月間",
        "週間",
        "養成",
        "サポーター",
        "カフェ",
        "法",
        "基本法",
        "防止法",
        "条例",
        "ポスター",
        "パンフレット",
        "チラシ",
        "研究",
        "調査",
        "統計",
        "件数",
        "相談窓口",
        "窓口",
        "講師",
        "シンポジウム",
        "フォーラム",
        "勉強会",
        "ダイヤル",
        "ホットライン",
        "施策",
        "計画",
        "推進",
        "事業",
    }
)
_EN_NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "n't",
        "without",
        "nobody",
        "none",
        "neither",
        "nor",
        "deny",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "won't",
        "hasn't",
        "haven't",
        "hadn't",
    }
)
_EN_NEGATION_BREAKERS = frozenset({"sure", "only", "doubt", "longer", "matter"})
_EN_SUSPECT = frozenset(
    {
        "think",
        "suspect",
        "worry",
        "worried",
        "seem",
        "may",
        "might",
        "maybe",
        "perhaps",
        "possibly",
        "probably",
        "apparently",
        "afraid",
        "concern",
        "concerned",
        "wonder",
    }
)
_EN_HYPOTHETICAL = frozenset({"if", "whether", "unless", "suppose"})
_EN_TOPIC_AFTER = frozenset(
    {
        "prevention",
        "awareness",
        "training",
        "course",
        "workshop",
        "campaign",
        "seminar",
        "week",
        "month",
        "talk",
        "lecture",
        "policy",
        "statistics",
        "hotline",
        "helpline",
    }
)
_EN_PASSIVE_AUX = frozenset({"be", "get", "was", "were", "been", "being", "is", "are"})


def polarity(tokens: Sequence[Token], first: int, last: int) -> Polarity:
    """How the note says the words ``tokens[first..last]`` (see the module notes)."""
    if tokens[first].english:
        return _english_polarity(tokens, first, last)
    if _supposed(tokens, first):
        return "hypothetical"
    negated = suspected = crossed = False
    clause = tokens[last].clause
    for k in range(last + 1, min(len(tokens), last + 1 + TAIL_LENGTH)):
        t = tokens[k]
        if t.clause != clause or t.pos == "stop":
            break
        if k == last + 1 and t.pos in ("noun", "suffix") and t.lemma in _TOPIC_NOUNS:
            return "topic"
        if (
            t.surface in _CONDITIONAL_SURFACES
            or (t.pos == "conj" and t.lemma == "ば")
            or (t.lemma in _CONDITIONAL_NOUNS and not negated)
        ):
            if not _narrated_after(tokens, k):
                return "hypothetical"
            continue  # 行ったら倒れていた: "when", not "if"
        if t.lemma in NEGATION and t.pos in ("aux", "adj", "noun", "suffix"):
            negated = negated or not crossed  # past another verb, its own (やめられない)
            continue
        if t.lemma in _SUSPICION or (
            t.lemma == "の" and k + 1 < len(tokens) and tokens[k + 1].lemma == "で"
        ):
            suspected = True
            continue
        if t.pos in ("case", "bind", "aux", "vaux", "final", "adv_p", "nominal", "conj"):
            continue
        if t.lemma in _SPEECH or t.lemma in _TAIL_VERBS or t.lemma in _HEDGE_NOUNS:
            continue
        if (
            t.pos == "verb"
            and not crossed
            and tokens[last].pos == "noun"
            and tokens[k - 1].lemma in CASE_PARTICLES
        ):
            crossed = True  # the cue's own predicate (虐待を|見つけたら): read on
            continue
        break  # another content word: the predicate ended
    return "suspected" if suspected else "negated" if negated else "plain"


def _supposed(tokens: Sequence[Token], first: int) -> bool:
    """Whether the words come right after a 「もし」 (若し, 仮に) of their own clause."""
    before = tokens[first - 1] if first > 0 else None
    return (
        before is not None
        and before.lemma in ("若し", "もし", "仮に")
        and (before.clause == tokens[first].clause)
    )


def _narrated_after(tokens: Sequence[Token], k: int) -> bool:
    """Whether the sentence goes on to tell what happened: it ends in the past tense (行ったら
    倒れていた) or on a noun (入ったら冷蔵庫が空っぽ). Then a たら or a 時 is "when", not "if";
    an instruction (見つけたら189へ, 見つけたら連絡してください) is "if".
    """
    sentence = tokens[k].sentence
    end = k
    for j in range(k + 1, len(tokens)):
        if tokens[j].sentence != sentence:
            break
        if tokens[j].pos not in ("stop", "comma", "sym", "final"):
            end = j
    if end == k:
        return False
    last = tokens[end]
    if last.pos == "aux" and last.lemma in ("た", "だ", "です"):
        return True
    return last.pos in ("noun", "suffix") and tokens[end - 1].pos != "case"


def _english_polarity(tokens: Sequence[Token], first: int, last: int) -> Polarity:
    clause = tokens[first].clause
    after = tokens[last + 1] if last + 1 < len(tokens) else None
    if after is not None and after.clause == clause and after.lemma in _EN_TOPIC_AFTER:
        return "topic"
    suspected = False
    for k in range(first - 1, max(-1, first - 9), -1):
        t = tokens[k]
        if t.clause != clause:
            break
        if t.lemma in _EN_HYPOTHETICAL:
            return "hypothetical"
        if t.lemma in _EN_NEGATORS:
            nxt = tokens[k + 1].lemma if k + 1 < len(tokens) else ""
            if nxt not in _EN_NEGATION_BREAKERS:
                return "negated"
        if t.lemma in _EN_SUSPECT:
            suspected = True
    return "suspected" if suspected else "plain"


def passive(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the words ``tokens[first..last]`` are said in the passive (叩かれる, 暴力を受ける,
    "was hit"): the person before them then undergoes the act.
    """
    t = tokens[last]
    if t.english:
        prev = [
            tokens[k].lemma for k in range(max(0, first - 3), first) if tokens[k].clause == t.clause
        ]
        return any(p in _EN_PASSIVE_AUX for p in prev[-2:])
    if any(tokens[k].lemma in ("れる", "られる") for k in range(first + 1, last + 1)):
        return True  # the phrase itself is passive (怒鳴られる)
    for k in range(last + 1, min(len(tokens), last + 3)):
        nxt = tokens[k]
        if nxt.lemma in ("れる", "られる", "受ける"):
            return True  # 叩かれる, 暴力を受ける
        if nxt.pos not in ("aux", "vaux") and nxt.lemma != "を":
            return False
    return False
