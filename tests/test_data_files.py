"""Reading is strict and every failure is one clear line; writing is stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write_document

from referral import DataFileError, Directory, Document
from referral import _data as data_mod
from referral._data import decode_json, dump_document, read_json

GOOD = '{"a": [1, 2, {"b": "横浜"}]}'


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xef\xbb\xbf" + GOOD.encode(), "UTF-8 byte-order mark (BOM)"),
        (GOOD.encode("utf-16"), "UTF-16 text"),
        (GOOD.encode("utf-16-le"), "UTF-16 text"),
        ('{"a": "横浜市西区"}'.encode("shift_jis"), "looks like Shift_JIS"),
        (b'{"a": "\xff"}', "not UTF-8: invalid byte at offset 7"),
        (b'{"a": [1, 2', "invalid JSON at line 1, column 12"),
        (b'{"a": 1,\n "b": }', "invalid JSON at line 2, column 7"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b'{"a": Infinity}', "Infinity is not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "nested deeper than 32 levels"),
        (b"", "invalid JSON at line 1, column 1"),
    ],
)
def test_decode_rejects_with_one_clear_line(raw: bytes, message: str) -> None:
    with pytest.raises(DataFileError) as info:
        decode_json(raw, "x.json")
    text = str(info.value)
    assert text.startswith("x.json: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_one_clear_line(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"a": ' + b"[" * depth + b"]" * depth + b"}")
    with pytest.raises(DataFileError, match="nested deeper than 32 levels"):
        Directory.from_path(path)


def test_decode_accepts_plain_utf8() -> None:
    assert decode_json(GOOD.encode(), "x.json") == {"a": [1, 2, {"b": "横浜"}]}


def test_read_json_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"pad": "' + b"x" * 2_000 + b'"}')
    monkeypatch.setattr(data_mod, "MAX_FILE_BYTES", 1_000)
    with pytest.raises(DataFileError, match=r"file is 0\.0 MB; the limit is 0 MB"):
        read_json(path)


@pytest.mark.parametrize(
    ("name", "message"), [("missing.json", "no such file"), (".", "is a directory")]
)
def test_read_json_missing_or_directory(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        read_json(tmp_path / name)


def test_dump_is_stable_sorted_and_unescaped(tiny_doc: Document, tmp_path: Path) -> None:
    text = dump_document(tiny_doc)
    assert "西区" in text and "\\u" not in text
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == sorted(data)
    ids = [a["id"] for a in data["agencies"]]
    assert ids == sorted(ids)
    assert '{\n  "agencies": [\n    {\n      "area"' in text  # two-space indent
    path = write_document(tmp_path / "d.json", tiny_doc)
    assert Directory.from_path(path).document == tiny_doc


def test_bundled_file_is_in_the_stable_format(bundled: Directory) -> None:
    text = data_mod.bundled_path().read_text(encoding="utf-8")
    assert dump_document(bundled.document) == text
