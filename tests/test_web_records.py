"""``referral serve --records DB``: record a referral from a plan card, list the open ones,
update their status; a refused move shows its code; the note never reaches the file."""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")
with warnings.catch_warnings():  # starlette asks for httpx2 on import; httpx works as well
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from helpers import spy_on_report

from referral import Directory, _cli_serve
from referral._web_guard import CSP
from referral.cli import main
from referral.records_synth import synthetic_referrals
from referral.web import create_app

LOCAL = "http://127.0.0.1"
TOKEN = "CANARY9d2e1"
NOTE = f"{TOKEN} 山田太郎さん（090-9876-5432）、家がゴミ屋敷で悪臭がする"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "plaza.sqlite"


@pytest.fixture
def client(bundled: Directory, db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(bundled, records=db), base_url=LOCAL) as c:
        yield c


def _plan(client: TestClient) -> str:
    r = client.post("/route", data={"note": NOTE, "area": "西区", "lang": "en"})
    assert r.status_code == 200
    return str(r.text)


def _card_form(html: str, rank: int = 1) -> dict[str, Any]:
    """The hidden fields of a card's record form, as the browser would send them."""
    form = re.search(rf'<form[^>]*id="record-{rank}".*?</form>', html, re.S)
    assert form is not None
    fields: dict[str, Any] = {}
    for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)):
        if name == "concerns":
            fields.setdefault(name, []).append(value)
        else:
            fields[name] = value
    return fields


def _record(client: TestClient, basis: str = "meeting_106_6", **extra: str) -> Any:
    fields = _card_form(_plan(client)) | {"basis": basis, **extra}
    return client.post("/records", data=fields)


def _id(html: str) -> str:
    found = re.search(r'id="recorded" role="status" data-referral-id="([0-9a-f]{32})"', html)
    assert found is not None
    return found.group(1)


def test_without_records_nothing_changes(bundled: Directory) -> None:
    with TestClient(create_app(bundled), base_url=LOCAL) as c:
        r = c.post("/route", data={"note": NOTE, "area": "西区"})
        assert "record-form" not in r.text
        assert c.get("/records").status_code == 404


def test_each_plan_card_has_a_record_form_without_the_note(client: TestClient) -> None:
    html = _plan(client)
    forms = re.findall(r'<form method="post" action="/records".*?</form>', html, re.S)
    assert forms and len(forms) == html.count('class="card role-')
    assert all(TOKEN not in f and 'name="note"' not in f for f in forms)
    assert all('value="consent"' in f and 'value="meeting_106_6"' in f for f in forms)
    fields = _card_form(html)
    assert fields["agency"] and fields["concerns"] and len(fields["plan_hash"]) == 64


def test_record_list_and_update(client: TestClient) -> None:
    r = _record(client, household="ab" * 16)
    assert r.status_code == 201
    rid = _id(r.text)
    listed = client.get("/records?lang=en")
    assert f'data-referral-id="{rid}"' in listed.text
    row = re.search(rf'<tr data-referral-id="{rid}".*?</tr>', listed.text, re.S)
    assert row is not None and '<td class="age">0</td>' in row.group(0)
    assert '<option value="no_capacity">' in listed.text  # the coded decline reasons
    r = client.post(f"/records/{rid}", data={"status": "accepted", "lang": "en"})
    assert r.status_code == 200
    row = re.search(rf'<tr data-referral-id="{rid}".*?</tr>', r.text, re.S)
    assert row is not None and '<td class="status">accepted</td>' in row.group(0)
    assert ">Update</button>" in row.group(0)
    r = client.post(f"/records/{rid}", data={"status": "declined", "reason": "waitlist"})
    assert r.status_code == 200 and f'data-referral-id="{rid}"' in r.text  # the notice
    assert f'<tr data-referral-id="{rid}"' not in r.text  # closed: no longer listed


def test_a_consent_given_now_gets_a_new_scope(client: TestClient) -> None:
    r = _record(client, basis="consent")
    assert r.status_code == 201
    assert re.search(r'id="new-scope">[0-9a-f]{32}<', r.text)


def test_a_forbidden_transition_is_refused_with_its_code(client: TestClient) -> None:
    rid = _id(_record(client).text)
    r = client.post(f"/records/{rid}", data={"status": "served", "lang": "en"})
    assert r.status_code == 409
    assert 'id="error"' in r.text and 'data-code="transition"' in r.text
    assert "cannot become served" in r.text
    r = client.post(f"/records/{rid}", data={"status": "declined"})  # no reason
    assert r.status_code >= 400 and 'data-code="' in r.text
    r = client.post("/records/" + "0" * 32, data={"status": "accepted"})
    assert r.status_code in {400, 404}
    r = client.post("/records", data={"agency": "nowhere", "concerns": "hoarding",
                                      "basis": "meeting_106_6"})  # fmt: skip
    assert r.status_code == 404 and 'data-code="unknown_agency"' in r.text


def test_a_household_that_is_not_a_token_is_refused_without_echo(client: TestClient) -> None:
    r = _record(client, household="山田太郎 090-9876-5432")
    assert r.status_code == 400 and "山田太郎" not in r.text


def test_the_note_never_reaches_the_database(client: TestClient, db: Path) -> None:
    fields = _card_form(_plan(client)) | {"basis": "meeting_106_6", "note": NOTE}
    assert client.post("/records", data=fields).status_code == 201
    client.get("/records")
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    with sqlite3.connect(db) as c:
        dump = "\n".join(c.iterdump())
    for secret in (TOKEN, "山田", "090-9876-5432"):
        assert secret not in dump and secret.encode() not in raw


def test_the_headers_hold_on_the_records_pages(client: TestClient) -> None:
    rid = _id(_record(client).text)
    for r in (
        client.get("/records"),
        client.post(f"/records/{rid}", data={"status": "served"}),  # refused
        client.post(f"/records/{rid}", data={"status": "accepted"}),
    ):
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["cache-control"] == "no-store"


def test_serve_records_passes_the_file(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake(app: Any, host: str, port: int) -> None:
        seen["records"] = app.state.records

    with mock.patch.object(_cli_serve, "run_server", fake):
        assert main(["serve", "--records", str(tmp_path / "s.sqlite")]) == 0
    assert seen["records"] is not None
    with mock.patch.object(_cli_serve, "run_server", fake):
        assert main(["serve"]) == 0
    assert seen["records"] is None


def test_the_gaps_page_shows_the_wards_outcomes(
    bundled: Directory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "many.sqlite"
    synthetic_referrals(db, 3000, seed=1, document=bundled.document)
    asked = spy_on_report(monkeypatch)
    with TestClient(create_app(bundled, records=db), base_url=LOCAL) as c:
        html = c.get("/gaps?ward=西区&lang=en").text
    assert asked == ["nishi"]  # the ward's report only, filtered in the database
    section = html[html.index('<section id="outcomes"') :]
    assert "Referral outcomes (from the records)" in section
    rows = re.findall(r"<tr><th scope=\"row\"><a href=\"/agencies/(nishi\.[\w.]+)", section)
    assert rows, "the ward's bodies are listed"
    shown = re.findall(r"<td>(\d+) → (\d+) → (\d+) → (\d+)</td>", section)
    assert shown and all(int(a) >= int(b) >= int(c) >= int(d) for a, b, c, d in shown)
    assert not re.search(r"<td>[1-4] → ", section)  # cells under 5 show no figures
    with TestClient(create_app(bundled), base_url=LOCAL) as c:
        assert 'id="outcomes"' not in c.get("/gaps?ward=nishi").text
