"""The wheel ships the bundled data and works outside the checkout; lint and types are clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return next(out.glob("referral-*.whl"))


def test_wheel_contains_the_data_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "referral/data/agencies.json" in names
    assert "referral/py.typed" in names
    assert "referral/concerns.json" in names
    data = zipfile.ZipFile(wheel).read("referral/data/agencies.json")
    assert data == (ROOT / "data" / "agencies.json").read_bytes()


def test_wheel_contains_the_web_pages_templates_and_static_files(wheel: Path) -> None:
    """``referral serve`` renders from files in the package: every one is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "referral"
    files = [*package.glob("templates/*.html"), *package.glob("static/*")]
    assert {"base.html", "plan.html", "sheet.html", "app.js", "style.css"} <= {
        f.name for f in files
    }
    for f in files:
        assert f"referral/{f.relative_to(package).as_posix()}" in names


def test_the_library_and_other_commands_work_without_the_web_extra() -> None:
    """With FastAPI, uvicorn, Jinja2 and python-multipart absent, the package imports, the
    other commands run, and ``serve`` says in one line which pip command installs them."""
    code = (
        "import sys\n"
        "for m in ('fastapi', 'uvicorn', 'jinja2', 'multipart', 'starlette', 'httpx'):\n"
        "    sys.modules[m] = None\n"
        "import referral\n"
        "from referral.cli import main\n"
        "assert main(['route', 'ゴミ屋敷で悪臭', '--area', '戸部本町', '--brief']) == 0\n"
        "assert main(['serve']) == 2\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "REFERRAL_CACHE_DIR": "off"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith("pip install 'referral[web]'")


def test_installed_wheel_finds_its_data_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "referral", "show", "戸部本町"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("横浜市戸部本町地域ケアプラザ")
    where = subprocess.run(
        [sys.executable, "-c", "from referral._data import bundled_path; print(bundled_path())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert where.stdout.strip().startswith(str(site))


@pytest.mark.slow
@pytest.mark.parametrize(
    "tool", [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]]
)
def test_lint_and_types_are_clean(tool: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *tool], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = 'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && pytest'
    assert command in readme
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_test_security_md_names_exists() -> None:
    """SECURITY.md makes no claim without a test: each test it names must be there."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = re.findall(r"tests/(test_\w+)\.py::(test_\w+)", text)
    assert len(named) >= 60
    for module, test in named:
        source = (ROOT / "tests" / f"{module}.py").read_text(encoding="utf-8")
        assert re.search(rf"^def {test}\(", source, re.MULTILINE), f"{module}::{test}"
    for section in re.split(r"\n## ", text)[1:-2]:  # the claims; not the limits or reporting
        for paragraph in section.split("\n\n")[1:]:
            if paragraph.startswith(("**", "- ")) and "Limit" not in paragraph[:10]:
                assert "tests/test_" in paragraph, paragraph[:80]


def test_tab_completion_completes_a_command(tmp_path: Path) -> None:
    """With the optional ``completion`` extra, the shell's tab completion (as
    ``register-python-argcomplete referral`` asks for it) completes ``referral ro`` to
    ``route``."""
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"
    line = "referral ro"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REFERRAL_CACHE_DIR": "off",
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "COMP_TYPE": "9",  # a TAB
    }
    proc = subprocess.run(
        [sys.executable, "-m", "referral"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").split("\n") == ["route "]


def test_pre_commit_runs_ruff_and_mypy_locally() -> None:
    """The pre-commit hooks are ruff (check and format) and mypy from the environment: local,
    ``language: system``, so committing downloads nothing."""
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    repos = re.findall(r"^\s*- repo:\s*(\S+)", text, re.MULTILINE)
    assert repos == ["local"]
    hooks = re.findall(
        r"- id: (\S+)\n\s+name: .+\n\s+entry: (.+)\n\s+language: (\S+)",
        re.sub(r"\n\s*#.*", "", text),
    )
    assert hooks == [
        ("ruff-check", "ruff check --force-exclude", "system"),
        ("ruff-format", "ruff format --force-exclude", "system"),
        ("mypy", "mypy", "system"),
    ]


def test_readme_states_the_data_date() -> None:
    """The README's "Data checked up to" is the bundled file's ``data_date``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"Data checked up to \*\*(\d{4}-\d\d-\d\d)\*\*", readme)
    data = (ROOT / "data" / "agencies.json").read_text(encoding="utf-8")
    actual = re.search(r'"data_date":\s*"([^"]+)"', data)
    assert stated and actual
    assert stated.group(1) == actual.group(1)
