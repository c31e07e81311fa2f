"""Tokenise and lemmatise a note, keeping every token's place in the original text.

Japanese goes through SudachiPy with the ``sudachidict-core`` dictionary (split mode C): each
token carries Sudachi's *normalised form*, so 叩かれ, たたかれ and 叩いて all read 叩く, しにたい
reads 死ぬ + たい, and 子ども reads 子供. English sentences go through ``simplemma`` (bruises →
bruise, beaten → beat). A sentence is English when most of its letters are Latin; a Latin word
inside Japanese (DV, OD) stays with Sudachi.

Offsets always point into the text as given: Sudachi maps its own normalisation (width, case)
back, and the characters removed before analysis (control and format characters such as a
zero-width joiner) are mapped back here.

Nothing is kept: a call analyses its text and returns tokens; no text is cached or logged.

Examples
--------
>>> [(t.lemma, t.pos) for t in analyse("叩かれていた")][:2]
[('叩く', 'verb'), ('れる', 'aux')]
>>> [t.lemma for t in analyse("She was beaten by her husband.")][1:4]
['be', 'beat', 'by']
>>> t = analyse("ＤＶを受けた")[0]
>>> (t.lemma, t.start, t.end)
('dv', 0, 2)
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple

__all__ = ["MAX_SENTENCE_TOKENS", "Token", "analyse", "analyse_phrase", "is_english"]

# coarse parts of speech used by the cue rules
_POS_CLASSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("名詞", "数詞"), "num"),
    (("名詞",), "noun"),
    (("代名詞",), "pron"),
    (("動詞", "非自立可能"), "vaux"),
    (("動詞",), "verb"),
    (("形容詞", "非自立可能"), "adj"),
    (("形容詞",), "adj"),
    (("形状詞",), "noun"),
    (("助動詞",), "aux"),
    (("助詞", "格助詞"), "case"),
    (("助詞", "係助詞"), "bind"),
    (("助詞", "接続助詞"), "conj"),
    (("助詞", "副助詞"), "adv_p"),
    (("助詞", "終助詞"), "final"),
    (("助詞", "準体助詞"), "nominal"),
    (("助詞",), "particle"),
    (("接尾辞",), "suffix"),
    (("接頭辞",), "prefix"),
    (("補助記号", "句点"), "stop"),
    (("補助記号", "読点"), "comma"),
    (("補助記号", "括弧開"), "open"),
    (("補助記号", "括弧閉"), "close"),
    (("補助記号",), "sym"),
    (("空白",), "space"),
    (("副詞",), "adv"),
    (("連体詞",), "adnominal"),
    (("接続詞",), "conjunction"),
    (("感動詞",), "interjection"),
)
_SENTENCE_END = frozenset("。．！？!?\n…")

MAX_SENTENCE_TOKENS = 80
"""Tokens after which a run with no full stop counts as a new sentence (concepts meet within a
sentence, so ten thousand characters without a stop are not one)."""
_STRIP = re.compile(  # control, zero-width, bidi, variation characters; lone surrogates
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
    r"\ud800-\udfff]"
)
_SENTENCES = re.compile(r"[^。．！？!?\n…]*[。．！？!?\n…]*")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_EN_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)?|[^\sa-z\d]")
_EN_STOP = frozenset(".!?;\n")
_EN_TITLES = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "vs", "etc", "e.g", "i.e"})
_EN_CLAUSE = frozenset({",", ":", "but", "although", "though", "because", "however", "whereas"})


class Token(NamedTuple):
    """One token: its lemma, a coarse part of speech, and where it is in the original text.

    ``sentence`` and ``clause`` number the sentences and clauses of the note (a clause ends
    at a comma or a conjunctive particle such as けど・ので, or "but").
    """

    lemma: str
    pos: str
    start: int
    end: int
    sentence: int
    clause: int
    surface: str
    english: bool = False


class _Sudachi:
    """One Sudachi tokenizer per thread (a tokenizer is not thread-safe); the dictionary is
    shared and opened on first use.
    """

    _dictionary: Any = None
    _lock = threading.Lock()
    _local = threading.local()
    _pos: ClassVar[dict[int, str]] = {}

    @classmethod
    def tokenizer(cls) -> Any:
        tok = getattr(cls._local, "tokenizer", None)
        if tok is None:
            with cls._lock:
                if cls._dictionary is None:
                    from sudachipy import Dictionary  # noqa: PLC0415 - opened on first use

                    cls._dictionary = Dictionary(dict="core")
            from sudachipy import SplitMode  # noqa: PLC0415

            tok = cls._dictionary.tokenizer(mode=SplitMode.C)
            cls._local.tokenizer = tok
        return tok

    @classmethod
    def pos(cls, pos_id: int) -> str:
        found = cls._pos.get(pos_id)
        if found is None:
            tags = cls._dictionary.pos_of(pos_id)
            found = next(
                (name for prefix, name in _POS_CLASSES if tags[: len(prefix)] == prefix),
                "other",
            )
            cls._pos[pos_id] = found
        return found


@lru_cache(maxsize=1)
def _simplemma() -> Any:
    import simplemma  # noqa: PLC0415 - loaded only when a note has English in it

    return simplemma


def _en_lemma(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]  # a resident's account: resident
    if not word.isalpha():
        return word
    return str(_simplemma().lemmatize(word, lang="en")).lower()


def is_english(sentence: str) -> bool:
    """Whether most letters of ``sentence`` are Latin (it is then read as English).

    >>> is_english("He hit her."), is_english("DVを受けている"), is_english("")
    (True, False, False)
    """
    latin = len(_LATIN.findall(sentence))
    return latin > 0 and latin * 2 > len(_LETTER.findall(sentence))


def analyse(text: str) -> list[Token]:
    """Split ``text`` into sentences and clauses and return its tokens, in order.

    Spaces are dropped; punctuation is kept (it bounds clauses). The caller checks the
    type and length of ``text``. Consecutive Japanese sentences are analysed in one call; a
    run of more than :data:`MAX_SENTENCE_TOKENS` tokens with no full stop is cut.
    """
    keep: list[int] | None = None
    if _STRIP.search(text):
        keep = [i for i, ch in enumerate(text) if not _STRIP.match(ch)]
        clean = "".join(text[i] for i in keep)
    else:
        clean = text
    spans = [(m.start(), m.end()) for m in _SENTENCES.finditer(clean) if m.group().strip()]
    english = [is_english(clean[a:b]) for a, b in spans]
    out: list[Token] = []
    at = (0, 0)  # the next sentence and clause numbers
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and not english[i] and not english[j + 1]:
            j += 1  # a run of Japanese sentences
        reader = _english if english[i] else _japanese
        at = reader(clean, spans[i : j + 1], at, out)
        i = j + 1
    if keep is not None:
        out = [t._replace(start=keep[t.start], end=keep[t.end - 1] + 1) for t in out]
    return out


def analyse_phrase(text: str) -> tuple[str, ...]:
    """The lemmas of a lexicon phrase, as :func:`analyse` would read them in a note
    (punctuation and spaces dropped).

    >>> analyse_phrase("たたかれる"), analyse_phrase("bruises on his arms")
    (('叩く', 'れる'), ('bruise', 'on', 'his', 'arm'))
    """
    return tuple(t.lemma for t in analyse(text) if t.pos not in ("stop", "comma", "sym"))


def _japanese(
    text: str, spans: list[tuple[int, int]], at: tuple[int, int], out: list[Token]
) -> tuple[int, int]:
    """Tokens of the Japanese sentences ``spans`` of ``text``, read in one call, numbered
    from ``at`` (sentence, clause); returns the next numbers.
    """
    base, stop = spans[0][0], spans[-1][1]
    bounds = [s for s, _ in spans[1:]] + [len(text) + 1]  # where each next sentence starts
    pos_cache = _Sudachi._pos
    pos_of = _Sudachi.pos
    sentence, clause = at
    k = run = 0
    append = out.append
    for mo in _Sudachi.tokenizer().tokenize(text[base:stop]):
        pid = mo.part_of_speech_id()
        pos = pos_cache.get(pid) or pos_of(pid)
        if pos == "space":
            continue
        begin = base + mo.begin()
        while begin >= bounds[k] or run >= MAX_SENTENCE_TOKENS:
            if begin >= bounds[k]:
                k += 1
            sentence, clause, run = sentence + 1, clause + 1, 0
        lemma = mo.normalized_form()
        if lemma.isascii():
            lemma = lemma.lower()
        append(Token(lemma, pos, begin, base + mo.end(), sentence, clause, mo.surface()))
        run += 1
        if pos == "comma" or (pos == "conj" and lemma in _JA_CLAUSE_END):
            clause += 1
    return sentence + 1, clause + 1


_JA_CLAUSE_END = frozenset({"が", "けれど", "けど", "けれども", "ので", "のに", "から", "し"})


def _english(
    text: str, spans: list[tuple[int, int]], at: tuple[int, int], out: list[Token]
) -> tuple[int, int]:
    """Tokens of one English sentence (``spans`` holds it alone), numbered from ``at``."""
    (start, end), (sentence, clause) = spans[0], at
    chunk = text[start:end]
    stopped = False
    for m in _EN_WORD.finditer(chunk.lower()):
        word = m.group()
        if stopped and word not in _EN_STOP:
            sentence, clause, stopped = sentence + 1, clause + 1, False  # after "x. Y"
        if word in _EN_STOP:
            pos = "stop"
            last = out[-1].lemma if out and out[-1].english else ""
            stopped = last not in _EN_TITLES and not (word == "." and len(last) == 1)
        elif word in _EN_CLAUSE:
            clause += 1
            pos = "comma"
        elif word.isalpha() or "'" in word or "’" in word:
            pos = "word"
        elif word[0].isdigit():
            pos = "num"
        else:
            pos = "sym"
        lemma = _en_lemma(word.replace("’", "'")) if pos == "word" else word
        out.append(
            Token(
                lemma,
                pos,
                start + m.start(),
                start + m.end(),
                sentence,
                clause,
                chunk[m.start() : m.end()],
                True,
            )
        )
    return sentence + 1, clause + 1
