"""Directory: loading, lookups, name search and the graph's attribute contract."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from helpers import agency, tiny_document

from referral import Directory, UnknownAgencyError, UnknownVocabularyError, ValidationError
from referral.network import EDGE_ATTRIBUTES, NODE_ATTRIBUTES, nodes_of_kind


def test_load_is_shared_and_repr(bundled: Directory) -> None:
    assert Directory.load() is bundled
    assert f"{len(bundled.agencies)} agencies" in repr(bundled)


def test_from_path_equals_in_memory(tiny_path: Path, tiny: Directory) -> None:
    assert Directory.from_path(tiny_path).document == tiny.document


def test_in_memory_document_is_checked() -> None:
    doc = tiny_document(extra=(agency("w.x", "care_plaza", "nowhere"),))
    with pytest.raises(ValidationError, match=r"unknown area 'nowhere'"):
        Directory(doc)


def test_agency_lookup_and_did_you_mean(bundled: Directory) -> None:
    assert bundled.agency("nishi.ward_office").name.ja == "横浜市西区役所"
    with pytest.raises(UnknownAgencyError, match=r"did you mean 'nishi\.ward_office'") as info:
        bundled.agency("nishi.ward_ofice")
    assert isinstance(info.value, KeyError)
    with pytest.raises(TypeError):
        bundled.agency(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("戸部本町", "nishi.tobe_honcho.care_plaza"),
        ("横浜市戸部本町地域ケアプラザ", "nishi.tobe_honcho.care_plaza"),
        ("Tobe-Honcho Community Care Plaza", "nishi.tobe_honcho.care_plaza"),
        ("nishi.ward_office", "nishi.ward_office"),
        ("西区役所", "nishi.ward_office"),
        ("若竹苑", "kanagawa.wakatakeen.nursing_home"),
        ("西部児童相談所", "yokohama.child_guidance_center.west"),
        ("獅子ヶ谷", None),
    ],
)
def test_find(bundled: Directory, query: str, first: str | None) -> None:
    found = bundled.find(query)
    if first is None:
        assert all(m.agency.kind != "care_plaza" or m.score < 95 for m in found)
    else:
        assert found[0].agency.id == first


def test_find_filters_and_bad_kind(bundled: Directory) -> None:
    found = bundled.find("ケアプラザ", kind="care_plaza", ward="nishi", limit=50)
    assert {m.agency.id for m in found} == {
        "nishi.fujidana.care_plaza",
        "nishi.miyazaki.care_plaza",
        "nishi.sengendai.care_plaza",
        "nishi.tobe_honcho.care_plaza",
    }
    with pytest.raises(UnknownVocabularyError, match="did you mean 'care_plaza'"):
        bundled.find("x", kind="care_plazza")
    assert bundled.find("   ") == []


def test_contact_follows_contact_via(bundled: Directory) -> None:
    section = bundled.agency("nishi.ward_welfare_section")
    assert not section.attested and section.contact_via == "nishi.ward_office"
    assert bundled.contact(section).id == "nishi.ward_office"
    anshin = bundled.agency("nishi.anshin_center")
    assert bundled.contact(anshin).phones


def test_graph_attribute_contract(bundled: Directory) -> None:
    G = bundled.graph
    assert G.number_of_nodes() == len(bundled.agencies)
    assert G.number_of_edges() == len(bundled.links)
    for _, data in G.nodes(data=True):
        assert set(NODE_ATTRIBUTES) <= set(data)
        assert all(isinstance(v, str | int | float | bool) for v in data.values())
    for _, _, key, data in G.edges(keys=True, data=True):
        assert set(EDGE_ATTRIBUTES) <= set(data) and key == data["kind"]
    assert G.graph["data_date"] == bundled.document.data_date.isoformat()


def test_graph_is_frozen(bundled: Directory) -> None:
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        bundled.graph.add_node("x")
    with pytest.raises(nx.NetworkXError):
        bundled.graph.remove_edge("nishi.ward_welfare_section", "nishi.ward_office")


def test_nodes_of_kind(bundled: Directory) -> None:
    assert len(nodes_of_kind(bundled.graph, "care_plaza", ward="nishi")) == 4
    assert nodes_of_kind(bundled.graph, "family_court") == ["yokohama.family_court"]


def test_confidential_bodies_have_no_coordinates_in_the_graph(bundled: Directory) -> None:
    for n, d in bundled.graph.nodes(data=True):
        if d["confidential"]:
            assert "lat" not in d and "lon" not in d, n


def test_tiers_of_every_link_are_known(bundled: Directory) -> None:
    G = bundled.graph
    ranks = {G.nodes[u]["tier_rank"] - G.nodes[v]["tier_rank"] for u, v in G.edges()}
    assert ranks <= {-3, -2, -1, 0, 1, 2, 3}


def test_areas_and_agencies_in(bundled: Directory) -> None:
    assert len(bundled.districts("nishi")) == 4
    assert len(bundled.districts()) == 147
    plazas = bundled.agencies_in("nishi.tobe_honcho", kind="care_plaza")
    assert [p.id for p in plazas] == ["nishi.tobe_honcho.care_plaza"]
    assert bundled.ward_of(plazas[0]) == "nishi"
    assert bundled.ward_of(bundled.agency("yokohama.family_court")) is None
    links = list(bundled.links_of("nishi.tobe_honcho.comprehensive_support_center"))
    assert any(lk.kind == "housed_in" for lk in links)
