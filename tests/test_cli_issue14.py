"""The command line as its users expect (issue 14): Japanese names wherever an id is taken,
errors and help in the user's language, shared output options, a brief plan, gaps for one
ward, and exit codes and JSON shapes of every command beyond the README's output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest

from referral import Directory
from referral._cli_names import romaji
from referral._cli_parser import help_lang
from referral.cli import main
from referral.errors import ReadOnlyError


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- 1. names wherever an id is -----------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["route", "--concern", "高齢者虐待", "--area", "西区", "--json"], "elder_abuse"),
        (["route", "--concern", "elder abuse", "--area", "西区", "--json"], "elder_abuse"),
        (["route", "--concern", "ごみ屋敷", "--area", "西区", "--json"], "hoarding"),
        (["route", "--concern", "hoarding", "--area", "西区", "--json"], "hoarding"),
    ],
)
def test_a_concern_by_its_name(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0 and [c["id"] for c in json.loads(out)["concerns"]] == [expected]


@pytest.mark.parametrize("kind", ["地域ケアプラザ", "care_plaza", "Community Care Plaza"])
def test_a_kind_by_its_name(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    code, out, _ = run(capsys, "agencies", "--ward", "西区", "--kind", kind, "--nl")
    assert (
        code == 0 and [json.loads(line)["kind"] for line in out.splitlines()] == ["care_plaza"] * 4
    )


def test_from_takes_a_kind_name(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", "--concern", "認知症", "--area", "戸部本町", "--json"]
    code, out, _ = run(capsys, *argv, "--from", "地域ケアプラザ")
    assert code == 0 and json.loads(out)["origin"] == ["nishi.tobe_honcho.care_plaza"]


def test_what_if_takes_an_agency_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gaps", "--what-if", "新山下地域ケアプラザ", "--json")
    assert code == 0
    assert "naka.shin_yamashita.care_plaza" in json.loads(out)["removed"]


@pytest.mark.parametrize(
    ("argv", "code", "said"),
    [
        (
            ["show", "区役所"],
            1,
            "referral: 「区役所」に当たる機関が18件あります。名称かIDで一つに絞ってください: "
            "横浜市旭区役所 (asahi.ward_office)、",
        ),
        (["show", "区役所", "--lang", "en"], 1, "referral: '区役所' names 18 agencies; give one"),
        (
            ["show", "しんやました"],
            1,
            "referral: 「しんやました」に当たる機関がありません。もしかして: "
            "新山下地域ケアプラザ (naka.shin_yamashita.care_plaza)",
        ),
        (
            ["route", "--concern", "虐待", "--area", "西区"],
            2,
            "referral: 「虐待」という懸念はありません。もしかして: 児童虐待 (child_abuse)",
        ),
        (
            ["agencies", "--kind", "区役所"],
            2,
            "referral: 「区役所」という種別はありません。もしかして: ",
        ),
        (["gaps", "--what-if", "区役所"], 1, "referral: 「区役所」に当たる機関が18件あります"),
    ],
    ids=["ambiguous", "ambiguous en", "kana reading", "concern part", "kind", "what-if"],
)
def test_names_that_are_not_one_thing(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, said: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert (got, out) == (code, "") and err.startswith(said) and err.count("\n") == 1


def test_a_name_tied_within_one_area_still_picks_the_care_plaza(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "show", "戸部本町")  # ties of different kinds: ranked, not asked
    assert code == 0 and "[nishi.tobe_honcho.care_plaza]" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("kana", "spelled"),
    [("しんやました", "shinyamashita"), ("トベホンチョウ", "tobehoncho"), ("きっちょう", "kitcho")],
)
def test_romaji(kana: str, spelled: str) -> None:
    assert romaji(kana) == spelled


# -- 2. the user's language ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "ja", "en"),
    [
        (
            ["where", "zzzz"],
            "referral: 「zzzz」に当たる地域がありません",
            "referral: no area matches 'zzzz'",
        ),
        (
            ["route", "高齢の母", "--area", "zzzz"],
            "referral: 「zzzz」に当たる地域がありません",
            "referral: no area matches 'zzzz'",
        ),
        (
            ["route", "--concern", "dementia", "--area", "西区", "--age", "300"],
            "referral: 年齢は0〜130の整数で指定してください（300 は不可）",
            "referral: age must be a whole number from 0 to 130, not 300",
        ),
        (
            ["route", "あいうえお", "--area", "西区"],
            "referral: ノートから懸念を読み取れませんでした",
            "referral: no concern recognised in the note",
        ),
        (
            ["show", "nishi.ward_ofice"],
            "referral: 「nishi.ward_ofice」に当たる機関がありません。もしかして: nishi.ward_office",
            "referral: unknown agency id 'nishi.ward_ofice'; did you mean 'nishi.ward_office',",
        ),
        (
            ["edit", "set", "x", "a=b"],
            "referral: edit には --data PATH（変更するファイル）が必要です",
            "referral: edit needs --data PATH",
        ),
        (
            ["route", "--area", "西区", "--top", "x"],
            "referral route: 引数 --top: 不正な値です: 'x'\n(詳しくは: referral route --help)",
            "referral route: argument --top: invalid int value: 'x'\n(try: referral route --help)",
        ),
    ],
)
def test_errors_in_the_language_asked_for(
    capsys: pytest.CaptureFixture[str], argv: list[str], ja: str, en: str
) -> None:
    _, _, err_ja = run(capsys, *argv)
    _, _, err_en = run(capsys, argv[0], "--lang", "en", *argv[1:])
    assert err_ja.startswith(ja) and err_en.startswith(en)
    assert "Traceback" not in err_ja + err_en


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        ([], {}, "ja"),
        ([], {"LANG": "en_US.UTF-8"}, "en"),
        ([], {"LANG": "ja_JP.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ([], {"LANG": "C.UTF-8"}, "ja"),
        (["route", "--lang", "ja"], {"LANG": "en_US.UTF-8"}, "ja"),
        (["route", "--lang=en"], {}, "en"),
    ],
)
def test_help_language(argv: list[str], env: dict[str, str], lang: str) -> None:
    assert help_lang(argv, env) == lang


def test_top_level_help_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("使い方: referral") and "つなぎ先" in out


# -- 3. output options -------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["agencies", "--ward", "西区"],
        ["areas"],
        ["areas", "--ward", "西区"],
        ["where", "藤棚町"],
        ["concerns"],
        ["kinds"],
        ["match", "隣の家がゴミ屋敷で臭い"],
        ["route", "--concern", "認知症", "--area", "戸部本町"],
        ["gaps", "--ward", "西区", "--table", "load"],
    ],
    ids=" ".join,
)
def test_every_record_command_prints_every_format(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = run(capsys, *argv, "--nl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines and all(isinstance(x, dict) for x in lines)
    code, out, _ = run(capsys, *argv, "--csv", "--bom")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert len(rows) == len(lines) + 1
    code, out, _ = run(capsys, *argv, "--tsv")
    assert code == 0 and [len(r) for r in csv.reader(io.StringIO(out), delimiter="\t")] == [
        len(rows[0])
    ] * len(rows)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["kinds", "--csv", "--nl"], "出力形式は一つだけ選んでください（--nl, --csv）"),
        (["kinds", "--bom"], "--bom は --csv か --tsv と一緒に使います"),
        (
            ["route", "--concern", "認知症", "--area", "西区", "--brief", "--csv"],
            "--brief は表示用です",
        ),
        (["route", "--concern", "認知症", "--area", "西区", "--top", "0"], "--top must be"),
    ],
)
def test_output_options_refused_together(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "") and said in err


def test_route_brief_and_top(capsys: pytest.CaptureFixture[str]) -> None:
    note = (
        "80代の母と無職の50代の息子。息子は何年も部屋から出てこない。家はゴミ屋敷で猫が何十匹もいる"
    )
    code, full, _ = run(capsys, "route", note, "--area", "戸部本町")
    code, brief, _ = run(capsys, "route", note, "--area", "戸部本町", "--brief")
    assert code == 0 and len(brief.splitlines()) < len(full.splitlines()) / 3
    numbers = [line.split()[-1] for line in brief.splitlines() if line[:1].isdigit()]
    phones = [n for n in numbers if n[:1].isdigit()]
    assert len(phones) == len(set(phones))  # each number written once
    code, out, _ = run(capsys, "route", note, "--area", "戸部本町", "--top", "2", "--json")
    assert code == 0 and [s["rank"] for s in json.loads(out)["suggestions"]] == [1, 2]


def test_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kinds", "--json")
    kinds = {k["id"]: k for k in json.loads(out)}
    assert code == 0 and kinds["care_plaza"]["ja"] == "地域ケアプラザ"
    assert kinds["care_plaza"]["count"] == 146 and kinds["care_plaza"]["tier"] == "district"


# -- JSON errors and the commands beyond the README ------------------------------------------
@pytest.mark.parametrize(
    ("argv", "code", "error"),
    [
        (["route", "あいうえお", "--area", "西区", "--json"], 1, "no_concern"),
        (["route", "高齢", "--area", "zzzz", "--json"], 1, "unknown_area"),
        (["show", "区役所", "--json"], 1, "ambiguous_agency"),
        (["show", "zzzzqq", "--json"], 1, "unknown_agency"),
        (["route", "--json"], 2, "usage"),
        (["match", "x", "--min-confidence", "2", "--json"], 2, "usage"),
        (["agencies", "--kind", "zz", "--json"], 2, "unknown_vocabulary"),
    ],
)
def test_a_failed_json_command_prints_an_error_object(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, error: str
) -> None:
    got, out, err = run(capsys, *argv)
    body = json.loads(out)["error"]
    assert got == code and body["code"] == error and body["exit"] == code
    assert body["message"] and err.startswith(("referral", "使い方"))


def test_match_exit_codes_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "match", "隣の家がゴミ屋敷で臭い", "--json")
    assert code == 0 and json.loads(out)[0]["concern"] == "hoarding"
    code, out, _ = run(capsys, "match", "隣の家がゴミ屋敷で臭い", "--json", "--full")
    assert set(json.loads(out)) == {"matches", "weak", "advisories"}
    code, out, err = run(capsys, "match", "あいうえお")
    assert code == 1 and out == "" and "懸念を読み取れませんでした" in err


def test_schema_export_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["title"]
    code, out, _ = run(capsys, "export", "--format", "hsds", "--out", str(tmp_path), "--json")
    report = json.loads(out)
    assert code == 0 and report["format"] == "hsds" and report["files"]
    code, out, _ = run(capsys, "import", "--format", "hsds", str(tmp_path / "hsds"), "--json")
    report = json.loads(out)
    assert code == 0 and report["unchanged"] > 100 and report["added"] == []
    code, _, err = run(capsys, "import", "--format", "hsds", str(tmp_path / "missing"))
    assert code == 2 and err.startswith("referral: ") and err.count("\n") == 1


# -- 4. gaps for one ward --------------------------------------------------------------------
def test_gaps_for_a_ward_covers_only_that_ward(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gaps", "--ward", "西区", "--json")
    data = json.loads(out)
    assert code == 0 and {x["ward"] for x in data["load"]} <= {"nishi", ""}
    assert all(x["areas"] <= 4 for x in data["load"])  # 西区 has four areas
    assert {r["ward"] for r in data["data_health"]["rows"]} == {"nishi"}
    code, out, _ = run(capsys, "gaps", "--ward", "西区")
    holes = out.split("穴（")[1].split("\n\n")[0]
    assert "戸部本町地域ケアプラザ圏域" in holes  # the areas are named, not only counted


def test_closing_a_care_plaza_does_not_cut_city_lines() -> None:
    d = Directory.load()
    report = d.what_if("naka.shin_yamashita.care_plaza")
    tiers = {a.id: a.tier for a in d.agencies}
    assert report.losses and all(tiers[loss.before or ""] != "city" for loss in report.losses)


# -- 5. the graph for networkx's writers -----------------------------------------------------
def test_the_graph_is_read_only_and_a_copy_writes(tmp_path: Path) -> None:
    d = Directory.load()
    with pytest.raises(ReadOnlyError):
        nx.write_graphml(d.graph, tmp_path / "g.graphml")
    nx.write_graphml(d.graph.copy(), tmp_path / "g.graphml")  # as the README says
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == len(d.agencies)


@pytest.mark.parametrize(
    ("query", "shown"),
    [("寺尾", "tsurumi.terao.care_plaza"), ("東寺尾", "tsurumi.higashi_terao.care_plaza")],
)
def test_a_name_that_begins_one_of_the_tied_names_picks_it(
    capsys: pytest.CaptureFixture[str], query: str, shown: str
) -> None:
    code, out, _ = run(capsys, "show", query)  # 寺尾 also sits inside 東寺尾: not a tie
    assert code == 0 and f"[{shown}]" in out.splitlines()[0]
