"""Reading notes as people write them: morphology, concept cues, rules, associations, and the
notes quoted in the issue, each behaving as a coordinator expects."""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral import Directory
from referral.association import content_lemmas, load_associations
from referral.cues import age_atom, analyser_versions, find_cues, load_lexicon
from referral.matching import Matcher, default_matcher, load_concerns
from referral.morphology import MAX_SENTENCE_TOKENS, analyse, is_english
from referral.rules import NOTE_WINDOW, compile_rules
from referral.vocabulary import CONCERN_IDS, SAFETY_RULES

ROOT = Path(__file__).resolve().parent.parent


def read(note: str) -> tuple[list[str], list[str]]:
    reading = default_matcher().read(note)
    return [m.concern for m in reading.matches], [c.rule for c in reading.safety]


def cues(note: str) -> dict[str, str]:
    """atom -> polarity of each cue (the first of each atom)."""
    out: dict[str, str] = {}
    for c in find_cues(analyse(note), load_lexicon()):
        out.setdefault(c.atom, c.polarity)
    return out


# -- the notes quoted in the issue -----------------------------------------------------------
@pytest.mark.parametrize(
    ("note", "first_advice", "concern"),
    [
        ("隣の家から子どもの泣き叫ぶ声と怒鳴り声が毎晩聞こえる", "child_abuse_189", "child_abuse"),
        ("父親が子どもを殴っている", "child_abuse_189", "child_abuse"),
        (
            "A child is being hit by his father, bruises on his arms",
            "child_abuse_189",
            "child_abuse",
        ),
        ("息子が80代の父親を殴っているようだ。あざがある", "elder_abuse_report", "elder_abuse"),
        ("年金を息子に取り上げられている", "elder_abuse_report", "elder_abuse"),
        (
            "一人暮らしの高齢者が家の中で倒れているかもしれない。呼んでも返事がない",
            "emergency_check",
            "welfare_check",
        ),
        ("死にたくなる", "suicide_emergency", "suicide_risk"),
        ("not sure but she said she wants to die", "suicide_emergency", "suicide_risk"),
    ],
)
def test_plain_words_bring_their_safety_advice_first(
    note: str, first_advice: str, concern: str
) -> None:
    concerns, advice = read(note)
    assert advice[:1] == [first_advice]
    assert concern in concerns
    plan = Directory.load().route(note, area="戸部本町")
    assert plan.advisories[0].rule == first_advice
    assert not plan.advisories[0].weak


def test_neglect_alone_is_a_weak_clue_whose_advice_still_comes_first() -> None:
    reading = default_matcher().read("ネグレクト")
    assert reading.matches == ()
    assert [(c.rule, c.weak) for c in reading.safety][:1] == [("child_abuse_189", True)]
    plan = Directory.load().route("ネグレクト", area="戸部本町")  # no NoConcernError: a plan
    assert plan.advisories[0].rule == "child_abuse_189" and plan.advisories[0].weak
    assert plan.advisories[0].message.ja.startswith("（手がかりは弱いですが")
    assert [c.weak for c in plan.concerns] == [True]
    assert any(s.agency.kind == "child_guidance_center" for s in plan.suggestions)


def test_the_person_and_the_act_in_different_sentences_still_give_a_weak_clue() -> None:
    reading = default_matcher().read("小学2年の男の子がいる。家でご飯を食べていないようだ。")
    assert [(c.rule, c.weak) for c in reading.safety] == [("child_abuse_189", True)]


def test_a_word_inside_another_concern_word_is_that_concern_own() -> None:
    # 虐待 (an alias of child abuse) inside 高齢者虐待 is evidence of elder abuse only
    concerns, advice = read("高齢者虐待の疑いがある。同居の息子さんが母親の腕をつかんでいた。")
    assert concerns == ["elder_abuse"] and advice == ["elder_abuse_report"]


def test_the_better_evidenced_advice_comes_first() -> None:
    reading = default_matcher().read("障害者施設で職員が利用者を殴っていた。虐待だと思う。")
    assert [c.rule for c in reading.safety][:1] == ["disability_abuse_report"]


def test_a_wish_to_die_said_not_to_be_said_is_no_clue() -> None:
    assert read("死にたいとは言っていない") == ([], [])
    assert cues("死にたいとは言っていない")["suicide_wish"] == "negated"


def test_who_hits_whom_tells_child_abuse_from_elder_abuse() -> None:
    concerns, advice = read("母親が育児に疲れて子どもを叩いてしまう")
    assert "child_abuse" in concerns and "elder_abuse" not in concerns
    assert advice[:1] == ["child_abuse_189"]
    concerns, _ = read("息子が母親を叩いている")
    assert "elder_abuse" in concerns and "child_abuse" not in concerns


@pytest.mark.parametrize(
    ("note", "concern"),
    [
        ("ベトナム人の家族で日本語が話せず、ごみの出し方が分からないようだ", "foreign_resident"),
        ("知的障害のある息子を高齢の両親が世話している", "disability_life"),
        ("多頭飼い", "animal_hoarding"),
        ("認知証", "dementia"),
    ],
)
def test_once_missed_notes_are_read(note: str, concern: str) -> None:
    assert concern in read(note)[0]


def test_a_suspicion_stays_a_suspicion() -> None:
    assert cues("子どもへの虐待ではないか")["abuse_word"] == "suspected"
    assert "child_abuse" in read("隣の子どもへの虐待ではないか")[0]


# -- morphology ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lemmas"),
    [
        ("死にたく", ["死ぬ", "たい"]),
        ("叩かれ", ["叩く", "れる"]),
        ("閉まったまま", ["閉まる", "た", "侭"]),
        ("たたかれてる", ["叩く", "れる", "てる"]),
        ("She was beaten", ["she", "be", "beat"]),
    ],
)
def test_lemmas(text: str, lemmas: list[str]) -> None:
    assert [t.lemma for t in analyse(text)] == lemmas


@given(st.text(max_size=120))
def test_every_token_points_back_into_the_note(text: str) -> None:
    for t in analyse(text):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start : t.end].strip() or t.pos in ("space", "sym", "stop")


def test_hidden_characters_are_skipped_and_offsets_kept() -> None:
    text = "息子が\u200d殴る。\ud800次"
    words = [(t.lemma, text[t.start : t.end]) for t in analyse(text)]
    assert ("殴る", "殴る") in words and ("が", "が") in words


def test_sentences_and_clauses() -> None:
    toks = analyse("母は元気。でも息子が、働いていないけど心配")
    assert {t.sentence for t in toks} == {0, 1}
    assert len({t.clause for t in toks if t.sentence == 1}) == 3
    assert is_english("She fell.") and not is_english("DVを受けた")
    english = analyse("Mr. Lee is fine. Fresh cuts on her arm. Ok")
    assert [t.sentence for t in english if t.pos == "word"] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 2]


def test_no_age_is_read_across_words() -> None:
    assert "infant" not in cues("By the end of every month the old man has nothing to eat.")


def test_a_run_with_no_full_stop_is_cut_into_sentences() -> None:
    toks = analyse("母" + "と子" * (MAX_SENTENCE_TOKENS * 2))
    assert max(t.sentence for t in toks) >= 2


# -- cues ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("note", "atom", "polarity"),
    [
        ("息子に殴られている", "violence", "plain"),
        ("息子に殴られているようだ", "violence", "plain"),
        ("虐待ではないか", "abuse_word", "suspected"),
        ("虐待の心配はない", "abuse_word", "negated"),
        ("虐待を見つけたら189へ", "abuse_word", "hypothetical"),
        ("家に行ったら倒れていた", "collapsed", "plain"),  # たら as "when": it happened
        ("自殺予防の講演会", "suicide_act", "topic"),
        ("研修会のテーマは特殊詐欺です", "fraud_word", "topic"),
        ("There is no sign of abuse", "abuse_word", "negated"),
        ("If you suspect abuse, call", "abuse_word", "hypothetical"),
        ("She left her violent ex years ago", "violence", "past"),
        # a negation ends with its sentence: "without" does not reach the next one
        ("Better off without her. Fresh cuts on her arm.", "self_harm", "plain"),
    ],
)
def test_how_a_note_says_it(note: str, atom: str, polarity: str) -> None:
    assert cues(note)[atom] == polarity


@pytest.mark.parametrize(
    ("note", "atom", "value"),
    [
        ("80代の母", "aged", 80),
        ("90歳", "aged", 90),
        ("中学2年生", "minor", 14),
        ("小2の娘", "minor", 8),
        ("女性（34）", "young_adult", 34),
        ("a 12-year-old girl", "minor", 12),
        ("in her 80s", "aged", 80),
        ("猫が53匹", "many_animals", 53),
        ("新聞が5日分", "days", 5),
        ("50 cats", "many_animals", 50),
        ("a 6 month old baby", "infant", 0),
        ("a 3-week-old", "infant", 0),
    ],
)
def test_numbers_are_read(note: str, atom: str, value: int) -> None:
    found = [c.value for c in find_cues(analyse(note), load_lexicon()) if c.atom == atom]
    assert value in found


def test_age_classes() -> None:
    assert [age_atom(a) for a in (5, 6, 17, 18, 39, 40, 64, 65)] == [
        "infant", "minor", "minor", "young_adult", "young_adult",
        "middle_aged", "middle_aged", "aged",
    ]  # fmt: skip


def test_what_is_said_of_a_person_is_theirs() -> None:
    people = {
        c.atom: (c.atoms, c.role)
        for c in find_cues(analyse("80代の母が息子に殴られる"), load_lexicon())
        if c.person
    }
    assert people["parent"] == (frozenset({"parent", "aged"}), "subject")
    assert people["offspring"][1] == "target"


# -- the lexicon -----------------------------------------------------------------------------
def test_the_lexicon_is_well_formed() -> None:
    data = json.loads((ROOT / "referral" / "concepts.json").read_text(encoding="utf-8"))
    atoms = set(data["atoms"]) | {"infant", "minor", "young_adult", "middle_aged", "aged"}
    atoms |= {"many_animals", "days"}
    for rule in compile_rules(data["rules"]):
        assert rule.concern in CONCERN_IDS, rule.id
        assert 0 < rule.weight <= 1, rule.id
        for group in (*rule.all, rule.none, rule.patient, rule.agent):
            assert group <= atoms, (rule.id, group - atoms)
        assert set(rule.safety) <= set(SAFETY_RULES), rule.id
    assert len({r["id"] for r in data["rules"]}) == len(data["rules"])


def test_no_phrase_is_only_function_words() -> None:
    lexicon = load_lexicon()
    function = {"aux", "case", "bind", "conj", "final", "adv_p", "particle", "nominal"}
    for atom in lexicon.atoms.values():
        for pattern in atom.patterns:
            toks = [t for p in pattern for t in analyse(p)] if pattern else []
            assert not toks or not all(t.pos in function for t in toks), (atom.id, pattern)


def _script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one of ``scripts/`` in a new process."""
    cmd = [sys.executable, str(ROOT / "scripts" / name), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def test_the_compiled_lexicon_is_current() -> None:
    compiled = ROOT / "referral" / "concepts.compiled.json"
    made = json.loads(compiled.read_text(encoding="utf-8"))
    if made["analysers"] != analyser_versions():
        pytest.skip(f"compiled with {made['analysers']}; installed {analyser_versions()}")
    proc = _script("compile_lexicon.py", "--check")
    assert proc.returncode == 0, proc.stdout


def test_every_safety_rule_is_sourced_and_checked() -> None:
    for rule in SAFETY_RULES.values():
        assert rule.sources and rule.checked >= "2026-11-01", rule.id
        assert rule.numbers and rule.kinds, rule.id
    used = {r for c in default_matcher().concerns.values() for r in c.safety}
    used |= {r for rule in compile_rules(load_lexicon().rules) for r in rule.safety}
    assert used == set(SAFETY_RULES)


# -- rules -----------------------------------------------------------------------------------
def test_concepts_far_apart_in_a_long_note_do_not_meet() -> None:
    filler = "今日は晴れです。" * (NOTE_WINDOW + 1)
    assert "eighty_fifty" in read("母は85歳。息子は53歳で、働いていない。")[0]
    assert "eighty_fifty" not in read("母は85歳。" + filler + "息子は53歳で、働いていない。")[0]


# -- associations ----------------------------------------------------------------------------
def test_associations_are_learned_from_the_dev_part_only_and_current() -> None:
    proc = _script("train_associations.py", "--check")
    assert proc.returncode == 0, proc.stdout
    source = (ROOT / "scripts" / "train_associations.py").read_text(encoding="utf-8")
    assert 'r["split"] == "dev"' in source


def test_words_alone_never_bring_safety_advice() -> None:
    a = load_associations()
    words = [t.lemma for t in content_lemmas(analyse("虐待 暴力 児童 通告 保護"))]
    assert "child_abuse" in a.scores(words)
    reading = default_matcher().read("児童相談所 一時保護 里親 養護施設")
    assert all(
        any(e.rule != "association" for e in m.evidence)
        for m in reading.matches
        if m.safety and m.concern in {c.concern for c in reading.safety}
    )


# -- properties --------------------------------------------------------------------------------
@settings(max_examples=60)
@given(
    st.text(
        alphabet=st.sampled_from("虐待子どもの母が叩くない。死にたい息子 80代猫匹ゴミ"), max_size=80
    )
)
def test_every_evidence_is_the_note_own_words(note: str) -> None:
    reading = default_matcher().read(note)
    for m in (*reading.matches, *reading.weak):
        for e in m.evidence:
            assert note[e.start : e.end] == e.text
    for clue in reading.safety:
        assert clue.rule in SAFETY_RULES


# -- the learned last look for danger -------------------------------------------------------
def test_the_learned_look_gives_a_weak_clue_the_rules_miss() -> None:
    note = "お父さんの年金、息子さんが全部パチンコに使ってしまうらしい"
    reading = default_matcher().read(note)
    assert [(c.rule, c.weak, c.learned) for c in reading.safety] == [
        ("elder_abuse_report", True, True)
    ]
    assert "elder_abuse" not in [m.concern for m in reading.matches]  # it makes no match
    assert all(words in note for words in reading.safety[0].words)


@pytest.mark.parametrize(
    "note",
    [
        "死にたいとは言っていない",  # ruled out
        "今日は町内会の清掃活動でした",  # nothing
        "夫に殴られた",  # the rules found it: the learned look is not asked
    ],
)
def test_the_learned_look_only_speaks_when_the_rules_are_silent(note: str) -> None:
    assert not any(c.learned for c in default_matcher().read(note).safety)


def test_the_learned_look_can_be_turned_off() -> None:
    matcher = Matcher(load_concerns(), learned_safety=False)
    assert matcher.read("お父さんの年金、息子さんが全部パチンコに使ってしまうらしい").safety == ()


def test_the_learned_look_never_trains_on_held_out_notes() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        safety_examples = importlib.import_module("train_associations").safety_examples
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    trained = {text for _, text in safety_examples()}
    data = ROOT / "benchmarks" / "data"
    with (data / "safety_notes.tsv").open(encoding="utf-8", newline="") as fh:
        held = {r["text"] for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "test"}
    with (data / "safety_more.tsv").open(encoding="utf-8", newline="") as fh:
        held |= {r["text"] for r in csv.DictReader(fh, delimiter="\t") if r["batch"] == "s4"}
    with (data / "corpus.tsv").open(encoding="utf-8", newline="") as fh:
        held |= {r["text"] for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "test"}
    assert len(held) > 600 and not trained & held
