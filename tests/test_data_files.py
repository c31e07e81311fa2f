"""Reading is strict and every failure is one clear line; writing is stable."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import write_document

from referral import DataFileError, Directory, Document
from referral import _data as data_mod
from referral._data import decode_json, dump_document, iter_dump, read_json, scan_json
from referral.models import Text
from referral.synth import generate

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
        (b'{"a": "\\ud800"}', "at line 1, column 8: \\ud800 is half a UTF-16 surrogate pair"),
        (b'{"a": ["\\ud83d\\ude00", "\\uDC00"]}', "\\udc00 is half a UTF-16 surrogate"),
    ],
)
@pytest.mark.parametrize("read", [decode_json, scan_json])
def test_decode_rejects_with_one_clear_line(
    raw: bytes, message: str, read: Callable[[bytes, str], Any]
) -> None:
    with pytest.raises(DataFileError) as info:
        read(raw, "x.json")
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
    assert decode_json(b'{"a": "\\ud83d\\ude00"}', "x.json") == {"a": "😀"}
    scan_json(GOOD.encode(), "x.json")  # raises nothing


def test_from_path_size_limit_is_a_parameter(tiny_doc: Document, tmp_path: Path) -> None:
    path = write_document(tmp_path / "d.json", tiny_doc)
    with pytest.raises(DataFileError, match=r"the limit is 0 MB.*max_bytes"):
        Directory.from_path(path, max_bytes=100)
    assert Directory.from_path(path, max_bytes=10**9).document == tiny_doc


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


def _whole_dump(doc: Document) -> str:
    """The reference: the whole document dumped at once (what iter_dump streams)."""
    data = doc.model_dump(mode="json", exclude_defaults=True)
    data["schema_version"] = doc.schema_version
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda: generate(wards=1, areas_per_ward=1),
        lambda: generate(wards=3, areas_per_ward=2, individuals={"welfare_commissioner": 2}),
        lambda: Document(
            title=Text(ja="空", en="empty"),
            data_date=dt.date(2026, 1, 1),
            sources=(),
            areas=(),
            agencies=(),
        ),
    ],
)
def test_streamed_dump_equals_the_whole_dump(make: Callable[[], Document]) -> None:
    doc = make()
    assert "".join(iter_dump(doc)) == dump_document(doc) == _whole_dump(doc)
    assert Document.model_validate_json(dump_document(doc)) == doc


def test_bundled_file_is_in_the_stable_format(bundled: Directory) -> None:
    text = data_mod.bundled_path().read_text(encoding="utf-8")
    assert dump_document(bundled.document) == text
