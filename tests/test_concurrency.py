"""Many threads on one directory get exactly the single-threaded results, and nothing a
caller holds can change a loaded directory."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import pydantic
import pytest

from referral import Directory, ReadOnlyError
from referral.matching import Matcher, load_concerns

NOTES = [
    "80代の母と無職の50代の息子。息子は何年も部屋から出てこない",
    "中学生の女の子が母親の介護をしていて学校を休みがち",
    "隣の家がゴミ屋敷で悪臭がする",
    "夫から暴力を受けている。子どもも怖がっている",
    "死にたいと言っている",
    "認知症の父が一人暮らしで、通帳をなくした",
    "Her son has not left his room for years and she has dementia",
]
AREAS = ["戸部本町", "220-0013", "旭区鶴ケ峰1丁目", "西区", "港北区"]


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Switch threads as often as the interpreter allows, to shake out races."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def test_threads_route_and_match_exactly_as_one_thread(
    bundled: Directory, busy_switching: None
) -> None:
    jobs = [(note, area) for note in NOTES for area in AREAS] * 6
    expected = {(n, a): bundled.route(n, area=a) for n, a in set(jobs)}
    matches = {n: bundled.match(n) for n in NOTES}
    fresh = Directory(bundled.document)  # nothing built yet: the threads race to build it
    matcher = Matcher(load_concerns())

    def work(job: tuple[str, str]) -> bool:
        note, area = job
        return (
            fresh.route(note, area=area) == expected[job]
            and fresh.match(note) == matches[note]
            and matcher.match(note) == matches[note]
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, jobs))
    assert len(results) == len(jobs) == 210 and all(results)


def test_threads_analyse_exactly_as_one_thread(bundled: Directory, busy_switching: None) -> None:
    fresh = Directory(bundled.document)
    want_cov = bundled.coverage(ward="nishi")
    want_spof = bundled.single_points_of_failure(ward="nishi")
    with ThreadPoolExecutor(max_workers=8) as pool:
        covs = list(pool.map(lambda _: fresh.coverage(ward="nishi"), range(16)))
        spofs = list(pool.map(lambda _: fresh.single_points_of_failure(ward="nishi"), range(8)))
    assert all(c == want_cov for c in covs) and all(s == want_spof for s in spofs)


def test_a_loaded_directory_cannot_be_changed(bundled: Directory) -> None:
    before = bundled.document.model_dump_json()
    with pytest.raises(ReadOnlyError, match="read-only"):
        bundled.source = "elsewhere"
    with pytest.raises(ReadOnlyError):
        del bundled.document
    with pytest.raises(ReadOnlyError):
        bundled.anything = 1
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        bundled.agencies[0].notes = "changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        bundled.agencies[0].name.ja = "changed"  # type: ignore[misc]
    assert isinstance(bundled.agencies, tuple) and isinstance(bundled.agencies[0].phones, tuple)
    G = bundled.graph
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        G.add_node("x")
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        G.remove_edge(*next(iter(G.edges(keys=True))))
    node = "nishi.ward_office"
    edge = next(iter(G.in_edges(node, keys=True)))
    for attrs in (G.nodes[node], G.edges[edge], G.graph):
        with pytest.raises(ReadOnlyError, match="read-only"):
            attrs["kind"] = "changed"
        with pytest.raises(ReadOnlyError):
            attrs.update(kind="changed")
        with pytest.raises(ReadOnlyError):
            attrs.pop("kind", None)
    links = bundled.links_to(node)
    links.clear()  # what a caller gets back is its own copy
    assert bundled.links_to(node)
    plazas = bundled.agencies_in("nishi.tobe_honcho")
    plazas.clear()
    assert bundled.agencies_in("nishi.tobe_honcho")
    assert bundled.document.model_dump_json() == before
    copy = nx.MultiDiGraph(G)  # a copy is an ordinary, editable graph
    copy.nodes[node]["kind"] = "edited"
    assert G.nodes[node]["kind"] == "ward_office"
