"""Text rendering for the command line: tables, an agency card, a plan (private; the gap
reports are in :mod:`referral._render_gaps`).

Japanese first; ``lang="en"`` gives English. Column widths count East Asian wide characters
as two cells so tables line up in a terminal.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

from ._messages import Lang, label, say
from .models import (
    Advisory,
    Agency,
    AgencyRef,
    Area,
    AreaMatch,
    Phone,
    ReferralPlan,
    Suggestion,
    Text,
)
from .vocabulary import KINDS, LINK_KINDS, TIERS

__all__ = [
    "Lang",
    "agency_card",
    "csv_text",
    "export_text",
    "kind_label",
    "label",
    "printable",
    "printable_lines",
    "render_brief",
    "render_plan",
    "render_safety",
    "spreadsheet_cell",
    "suggestion_rows",
    "table",
    "width",
]


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    return _SHORT_ESCAPES.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")  # noqa: PLR2004


def printable(text: str) -> str:
    r"""``text`` made safe to print on a terminal: control characters (C0, DEL, C1), line and
    paragraph separators and bidirectional overrides become visible escapes (``\x1b``).

    Validation refuses control characters in the data; this is the second line, for records
    built in memory and for a note's own words. Idempotent (a backslash is left alone).

    >>> print(printable("\x1b]0;title\x07西区役所"))
    \x1b]0;title\x07西区役所
    """
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


def export_text(text: str) -> str:
    """``text`` with its control characters (C0, DEL, C1) as visible escapes, and nothing else
    changed: for files (XML holds no C0; a terminal may ``cat`` a CSV).
    """
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, a tab or a
    carriage return gets a leading apostrophe (as OWASP advises), then its control characters
    become visible escapes. Numbers and other values are left as they are.

    >>> print(spreadsheet_cell('=HYPERLINK("http://x")'), spreadsheet_cell(-1.5))
    '=HYPERLINK("http://x") -1.5
    """
    if not isinstance(value, str):
        return value
    return export_text("'" + value if value.startswith(_FORMULA_START) else value)


def _terminal_cell(value: object) -> object:
    cell = spreadsheet_cell(value)
    return printable(cell) if isinstance(cell, str) else cell


def kind_label(kind: str, lang: Lang) -> str:
    """The display label of a kind id."""
    return KINDS[kind].get(lang)


def width(text: str) -> int:
    """Terminal cells taken by ``text`` (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, cells: int) -> str:
    out: list[str] = []
    used = 0
    for ch in text:
        w = width(ch)
        if used + w > cells - 1 and used + w > cells:
            return "".join(out) + "…"
        out.append(ch)
        used += w
    return "".join(out)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], *, max_width: int = 48) -> str:
    """A plain-text table with aligned columns (cells longer than ``max_width`` are cut)."""
    body = [[_cut(printable(str(c)), max_width) for c in row] for row in rows]
    cols = [[printable(h) for h in header], *body]
    widths = [max(width(r[i]) for r in cols) for i in range(len(header))]
    lines = []
    for j, row in enumerate(cols):
        lines.append(
            "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip()
        )
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV with a header row (UTF-8 text; the caller writes it), safe for a terminal and for a
    spreadsheet (see :func:`spreadsheet_cell`).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([_terminal_cell(h) for h in header])
    writer.writerows([_terminal_cell(c) for c in row] for row in rows)
    return buf.getvalue()


def phone_text(agency: Agency, lang: Lang = "ja") -> str:
    """The first phone of an agency, with what it reaches in brackets."""
    return phone_line(agency.phones[0], lang) if agency.phones else ""


def phone_line(p: Phone, lang: Lang) -> str:
    """A number with what it reaches, and what else answers on it.

    >>> p = Phone(number="045-592-2151", label="代表", shared_with="同じ建物のデイサービス")
    >>> phone_line(p, "ja")
    '045-592-2151（代表・同じ建物のデイサービスと共用）'
    """
    what = say("phone_label", lang, ja=p.label or "", en=p.label_en or p.label or "")
    parts = [what] if what else []
    if p.shared_with:
        en = _SHARED_EN.get(p.shared_with, p.shared_with)
        parts.append(say("shared_with", lang, ja=p.shared_with, en=en))
    if not parts:
        return p.number
    return say("phone_with", lang, number=p.number, what=label("list_sep", lang).join(parts))


_SHARED_EN = {"同じ建物のデイサービス": "day service in the same building"}


def postal_text(postal_code: str | None, derived: bool, lang: Lang) -> str:
    """〒 and the code, marked when the build looked it up from the address."""
    if not postal_code:
        return ""
    mark = ""
    if derived:
        mark = label("postal_derived", lang)
    return f"〒{postal_code}{mark} "


class _Card:
    """The lines of a card being written: ``row`` adds a labelled line when it has a value."""

    def __init__(self, lang: Lang, lines: list[str]) -> None:
        self.lang = lang
        self.lines = lines

    def row(self, key: str, value: str) -> None:
        """``  label: value``, left out when ``value`` is empty."""
        if value:
            self.lines.append(f"  {label(key, self.lang)}: {value}")


_CATCHMENT_KINDS = ("care_plaza", "comprehensive_support_center", "nursing_home")
"""Kinds whose card shows their area's catchment (the bodies a catchment is drawn for)."""


def agency_card(
    agency: Agency,
    *,
    lang: Lang,
    area: Area,
    ward: Area | None,
    contact: Agency | None,
    links: Sequence[tuple[str, str, Agency]],
    source_titles: dict[str, str],
    provenance: bool = False,
    source_credits: dict[str, str] | None = None,
) -> str:
    """A readable description of one agency: name, kind, place, contact, what a coordinator
    should know, sources and links (``provenance``: the research notes and derivations too).
    """
    name, other = agency.name.get(lang), agency.name.other(lang)
    card = _Card(lang, [f"{name}  [{agency.id}]", f"  {other}"])
    _card_place(card, agency, area, ward)
    _card_reach(card, agency, area)
    _card_standing(card, agency, contact)
    _card_sources(card, agency, source_titles, source_credits or {})
    if provenance:
        _card_provenance(card, agency)
    _card_links(card, links)
    return printable_lines(card.lines)


def _card_place(card: _Card, agency: Agency, area: Area, ward: Area | None) -> None:
    """Kind and tier, ward › area, address (not for a confidential body), phones, url."""
    lang = card.lang
    tier = TIERS[agency.tier]
    card.row("kind", f"{kind_label(agency.kind, lang)}（{tier.get(lang)}）")
    place = [ward.name.get(lang)] if ward and ward.id != area.id else []
    place.append(area.name.get(lang))
    card.row("area", " › ".join(place))
    if agency.confidential:
        card.row("address", label("confidential", lang))
    elif agency.address:
        derived = any(d.field == "postal_code" for d in agency.derived)
        card.row("address", postal_text(agency.postal_code, derived, lang) + agency.address)
    for p in agency.phones:
        card.row("phone", phone_line(p, lang))
    card.row("url", agency.url or "")


def _card_reach(card: _Card, agency: Agency, area: Area) -> None:
    """Whom the body serves: ages, served areas, operator, the area's catchment."""
    if agency.ages:
        lo, hi = agency.ages.min, agency.ages.max
        card.row("ages", f"{lo if lo is not None else ''}〜{hi if hi is not None else ''}")
    card.row("serves", " ".join(agency.serves))
    card.row("operator", agency.operator or "")
    if area.catchment and agency.kind in _CATCHMENT_KINDS:
        c = area.catchment
        card.row("catchment", c.text + ("" if c.complete else " " + label("incomplete", card.lang)))
        if c.unparsed:
            card.row("unparsed", "・".join(c.unparsed))


def _card_standing(card: _Card, agency: Agency, contact: Agency | None) -> None:
    """Aggregate, attested or structural, and the body reached through, if another."""
    lang = card.lang
    if agency.aggregate:
        card.lines.append(f"  ⚠ {label('aggregate_note', lang)}")
    if agency.attested:
        card.lines.append(f"  ✓ {label('attested_note', lang)}")
    else:
        card.lines.append(f"  ⚠ {label('structural_note', lang)}")
    if contact is not None and contact.id != agency.id:
        cname = contact.name.get(lang)
        card.row("contact_via", f"{cname} {phone_text(contact, lang)}".strip())


def _card_sources(
    card: _Card, agency: Agency, source_titles: dict[str, str], source_credits: dict[str, str]
) -> None:
    """Each citation (its detail alone when it already names the source), the checked date
    and the remarks.
    """
    for cite in agency.sources:
        title = source_titles.get(cite.source, cite.source)
        detail = cite.detail or ""
        same = detail and (detail in title or title.split(" (")[0] in detail)
        credit = source_credits.get(cite.source)
        card.row(
            "sources",
            (detail if same else f"{title}" + (f" — {detail}" if detail else ""))
            + (f"（{credit}）" if credit else ""),
        )
    card.row("checked", agency.checked.isoformat())
    if agency.remarks:
        card.row("notes", agency.remarks.get(card.lang))


def _card_provenance(card: _Card, agency: Agency) -> None:
    """The research notes (their first line labelled, the rest indented) and derivations."""
    first, *more = (agency.notes or "").split("\n")  # research notes may span lines
    card.row("provenance", first)
    card.lines += [f"    {line}" for line in more]
    for d in agency.derived:
        card.row("derived", f"{d.field}: {d.how}")


def _card_links(card: _Card, links: Sequence[tuple[str, str, Agency]]) -> None:
    """The body's links, each with its direction and kind."""
    if not links:
        return
    lang = card.lang
    card.lines.append(f"  {label('links', lang)}:")
    for direction, kind, other_agency in links:
        oname = other_agency.name.get(lang)
        card.lines.append(f"    {direction} {oname}（{LINK_KINDS[kind].get(lang)}）")


def printable_lines(lines: Iterable[str]) -> str:
    """Lines joined for a terminal, each made :func:`printable` (whatever the data holds)."""
    return "\n".join(printable(line) for line in lines)


def area_match_rows(matches: Sequence[AreaMatch], lang: Lang) -> list[list[str]]:
    """Rows for a table of area candidates."""
    return [
        [
            m.area.id,
            m.area.name.get(lang),
            f"{m.confidence:.0%}",
            m.reason.get(lang),
        ]
        for m in matches
    ]


def _contact_line(ref: AgencyRef, lang: Lang) -> str:
    parts = []
    if ref.phones:
        parts.append(" / ".join(phone_line(p, lang) for p in ref.phones[:2]))
    elif ref.contact_name is not None:
        phones = " / ".join(p.number for p in ref.contact_phones[:1])
        parts.append(say("via", lang, phones=phones, name=ref.contact_name.get(lang)))
    if ref.confidential:
        parts.append(label("confidential", lang))
    elif ref.address:
        parts.append(postal_text(ref.postal_code, "postal_code" in ref.derived, lang) + ref.address)
    if ref.url and not ref.phones:
        parts.append(ref.url)
    return "　".join(parts) if parts else label("no_contact", lang)


def render_safety(advisories: Sequence[Advisory], *, lang: Lang) -> list[str]:
    """The safety block that comes before anything else: each rule's advice (a weak clue
    says so), the note's words behind it, and the nearest bodies that act on it.
    """
    out = ["⚠ " + label("safety", lang)]
    for adv in advisories:
        out.append(f"  ‼ {adv.message.get(lang)}")
        if adv.evidence:
            words = "".join(f"「{w}」" for w in adv.evidence[:4])
            kind = "evidence_learned" if adv.learned else "evidence"
            out.append(f"     {label(kind, lang)}: {words}")
        for ref in adv.agencies:
            out.append(f"     → {ref.name.get(lang)}: {_contact_line(ref, lang)}")
    return [printable(line) for line in out]


def render_plan(plan: ReferralPlan, names: dict[str, Text], *, lang: Lang) -> str:
    """A readable plan: concerns, safety first, then one small tree per suggestion."""
    cnames = {c.id: c.name for c in plan.concerns}
    out = _plan_head(plan, names, lang=lang)
    if plan.advisories:
        out.append("")
        out += render_safety(plan.advisories, lang=lang)
    for s in plan.suggestions:
        out.append("")
        out += _suggestion_tree(s, cnames, names, lang=lang)
    if plan.coordinator or plan.meeting:
        out.append("")
    if plan.coordinator:
        out.append(label("role_coordinator", lang) + f": {names[plan.coordinator].get(lang)}")
    if plan.meeting:
        out.append(label("raise_at", lang) + f": {names[plan.meeting].get(lang)}")
    if plan.caveats:
        out.append("")
        out += [f"※ {c.get(lang)}" for c in plan.caveats]
    return printable_lines(out)


def _plan_head(plan: ReferralPlan, names: dict[str, Text], *, lang: Lang) -> list[str]:
    """The area (with its confidence), the origin and each concern with its evidence."""
    area = plan.area.area
    out = [
        label("area", lang) + f": {area.name.get(lang)} [{area.id}] ({plan.area.confidence:.0%})"
    ]
    origin = "・".join(names[o].get(lang) for o in plan.origin)
    out.append(label("origin", lang) + f": {origin}")
    for c in plan.concerns:
        words = "".join(f"「{w}」" for w in c.evidence)
        how = label("given", lang) if c.given else f"{c.confidence:.0%}"
        if c.weak:
            how = say("how_weak", lang, how=how, clue=label("weak_clue", lang))
        out.append(label("concern", lang) + f": {c.name.get(lang)} ({how}) {words}".rstrip())
    return out


def _suggestion_tree(
    s: Suggestion, cnames: dict[str, Text], names: dict[str, Text], *, lang: Lang
) -> list[str]:
    """One suggestion: its heading, its rows (contact, note, concerns, why, also) and the path
    to it (or why there is none).
    """
    role = label(f"role_{s.role}", lang)
    out = [f"{s.rank}. 【{role}】{s.agency.name.get(lang)}  [{s.agency.id}]"]
    rows = [("plan_contact", _contact_line(s.agency, lang))]
    if s.agency.remarks:
        rows.append(("plan_note", s.agency.remarks.get(lang)))
    rows.append(("plan_concerns", "・".join(cnames[c].get(lang) for c in s.concerns)))
    rows.append(("plan_why", " / ".join(r.get(lang) for r in s.reasons)))
    if s.alternatives:
        rows.append(("plan_also", "・".join(a.name.get(lang) for a in s.alternatives)))
    for key, value in rows:
        out.append(f"   ├ {label(key, lang)}: {value}")
    if s.path:
        out.append(f"   └ {label('path', lang)}: {names[s.path[0].source].get(lang)}")
        for depth, step in enumerate(s.path, 1):
            out.append(
                "      " + "  " * depth + f"└─{LINK_KINDS[step.link].get(lang)}→ "
                f"{names[step.target].get(lang)}"
            )
    elif not s.reachable:
        out.append(f"   └ {label('path', lang)}: {label('no_link', lang)}")
    else:
        out[-1] = out[-1].replace("├", "└", 1)
    return out


def _phone_of(ref: AgencyRef) -> str:
    phones = ref.phones or ref.contact_phones
    return phones[0].number if phones else ""


def suggestion_rows(plan: ReferralPlan, *, lang: Lang) -> list[list[str]]:
    """One row per suggested body: rank, role, id, name, phone, concerns."""
    cnames = {c.id: c.name.get(lang) for c in plan.concerns}
    return [
        [
            str(s.rank),
            label(f"role_{s.role}", lang),
            s.agency.id,
            s.agency.name.get(lang),
            _phone_of(s.agency),
            "・".join(cnames.get(c, c) for c in s.concerns),
        ]
        for s in plan.suggestions
    ]


def render_brief(plan: ReferralPlan, *, lang: Lang) -> str:
    """A plan in one line per suggested body, each phone number written once (a ward's
    switchboard answers for many of its sections: later lines point to the first).
    """
    area = plan.area.area
    out = [label("area", lang) + f": {area.name.get(lang)} [{area.id}]"]
    out.append(
        label("plan_concerns", lang) + ": " + "・".join(c.name.get(lang) for c in plan.concerns)
    )
    if plan.advisories:
        out += render_safety(plan.advisories, lang=lang)
    first: dict[str, str] = {}
    for rank, role, _, name, number, _ in suggestion_rows(plan, lang=lang):
        shown = number
        if number in first:
            shown = say("same_number", lang, rank=first[number])
        elif number:
            first[number] = rank
        out.append(f"{rank}. 【{role}】{name}  {shown}".rstrip())
    return printable_lines(out)
