"""The web app (``referral serve``): every page and endpoint, its headers, its errors, the
token, the body limit, escaping, HSDA's shape, and the privacy canary through every route."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("jinja2")
pytest.importorskip("multipart")
with warnings.catch_warnings():  # starlette asks for httpx2 on import; httpx works as well
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from referral import Directory, Text, _cli_serve
from referral._web_guard import CSP, MAX_BODY_BYTES
from referral.cli import _COMMANDS, main
from referral.matching import MAX_NOTE_CHARS
from referral.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(
    os.environ.get("REFERRAL_HSDS_SCHEMAS", ROOT.parent / "shared" / "spec" / "hsds-3.0")
)
LOCAL = "http://127.0.0.1"
NOTE_8050 = "80代の母と無職の50代の息子。息子は何年も部屋から出てこない"
TOKEN = "CANARY7f3a9"
FILLER = "一人暮らしの高齢の母について、近所の方から連絡がありました。" * 3
CANARY = f"{FILLER}{TOKEN} 田中花子さん（090-1234-5678）、家がゴミ屋敷で息子がひきこもり"
SECRET = "s3cret-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def client(bundled: Directory) -> Iterator[TestClient]:
    with TestClient(create_app(bundled), base_url=LOCAL) as c:
        yield c


def _route(client: TestClient, **fields: str) -> Any:
    return client.post("/route", data={"area": "戸部本町", "lang": "ja", **fields})


# -- pages -------------------------------------------------------------------------------
def test_the_front_page_has_the_route_form(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and '<html lang="ja">' in r.text
    html = r.text
    assert '<form id="route-form" method="post" action="/route">' in html
    assert '<textarea id="note" name="note"' in html
    assert re.search(r'<input id="area" name="area" list="area-options" autocomplete="off"', html)
    assert '<datalist id="area-options">' in html and '<option value="西区">' in html
    assert '<option value="戸部本町地域ケアプラザ圏域">' in html
    assert '<input id="age" name="age"' in html and '<input type="hidden" name="lang"' in html
    assert '<button id="go" type="submit">' in html
    assert 'id="lang-switch"' in html and 'hreflang="en"' in html
    assert '<a href="#main" class="skip">' in html and '<main id="main"' in html
    assert '<script src="/static/app.js"' in html and "<script>" not in html
    for field in ("note", "area", "age"):
        assert f'<label for="{field}">' in html
    en = client.get("/?lang=en").text
    assert '<html lang="en">' in en and 'hreflang="ja"' in en and "Find where to route" in en


def test_the_plan_page_puts_safety_first_then_one_card_per_suggestion(
    client: TestClient, bundled: Directory
) -> None:
    note = "父親が子どもを毎日叩いている。食事も与えていないようだ"
    r = _route(client, note=note)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    main = r.text.split('<main id="main" tabindex="-1">', 1)[1].lstrip()
    assert main.startswith('<section id="safety" role="alert"')
    plan = bundled.route(note, area="戸部本町")
    ids = re.findall(r'<article class="card[^"]*" data-agency-id="([^"]+)"', r.text)
    assert ids == [s.agency.id for s in plan.suggestions]
    assert main.index('id="safety"') < main.index('<article class="card')
    assert 'href="tel:189"' in r.text


def test_the_plan_page_contract(client: TestClient) -> None:
    r = _route(client, note=NOTE_8050, age="52")
    html = r.text
    assert '<section id="plan"' in html and '<ol class="path">' in html
    assert 'href="tel:0453208407"' in html  # the ward's livelihood section
    assert "045-322-9877（FAX）" in html and 'href="tel:0453229877"' not in html  # no fax dial
    assert 'id="coordinator"' in html and 'id="meeting"' in html
    assert '<form id="sheet-form" method="post" action="/sheet" target="_blank">' in html
    assert '<input type="checkbox" id="include-note" name="include_note" value="1">' in html
    assert '<button id="print-sheet"' in html
    assert '<form id="lang-form"' in html and '<button id="lang-switch"' in html
    assert 'data-view="short"' in html and 'name="view" value="full"' in html
    assert 'id="safety"' not in html  # no safety clue in this note
    full = _route(client, note=NOTE_8050, age="52", view="full")
    assert 'data-view="full"' in full.text and len(full.text) > len(html)
    en = _route(client, note=NOTE_8050, lang="en")
    assert '<html lang="en">' in en.text and "Coordinator" in en.text


def test_the_sheet_shows_the_note_only_when_asked(client: TestClient) -> None:
    without = client.post("/sheet", data={"note": NOTE_8050, "area": "戸部本町"})
    assert without.status_code == 200 and '<main id="main"' in without.text
    assert 'id="sheet"' in without.text and 'id="printed-date"' in without.text
    assert 'id="data-date"' in without.text and "2026-11-30" in without.text
    assert 'id="note-text"' not in without.text and NOTE_8050 not in without.text
    with_note = client.post(
        "/sheet", data={"note": NOTE_8050, "area": "戸部本町", "include_note": "1"}
    )
    assert 'id="note-text"' in with_note.text and NOTE_8050 in with_note.text
    assert with_note.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"note": ""}, 422, "empty_note"),
        ({"note": "ゴミ屋敷", "area": ""}, 422, "empty_area"),
        ({"note": "ゴミ屋敷", "area": "xyzzy-nowhere"}, 400, "unknown_area"),
        ({"note": "ゴミ屋敷", "area": "川崎市中原区"}, 400, "outside_area"),
        ({"note": "こんにちは、いい天気ですね"}, 422, "no_concern"),
        ({"note": "あ" * (MAX_NOTE_CHARS + 1)}, 422, "note_too_long"),
        ({"note": "ゴミ屋敷", "age": "300"}, 422, "bad_age"),
    ],
)
def test_form_errors_have_a_code_and_keep_the_form(
    client: TestClient, fields: dict[str, str], status: int, code: str
) -> None:
    r = _route(client, **fields)
    assert r.status_code == status
    assert f'<div id="error" role="alert" class="error" data-code="{code}">' in r.text
    assert '<form id="route-form"' in r.text and "Traceback" not in r.text
    if fields.get("area"):
        assert f'value="{fields["area"]}"' in r.text
    if code == "note_too_long":  # the message says so without quoting the note
        message = r.text.split('data-code="note_too_long">', 1)[1].split("</div>", 1)[0]
        assert "あああ" not in message


def test_an_unknown_area_still_gives_the_safety_advice_first(client: TestClient) -> None:
    r = _route(client, note="死にたいと言っている", area="川崎市中原区")
    assert r.status_code == 400
    main = r.text.split('<main id="main" tabindex="-1">', 1)[1].lstrip()
    assert (
        main.startswith('<section id="safety" role="alert"') and 'data-code="outside_area"' in main
    )


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/agencies/nishi.ward_office", "横浜市西区役所"),
        ("/agencies/nishi.ward_office?lang=en", "Nishi Ward Office"),
        ("/areas/nishi.tobe_honcho", '<svg id="network"'),
        ("/areas/nishi", "戸部本町地域ケアプラザ圏域"),
        ("/concerns", "ヤングケアラー"),
        ("/concerns?lang=en", "young carer"),
        ("/gaps", '<select id="ward" name="ward">'),
        ("/gaps?ward=西区", 'id="coverage"'),
        ("/gaps?ward=nishi&lang=en", "Single points of failure"),
        ("/docs", "/api/route"),
    ],
)
def test_every_page(client: TestClient, url: str, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert needle in r.text
    assert '<a href="#main" class="skip">' in r.text and '<main id="main"' in r.text


def test_the_area_network_is_svg_drawn_on_the_server(client: TestClient) -> None:
    svg = client.get("/areas/nishi.tobe_honcho").text.split('<svg id="network"', 1)[1]
    svg = svg.split("</svg>", 1)[0]
    assert svg.count("<rect") >= 10 and "<line" in svg
    assert 'href="/agencies/nishi.tobe_honcho.care_plaza"' in svg


def test_the_gaps_heatmap_has_a_cell_per_concern_and_area(
    client: TestClient, bundled: Directory
) -> None:
    html = client.get("/gaps?ward=nishi").text
    table = html.split('id="coverage"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td class="cell (cov-[a-z]+)"', table)
    assert len(cells) == len(bundled.coverage(ward="nishi").areas)
    assert "cov-none" in cells or "cov-partial" in cells  # 西区 has a hole (the lounge)
    assert 'id="spof"' in html


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/agencies/no.such", 404, "unknown_agency"),
        ("/areas/no.such", 404, "unknown_area"),
        ("/gaps?ward=xyzzy-nowhere", 400, "unknown_area"),
        ("/no-such-page", 404, "not_found"),
    ],
)
def test_page_errors_are_a_message_box(
    client: TestClient, url: str, status: int, code: str
) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert f'data-code="{code}"' in r.text and 'role="alert"' in r.text
    assert "Traceback" not in r.text


# -- headers, privacy of the address bar, limits --------------------------------------
def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/static/style.css"),
        client.get("/static/app.js"),
        client.get("/api/areas?q=西"),
        client.get("/organizations"),
        client.get("/no-such-page"),
        _route(client, note=NOTE_8050),
        client.post("/api/route", json={"note": "", "area": "x"}),
    ]
    for r in responses:
        assert r.headers["content-security-policy"] == CSP
        assert "default-src 'none'" in CSP and "script-src 'self'" in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
        assert "server" not in r.headers
    static = client.get("/static/style.css")
    assert static.headers["cache-control"] != "no-store" and "@media print" in static.text
    assert "@page { size: A4" in static.text
    assert all(r.headers["cache-control"] == "no-store" for r in responses[3:])


def test_the_pages_load_nothing_from_another_host(client: TestClient) -> None:
    pages = [client.get(u).text for u in ("/", "/docs", "/areas/nishi", "/gaps?ward=nishi")]
    pages.append(_route(client, note=NOTE_8050).text)
    for html in pages:
        for url in re.findall(r'(?:src|href|action)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")) or "city.yokohama" in url, url
    js = client.get("/static/app.js").text
    assert "innerHTML" not in js and "/api/areas" in js and "note" not in js.split("\n", 3)[3]


def test_no_note_in_an_address_and_no_get_form_for_notes(client: TestClient) -> None:
    for url in ("/", "/?lang=en"):
        html = client.get(url).text
        for form in re.findall(r"<form[^>]*>", html):
            if 'id="route-form"' in form:
                assert 'method="post"' in form
    r = client.get("/route", params={"note": NOTE_8050, "area": "戸部本町"})
    assert r.status_code == 405  # a note is never taken from an address
    plan = _route(client, note=NOTE_8050)
    assert not plan.history and "location" not in plan.headers  # no redirect carrying it


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    big = json.dumps({"note": "あ" * MAX_BODY_BYTES, "area": "戸部本町"}).encode()
    r = client.post("/api/route", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 8192

    form = {"content-type": "application/x-www-form-urlencoded"}
    r = client.post("/route", content=chunks(), headers=form)
    assert r.status_code == 413
    longest = _route(client, note="ゴミ屋敷で悪臭。" * (MAX_NOTE_CHARS // 8))
    assert longest.status_code == 200  # the longest note a browser sends fits


def test_a_request_for_another_host_name_is_refused_without_a_token(bundled: Directory) -> None:
    with TestClient(create_app(bundled), base_url="http://attacker.example") as c:
        assert c.get("/").status_code == 400
    with TestClient(create_app(bundled), base_url="http://[::1]:8000") as c:
        assert c.get("/").status_code == 200
    with TestClient(create_app(bundled), base_url="http://localhost:8000") as c:
        assert c.get("/").status_code == 200


def test_with_a_token_every_request_needs_it(bundled: Directory) -> None:
    app = create_app(bundled, token=SECRET)
    with TestClient(app, base_url="http://192.0.2.10:8000") as c:
        for url in ("/", "/api/areas?q=西", "/organizations", "/static/app.js", "/docs"):
            r = c.get(url)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized", url
        assert c.post("/api/route", json={"note": "x", "area": "西区"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/areas?q=西", headers={"Authorization": f"Bearer {SECRET}"})
        assert ok.status_code == 200
        first = c.get(f"/gaps?token={SECRET}&lang=en", follow_redirects=False)
        assert first.status_code == 303 and SECRET not in first.headers["location"]
        assert first.headers["location"] == "/gaps?lang=en"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        c.cookies.set("referral_token", SECRET)
        assert c.get("/").status_code == 200  # the cookie carries it from now on
        assert _route(c, note=NOTE_8050).status_code == 200


def test_serve_refuses_another_host_without_a_token_and_never_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REFERRAL_TOKEN", raising=False)
    started: list[tuple[str, int]] = []
    monkeypatch.setattr(_cli_serve, "run_server", lambda app, h, p: started.append((h, p)))
    cases = [
        (["serve", "--host", "0.0.0.0"], 2, "REFERRAL_TOKEN"),
        (["serve", "--host", "0.0.0.0", "--token", "short"], 2, "16"),
        (["serve", "--port", "70000"], 2, "65535"),
        (["serve", "--port", "8123", "--lang", "en"], 0, "http://127.0.0.1:8123/"),
        (["serve", "--host", "0.0.0.0", "--token", SECRET], 0, "0.0.0.0"),
        (["serve", "--host", "::1"], 0, "http://[::1]:8000/"),
    ]
    for argv, code, said in cases:
        err = io.StringIO()
        with redirect_stdout(io.StringIO()), redirect_stderr(err):
            assert main(argv) == code, argv
        assert said in err.getvalue() and "Traceback" not in err.getvalue()
    assert started == [("127.0.0.1", 8123), ("0.0.0.0", 8000), ("::1", 8000)]
    assert _COMMANDS["serve"].runs_forever
    assert [n for n, c in _COMMANDS.items() if c.runs_forever] == ["serve"]


def test_serve_without_the_web_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util  # noqa: PLC0415

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a)
    )
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        assert main(["serve"]) == 2
    assert "pip install 'referral[web]'" in err.getvalue()
    assert err.getvalue().count("\n") == 1


# -- the JSON API --------------------------------------------------------------------------
def test_api_route_returns_the_librarys_plan(client: TestClient, bundled: Directory) -> None:
    r = client.post("/api/route", json={"note": NOTE_8050, "area": "戸部本町", "age": 52})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    expected = bundled.route(NOTE_8050, area="戸部本町", age=52).model_dump(mode="json")
    assert r.json() == expected
    given = client.post(
        "/api/route", json={"concerns": ["hoarding"], "area": "220-0013", "lang": "en"}
    )
    assert given.json()["meeting"] == "nishi.hoarding_liaison"


def test_api_match(client: TestClient) -> None:
    r = client.post("/api/match", json={"note": "ﾔﾝｸﾞｹｱﾗｰかもしれない"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["matches"][0]["concern"] == "young_carer"
    assert set(r.json()) == {"matches", "weak", "advisories"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"note": "ゴミ屋敷", "area": "xyzzy-nowhere"}, 400, "unknown_area"),
        ({"note": "", "area": "西区"}, 422, "empty_note"),
        ({"note": "こんにちは", "area": "西区"}, 422, "no_concern"),
        ({"note": "あ" * (MAX_NOTE_CHARS + 1), "area": "西区"}, 422, "note_too_long"),
        ({"concerns": ["no_such_concern"], "area": "西区"}, 400, "unknown_vocabulary"),
        ({"note": 3, "area": "西区"}, 422, "usage"),
        ({"note": "x", "area": "西区", "extra": 1}, 422, "usage"),
        ({"area": "西区", "note": "ゴミ屋敷", "age": 400}, 400, "argument"),
    ],
)
def test_api_errors_have_the_clis_codes(
    client: TestClient, body: dict[str, Any], status: int, code: str
) -> None:
    r = client.post("/api/route", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert set(r.json()["error"]) >= {"code", "message"}
    assert "あああ" not in r.text and "ゴミ屋敷" not in r.text  # the note is never quoted


def test_api_unknown_area_comes_with_the_safety_advice(client: TestClient) -> None:
    r = client.post("/api/route", json={"note": "死にたいと言っている", "area": "川崎市中原区"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "outside_area"
    assert r.json()["advisories"][0]["concern"] == "suicide_risk"


def test_api_areas_completes_wards_areas_towns_and_postal_codes(client: TestClient) -> None:
    def values(q: str) -> list[str]:
        return [x["value"] for x in client.get("/api/areas", params={"q": q}).json()]

    assert "戸部本町地域ケアプラザ圏域" in values("戸部")
    assert "西区戸部本町" in values("戸部")
    assert "220-0041" in values("220-004")
    assert "西区" in values("西")
    assert values("") == []
    kinds = {x["kind"] for x in client.get("/api/areas", params={"q": "戸部"}).json()}
    assert {"district", "town"} <= kinds


def test_api_agency(client: TestClient, bundled: Directory) -> None:
    r = client.get("/api/agencies/nishi.ward_office")
    assert r.json()["name"]["ja"] == bundled.agency("nishi.ward_office").name.ja
    missing = client.get("/api/agencies/nishi.ward_ofice")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_agency"
    assert "nishi.ward_office" in missing.json()["error"]["suggestions"]


def test_openapi_is_served_and_swagger_is_not(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/route", "/api/match", "/api/areas", "/organizations/{item_id}"):
        assert path in spec["paths"]
    docs = client.get("/docs").text
    assert "swagger" not in docs.lower() and "cdn" not in docs.lower()
    for path in spec["paths"]:  # every endpoint is listed on the page
        assert f"<code>{path}</code>" in docs


# -- HSDA ----------------------------------------------------------------------------------
HSDA_LISTS = ["organizations", "services", "service_at_locations", "taxonomies", "taxonomy_terms"]
PAGE_KEYS = {
    "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
    "contents",
}  # fmt: skip


@pytest.mark.parametrize("table", HSDA_LISTS)
def test_hsda_lists_are_paginated_and_each_item_is_served_by_id(
    client: TestClient, table: str
) -> None:
    first = client.get(f"/{table}", params={"per_page": 2}).json()
    assert set(first) == PAGE_KEYS
    assert first["page_number"] == 1 and first["first_page"] and first["size"] == 2
    assert len(first["contents"]) == min(2, first["total_items"])
    assert first["total_pages"] == -(-first["total_items"] // 2)
    last = client.get(f"/{table}", params={"per_page": 2, "page": first["total_pages"]}).json()
    assert last["last_page"] and not last["empty"]
    beyond = client.get(f"/{table}", params={"page": 10**6}).json()
    assert beyond["empty"] and beyond["contents"] == []
    item = first["contents"][0]
    one = client.get(f"/{table}/{item['id']}")
    assert one.status_code == 200 and one.json()["id"] == item["id"]
    missing = client.get(f"/{table}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"/{table}", params={"per_page": 0}).status_code == 422


def test_hsda_organization_nests_its_services_and_locations(client: TestClient) -> None:
    found = client.get("/organizations", params={"search": "西区役所", "per_page": 5}).json()
    org = client.get(f"/organizations/{found['contents'][0]['id']}").json()
    assert org["services"] and org["services"][0]["organization_id"] == org["id"]
    assert org["locations"] and org["locations"][0]["addresses"]


@pytest.mark.skipif(
    not (SCHEMAS / "organization.json").is_file(), reason=f"HSDS 3.0 schemas not at {SCHEMAS}"
)
def test_hsda_objects_validate_against_the_hsds_schemas(client: TestClient) -> None:
    pytest.importorskip("jsonschema")
    from referral.hsds import validate_hsds  # noqa: PLC0415

    data: dict[str, list[dict[str, Any]]] = {}
    for table in HSDA_LISTS:
        rows = client.get(f"/{table}", params={"per_page": 20}).json()["contents"]
        data[table] = [*rows, client.get(f"/{table}/{rows[0]['id']}").json()]
    assert validate_hsds(data, SCHEMAS) == []


# -- escaping ------------------------------------------------------------------------------
def test_html_in_the_data_is_escaped_everywhere(bundled: Directory) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    d = bundled.with_changes(
        "nishi.tobe_honcho.comprehensive_support_center",
        name=Text(ja=f"戸部本町{hostile}", en=f"Tobe{hostile}"),
    )
    with TestClient(create_app(d), base_url=LOCAL) as c:
        pages = [
            c.get("/agencies/nishi.tobe_honcho.comprehensive_support_center").text,
            c.get("/areas/nishi.tobe_honcho").text,
            c.get("/areas/nishi.tobe_honcho?lang=en").text,
            c.get("/gaps?ward=nishi").text,
            _route(c, note=NOTE_8050).text,
            c.post("/sheet", data={"note": NOTE_8050, "area": "戸部本町"}).text,
        ]
        for html in pages:
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        note = _route(c, note=f"{hostile} ゴミ屋敷で悪臭").text
        assert "<script>alert" not in note and "&lt;script&gt;" in note


# -- the privacy canary ----------------------------------------------------------------------
def _canary_requests(c: TestClient) -> Iterator[tuple[str, Any, bool]]:
    """Every page and endpoint given the canary (a name, the response, whether the response
    is the note's own plan or sheet, which may show it)."""
    for note in (CANARY, f"{FILLER}{TOKEN}", f"{FILLER}{TOKEN}" * 300):
        yield "route", _route(c, note=note), True
        yield "route full", _route(c, note=note, view="full"), True
        yield "sheet", c.post("/sheet", data={"note": note, "area": "戸部本町"}), False
        yield (
            "sheet+note",
            c.post("/sheet", data={"note": note, "area": "戸部本町", "include_note": "1"}),
            True,
        )
        yield "api route", c.post("/api/route", json={"note": note, "area": "戸部本町"}), False
        yield "api match", c.post("/api/match", json={"note": note}), False
        yield "api bad", c.post("/api/route", json={"note": note, "area": 1}), False
        yield "area", _route(c, note="ゴミ屋敷", area=note), True  # the form, kept
        yield "api area", c.post("/api/route", json={"note": "ゴミ屋敷", "area": note}), False
        yield "gaps", c.get("/gaps", params={"ward": note[:190]}), False
        yield "areas api", c.get("/api/areas", params={"q": note[:190]}), False
        yield "agency", c.get(f"/agencies/{note[:190]}"), False
        yield "api agency", c.get(f"/api/agencies/{note[:190]}"), False


def test_the_canary_leaves_no_trace_from_the_web_app(
    bundled: Directory,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "starlette"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    before = {p for p in Path("/tmp").glob("*")} if Path("/tmp").is_dir() else set()
    with TestClient(create_app(bundled), base_url=LOCAL) as c:
        for name, r, own in _canary_requests(c):
            assert r.status_code < 500, name
            if r.request.method == "POST":  # a note posted never lands in an address
                assert TOKEN not in str(r.url) and not r.history, name
            assert r.headers["cache-control"] == "no-store"
            error = r.text
            if own:  # its own page shows the note; its error message does not
                error = r.text.split('id="error"', 1)[1] if 'id="error"' in r.text else ""
                error = error.split("</div>", 1)[0]
            # a lookup says which id (an address the user typed) it could not find, shortened
            assert TOKEN not in error or name in ("agency", "api agency"), name
    # the server's records (httpx's are the test client's: it logs the addresses it asked)
    server = [rec for rec in caplog.records if not rec.name.startswith(("httpx", "httpcore"))]
    assert all(TOKEN not in rec.getMessage() for rec in server)
    assert list(tmp_path.iterdir()) == []
    for path in {p for p in Path("/tmp").glob("*")} - before:
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_the_lookup_pages_shorten_what_they_could_not_find(client: TestClient) -> None:
    r = client.get(f"/agencies/{CANARY[:190]}")
    message = r.text.split('id="error"', 1)[1].split("</div>", 1)[0]
    assert r.status_code == 404 and CANARY[:100] not in message
    api = client.get(f"/api/agencies/{CANARY[:190]}")
    assert api.status_code == 404 and CANARY[:100] not in api.text


def test_an_internal_error_logs_its_type_only(
    bundled: Directory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"boom {TOKEN}")

    caplog.set_level(logging.DEBUG)
    with (
        mock.patch.object(Directory, "route", broken),
        TestClient(create_app(bundled), base_url=LOCAL, raise_server_exceptions=True) as c,
    ):
        r = _route(c, note=CANARY)
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal"
    assert "RuntimeError" in caplog.text and TOKEN not in caplog.text
