"""Safe edits: new validated documents, clear refusals, atomic saves that never lose the file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from helpers import agency, tiny_document, write_document

from referral import DataError, Directory, SaveError, UnknownAgencyError, ValidationError, editing
from referral.models import Citation, Link


def test_edits_return_new_validated_documents(tiny: Directory) -> None:
    doc = tiny.document
    new = editing.update_agency(doc, "w.ward_office", notes="checked")
    assert tiny.agency("w.ward_office").notes is None
    assert [a.notes for a in new.agencies if a.id == "w.ward_office"] == ["checked"]
    added = editing.add_agency(doc, agency("w.npo", "npo", "w"))
    assert "w.npo" in {a.id for a in added.agencies} and "w.npo" not in {a.id for a in doc.agencies}
    linked = editing.add_link(
        added,
        Link(
            source="w.npo",
            target="w.ward_office",
            kind="connects_to",
            sources=(Citation(source="test"),),
        ),
    )
    assert len(linked.links) == len(doc.links) + 1
    unlinked = editing.remove_link(linked, "w.npo", "w.ward_office", "connects_to")
    assert unlinked.links == doc.links
    removed = editing.remove_agency(added, "w.npo")
    assert removed.agencies == doc.agencies


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda d: editing.update_agency(d, "w.nope", notes="x"), UnknownAgencyError, "w.nope"),
        (
            lambda d: editing.update_agency(d, "w.ward_office", kind="nonsense"),
            DataError,
            "unknown kind 'nonsense'",
        ),
        (
            lambda d: editing.update_agency(d, "w.ward_office", id="w.other"),
            DataError,
            "ids are stable",
        ),
        (
            lambda d: editing.update_agency(d, "w.ward_office", area="w.zz"),
            ValidationError,
            "unknown area 'w.zz'",
        ),
        (
            lambda d: editing.add_agency(d, agency("w.ward_office", "ward_office", "w")),
            DataError,
            "exists",
        ),
        (
            lambda d: editing.remove_agency(d, "w.anshin_center"),
            ValidationError,
            "has no anshin_center",
        ),
        (
            lambda d: editing.add_link(
                d,
                {
                    "source": "w.ward_office",
                    "target": "w.nope",
                    "kind": "connects_to",
                    "sources": [{"source": "test"}],
                },
            ),
            ValidationError,
            "unknown agency 'w.nope'",
        ),
        (
            lambda d: editing.remove_link(d, "w.a.resident", "w.ward_office", "connects_to"),
            DataError,
            "no connects_to link",
        ),
    ],
)
def test_bad_edits_are_refused_clearly(
    tiny: Directory, edit: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        edit(tiny.document)


def test_directory_edit_methods(tiny: Directory, tmp_path: Path) -> None:
    d2 = tiny.with_changes("w.ward_office", notes="ok").with_agency(agency("w.npo", "npo", "w"))
    assert d2.agency("w.ward_office").notes == "ok" and d2.agency("w.npo")
    assert (
        d2.without_agency("w.npo").document
        == tiny.with_changes("w.ward_office", notes="ok").document
    )
    path = d2.save(tmp_path / "d.json")
    assert Directory.from_path(path).document == d2.document
    assert "w.npo" not in {a.id for a in tiny.agencies}


def test_diff_shows_the_change(tiny: Directory) -> None:
    new = editing.update_agency(tiny.document, "w.ward_office", notes="checked")
    text = editing.diff(tiny.document, new)
    assert '+      "notes": "checked",' in text and text.startswith("--- a/agencies.json")


# -- atomic save: a crash at each step leaves the previous file intact and valid ---------------
STEPS = ["mkstemp", "write", "fsync", "chmod", "replace"]


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_each_step_of_save_keeps_the_old_file(
    step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    before = path.read_bytes()
    new = editing.update_agency(tiny_document(), "w.ward_office", notes="new")

    def boom(*_: Any, **__: Any) -> Any:
        raise OSError(28, "No space left on device")

    if step == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", boom)
    elif step == "write":
        real_fdopen = os.fdopen

        class Broken:
            def __init__(self, fd: int, mode: str, **kwargs: Any) -> None:
                self.fh = real_fdopen(fd, mode, **kwargs)

            def __enter__(self) -> Broken:
                return self

            def __exit__(self, *args: object) -> None:
                self.fh.close()

            def write(self, data: bytes) -> int:
                self.fh.write(data[: len(data) // 2])  # half written, then the disk fills
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", Broken)
    elif step == "fsync":
        monkeypatch.setattr(os, "fsync", boom)
    elif step == "chmod":
        monkeypatch.setattr(os, "chmod", boom)
    else:
        monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(SaveError, match="the previous file is intact"):
        editing.save(new, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert Directory.from_path(path).document == tiny_document()
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # no temporary file left


def test_save_refuses_an_invalid_document_before_writing(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    before = path.read_bytes()
    broken = tiny_document().model_copy(
        update={
            "links": (
                Link(
                    source="w.ward_office",
                    target="w.gone",
                    kind="connects_to",
                    sources=(Citation(source="test"),),
                ),
            )
        }
    )
    with pytest.raises(ValidationError):
        editing.save(broken, path)
    assert path.read_bytes() == before


def test_save_keeps_permissions_and_the_stable_format(tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_document())
    path.chmod(0o640)
    editing.save(editing.update_agency(tiny_document(), "w.ward_office", notes="x"), path)
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.read_text(encoding="utf-8").startswith('{\n  "agencies": [')


def test_cli_edit_dry_run_and_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from referral.cli import main  # noqa: PLC0415

    path = write_document(tmp_path / "d.json", tiny_document())
    before = path.read_bytes()
    assert (
        main(["edit", "--data", str(path), "--dry-run", "set", "w.ward_office", "notes=電話で確認"])
        == 0
    )
    assert '+      "notes": "電話で確認",' in capsys.readouterr().out
    assert path.read_bytes() == before
    assert main(["edit", "--data", str(path), "set", "w.ward_office", "notes=電話で確認"]) == 0
    assert Directory.from_path(path).agency("w.ward_office").notes == "電話で確認"
    assert main(["edit", "--data", str(path), "remove", "w.anshin_center"]) == 2
    assert "has no anshin_center" in capsys.readouterr().err
    assert main(["edit", "set", "w.ward_office", "notes=x"]) == 2
