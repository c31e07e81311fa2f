"""The notebooks: stored without outputs, executed here on the bundled data; the figures."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLOTS = {
    "02-coverage.ipynb",
    "03-single-points-of-failure.ipynb",
    "04-what-if.ipynb",
    "05-data-health.ipynb",
    "06-referral-outcomes.ipynb",
}


def test_six_numbered_notebooks() -> None:
    assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-", "06-"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPLBACKEND", raising=False)  # inline figures, as in Jupyter
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "missing from font" not in stderr, "a Japanese label rendered as tofu"
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    if path.name in PLOTS:
        assert images, f"{path.name} drew no figure"
    # public API only: no private modules
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "referral._" not in source and "._" not in source.replace("__", "")


def test_figures_regenerate(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_figures.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("coverage_heatmap.png", "ward_nishi.png"):
        made = tmp_path / name
        assert made.stat().st_size > 50_000
        assert (ROOT / "docs" / "img" / name).exists()
