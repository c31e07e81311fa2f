"""Models: field rules (parametrized tables) and JSON round trips (hypothesis)."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pydantic
import pytest
from helpers import CITE, DAY, agency, tiny_document
from hypothesis import given
from hypothesis import strategies as st

from referral import Directory
from referral._data import dump_document
from referral.models import Agency, AgeRange, Coordinates, Document, Link, Phone, Text, TownPart


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("045-320-8484", True),
        ("0120-123-456", True),
        ("189", True),
        ("110", True),
        ("0453208484", False),
        ("045-320-848", True),
        ("+81-45-320-8484", False),
        ("045–320–8484", False),  # en dashes
        ("", False),
    ],
)
def test_phone_pattern(number: str, ok: bool) -> None:
    if ok:
        assert Phone(number=number).number == number
    else:
        with pytest.raises(pydantic.ValidationError, match="pattern"):
            Phone(number=number)


@pytest.mark.parametrize(
    ("agency_id", "ok"),
    [
        ("nishi.ward_office", True),
        ("nishi.tobe_honcho.care_plaza", True),
        ("yokohama", True),
        ("Nishi.ward_office", False),
        ("nishi..ward", False),
        ("西区.ward_office", False),
        ("nishi ward", False),
        ("1nishi", False),
    ],
)
def test_id_pattern(agency_id: str, ok: bool) -> None:
    if ok:
        assert agency(agency_id, "ward_office", "w").id == agency_id
    else:
        with pytest.raises(pydantic.ValidationError):
            agency(agency_id, "ward_office", "w")


def test_unknown_kind_suggests_nearest() -> None:
    with pytest.raises(pydantic.ValidationError, match="did you mean 'care_plaza'"):
        agency("w.x", "care_plaze", "w")


def test_unknown_link_kind_suggests_nearest() -> None:
    with pytest.raises(pydantic.ValidationError, match="did you mean 'connects_to'"):
        Link(source="a.b", target="c.d", kind="conects_to", sources=CITE)


def test_confidential_body_cannot_carry_an_address() -> None:
    with pytest.raises(pydantic.ValidationError, match="confidential body must not carry"):
        agency("c.dv", "dv_support_center", "c", confidential=True, address="横浜市中区1-1")
    ok = agency("c.dv", "dv_support_center", "c", confidential=True)
    assert ok.address is None


@pytest.mark.parametrize(
    ("lo", "hi", "age", "admits"),
    [
        (15, 39, 15, True),
        (15, 39, 39, True),
        (15, 39, 40, False),
        (40, None, 80, True),
        (None, 17, 0, True),
        (40, None, 39, False),
    ],
)
def test_age_range(lo: int | None, hi: int | None, age: int, admits: bool) -> None:
    assert AgeRange(min=lo, max=hi).admits(age) is admits


def test_age_range_rejects_empty() -> None:
    with pytest.raises(pydantic.ValidationError, match="age range is empty"):
        AgeRange(min=40, max=39)


@pytest.mark.parametrize(
    "coords", [{"lat": 91, "lon": 0}, {"lat": 0, "lon": 181}, {"lat": float("nan"), "lon": 0}]
)
def test_coordinates_out_of_range(coords: dict[str, float]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Coordinates(**coords)


def test_models_are_frozen_and_forbid_unknown_fields() -> None:
    ag = agency("w.x", "ward_office", "w")
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        ag.kind = "care_plaza"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        Agency.model_validate({**ag.model_dump(), "colour": "red"})


def test_an_agency_needs_a_source() -> None:
    with pytest.raises(pydantic.ValidationError, match="at least 1 item"):
        agency("w.x", "ward_office", "w", sources=())


# -- round trips ------------------------------------------------------------------------
texts = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12)
kinds = st.sampled_from(["care_plaza", "ward_office", "school", "resident", "family_court"])


@st.composite
def agencies(draw: st.DrawFn) -> Agency:
    return Agency(
        id=draw(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z0-9][a-z0-9_]{0,7}){0,2}", fullmatch=True)
        ),
        name=Text(ja=draw(texts), en=draw(texts)),
        kind=draw(kinds),
        tier=draw(st.sampled_from(["neighborhood", "district", "ward", "city"])),
        area="w",
        phones=tuple(
            Phone(number=n)
            for n in draw(
                st.lists(st.from_regex(r"0\d{2}-\d{3}-\d{4}", fullmatch=True), max_size=2)
            )
        ),
        ages=draw(
            st.none() | st.builds(AgeRange, min=st.integers(0, 50), max=st.integers(50, 120))
        ),
        coordinates=draw(
            st.none()
            | st.builds(
                Coordinates,
                lat=st.floats(-90, 90, allow_nan=False),
                lon=st.floats(-180, 180, allow_nan=False),
            )
        ),
        attested=draw(st.booleans()),
        aggregate=draw(st.booleans()),
        notes=draw(st.none() | texts),
        sources=CITE,
        checked=draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
    )


@given(agencies())
def test_agency_round_trips_through_json(ag: Agency) -> None:
    assert Agency.model_validate_json(ag.model_dump_json()) == ag


@given(st.lists(agencies(), max_size=5, unique_by=lambda a: a.id))
def test_document_round_trips_through_the_stable_format(extra: list[Agency]) -> None:
    extra = [a for a in extra if not a.id.startswith("w.")]
    doc = tiny_document(extra=tuple(a.model_copy(update={"area": "w"}) for a in extra))
    text = dump_document(doc)
    assert Document.model_validate_json(text) == doc
    assert dump_document(Document.model_validate_json(text)) == text  # idempotent


def test_town_part_rejects_chome_zero() -> None:
    with pytest.raises(pydantic.ValidationError):
        TownPart(town="戸部町", chome=(0,))


def test_document_defaults(tiny_doc: Document) -> None:
    data: dict[str, Any] = tiny_doc.model_dump()
    assert data["schema_version"] == "1.0"
    assert tiny_doc.data_date == DAY


def test_records_loaded_alike_share_parts_without_changing_anything(bundled: Directory) -> None:
    links = [lk for lk in bundled.links if len(lk.sources) == 1][:200]
    raw = [lk.model_dump(mode="json", exclude_defaults=True) for lk in links]
    again = [Link.model_validate(r) for r in raw]
    assert again == links
    by_cite: dict[Any, Link] = {}
    for lk in again:  # equal citations are one object; field sets are shared and correct
        first = by_cite.setdefault(lk.sources, lk)
        assert first.sources is lk.sources
        assert lk.model_fields_set == set(raw[again.index(lk)])
    a, b = again[0], next(x for x in again[1:] if x.model_fields_set == again[0].model_fields_set)
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    c = a.model_copy(update={"note": "x"})  # updating a copy never touches the shared set
    assert "note" in c.model_fields_set and "note" not in b.model_fields_set
    assert b.model_dump(exclude_unset=True) == Link.model_validate(raw[again.index(b)]).model_dump(
        exclude_unset=True
    )


def test_records_pickle_to_equal_frozen_records(bundled: Directory) -> None:
    doc = bundled.document
    again = pickle.loads(pickle.dumps(doc))
    assert again == doc and again is not doc
    a, b = again.agencies[0], doc.agencies[0]
    assert a.model_fields_set == b.model_fields_set
    assert a.model_dump_json() == b.model_dump_json()
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        a.notes = "changed"


@pytest.mark.parametrize(
    "sources",
    [
        [{"source": "test", "detail": []}],
        [{"source": ["test"]}],
        [{"source": "test", "detail": 3}],
        [{"source": "test", "extra": "x"}],
        ["test"],
    ],
)
def test_citations_of_the_wrong_shape_are_schema_errors(sources: Any) -> None:
    """The citation-sharing shortcut never turns a bad value into a crash or a pass."""
    assert Link(source="a.b", target="a.c", kind="connects_to", sources=({"source": "test"},))
    with pytest.raises(pydantic.ValidationError):
        Link(source="a.b", target="a.c", kind="connects_to", sources=sources)
