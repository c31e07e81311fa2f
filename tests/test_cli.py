"""The command line: every command, its output formats, exit codes and error lines."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import load_script, write_raw

from referral.cli import _COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("lang", "example", "usage"),
    [([], "例: referral ", "使い方:"), (["--lang", "en"], "example: referral ", "usage:")],
    ids=["ja", "en"],
)
def test_every_command_has_help_with_an_example(
    capsys: pytest.CaptureFixture[str], lang: list[str], example: str, usage: str
) -> None:
    for name in _COMMANDS:
        code, out, _ = run(capsys, name, "--help", *lang)
        assert code == 0
        assert example + name in out and out.startswith(usage), name
    assert "COMMAND" in build_parser().format_help()


def test_version_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("referral ")
    code, out, _ = run(capsys)
    assert code == 2 and "使い方:" in out


def test_show_by_name_japanese_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "戸部本町")
    assert code == 0
    assert out.startswith("横浜市戸部本町地域ケアプラザ  [nishi.tobe_honcho.care_plaza]")
    assert "電話: 045-321-3300" in out and "〒220-0041" in out
    code, out, _ = run(capsys, "show", "nishi.tobe_honcho.care_plaza", "--lang", "en")
    assert code == 0 and out.startswith("Tobe-Honcho Community Care Plaza")
    assert "phone: 045-321-3300" in out


def test_show_structural_record_says_whom_to_call(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "nishi.ward_hygiene_section")
    assert code == 0
    assert "構造上の記録" in out
    assert "連絡先: 横浜市西区役所 045-320-8484（代表）" in out


def test_show_confidential_never_prints_an_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "yokohama.dv_support_center")
    assert code == 0 and "所在地は非公開" in out


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "戸部本町", "--json")
    data = json.loads(out)
    assert code == 0 and data["agency"]["id"] == "nishi.tobe_honcho.care_plaza"
    assert any(lk["kind"] == "housed_in" for lk in data["links"])


def test_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "zzzzqqqq")
    assert code == 1 and out == ""
    assert err.startswith("referral: 「zzzzqqqq」に当たる機関がありません") and err.count("\n") == 1
    code, out, err = run(capsys, "show", "zzzzqqqq", "--lang", "en")
    assert err.startswith("referral: unknown agency id 'zzzzqqqq'") and err.count("\n") == 1


def test_agencies_table_csv_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "agencies", "--ward", "西区", "--kind", "care_plaza")
    assert code == 0 and len(out.strip().splitlines()) == 2 + 4
    code, out, _ = run(capsys, "agencies", "--ward", "nishi", "--kind", "care_plaza", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["ID", "名称", "種別", "電話", "出典で確認"] and len(rows) == 5
    code, out, _ = run(capsys, "agencies", "--ward", "Nishi", "--real", "--json", "--lang", "en")
    data = json.loads(out)
    assert code == 0 and all(not a.get("aggregate") for a in data)


def test_agencies_bad_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "agencies", "--kind", "care_plazza")
    assert code == 2 and "もしかして: 地域ケアプラザ (care_plaza)" in err
    code, _, err = run(capsys, "agencies", "--kind", "care_plazza", "--lang", "en")
    assert code == 2 and "did you mean 'community care plaza (care_plaza)'" in err


def test_areas_and_where(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "areas")
    assert code == 0 and "保土ケ谷区" in out and len(out.splitlines()) == 20
    code, out, _ = run(capsys, "areas", "--ward", "西区", "--csv")
    assert code == 0 and "nishi.tobe_honcho" in out
    code, out, _ = run(capsys, "where", "220-0013", "--json")
    assert json.loads(out)[0]["area"]["id"] == "nishi.tobe_honcho"
    code, out, err = run(capsys, "where", "戸部ほんちょ")
    assert code == 1 and "もしかして" in err


def test_validate_bundled_and_broken(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "OK" in out
    data = json.loads((ROOT / "data" / "agencies.json").read_text(encoding="utf-8"))
    faults = [
        ("agencies", 0, "kind", "care_plazza"),
        ("agencies", 1, "postal_code", "12-3"),
        ("agencies", 2, "area", "nowhere"),
        ("links", 3, "target", "no.such.body"),
        ("agencies", 4, "checked", "yesterday"),
    ]
    for name, i, field, value in faults:
        data[name][i][field] = value
    data["agencies"].append(dict(data["agencies"][10]))
    path = write_raw(tmp_path / "broken.json", data)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and out == ""
    for name, i, field, _ in faults:
        assert f"$.{name}[{i}].{field}:" in err
    assert f"$.agencies[{len(data['agencies']) - 1}].id: duplicate id" in err
    code, out, _ = run(capsys, "validate", str(path), "--json")
    report = json.loads(out)
    assert code == 2 and report["valid"] is False and len(report["problems"]) >= 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": ', "invalid JSON at line 1"),
        (b"\xef\xbb\xbf{}", "BOM"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
    ],
)
def test_malformed_file_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    for argv in (["validate", str(path)], ["show", "x", "--data", str(path)]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show")
    assert (code, err) == (
        2,
        "referral show: 次の引数が必要です: ID|NAME\n(詳しくは: referral show --help)\n",
    )
    code, _, err = run(capsys, "show", "--lang", "en")
    assert code == 2 and err == (
        "referral show: the following arguments are required: ID|NAME\n"
        "(try: referral show --help)\n"
    )


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "referral", "where", "緑町"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0 and "nishi.tobe_honcho" in proc.stdout


def test_readme_shows_real_output() -> None:
    module = load_script("scripts", "update_readme")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert module.render(readme) == readme, "run python scripts/update_readme.py"


@pytest.mark.parametrize(
    ("make", "argv", "said"),
    [
        ("file", ["--out", "{tmp}/taken"], "is a file, not a folder"),
        ("", ["--out", "{tmp}/out", "--check-schemas", "{tmp}/missing"], "no such folder"),
        ("", ["--out", "{tmp}/out", "--check-schemas", "{tmp}"], "holds no organization.json"),
    ],
    ids=["out names a file", "schema folder missing", "folder without the schemas"],
)
def test_export_refuses_a_bad_folder_before_writing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: str, argv: list[str], said: str
) -> None:
    if make:
        (tmp_path / "taken").write_text("kept")
    args = [a.format(tmp=tmp_path) for a in argv]
    code, _, err = run(capsys, "export", "--format", "hsds", *args)
    assert code == 2
    assert said in err and "internal error" not in err
    assert not (tmp_path / "out").exists()  # nothing written
    if make:
        assert (tmp_path / "taken").read_text() == "kept"


def test_check_schemas_with_another_format_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "export", "--format", "csv", "--out", str(tmp_path), "--check-schemas", "x"
    )
    assert (code, err.strip()) == (
        2,
        "referral: --check-schemas は HSDS の書き出しを検査します: --format hsds を付けてください",
    )
    assert list(tmp_path.iterdir()) == []
