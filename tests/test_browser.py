"""The web page (``referral serve``) in a real browser: Debian's Chromium driven by Playwright.

One server runs for the module, in a subprocess with empty home, temporary and working
folders, its output captured to a file; each test opens a fresh browser context. The tests
follow what a worker does: type a note and an area, see the safety advice first, print the
sheet, switch language, use the keyboard only or no JavaScript at all; axe-core checks the
pages; no request leaves the server's host and a canary note leaves no trace.

Skipped without Playwright, FastAPI or a ``chromium`` executable (``apt-get install
chromium``); Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

for _module in ("playwright", "fastapi", "axe_playwright_python", "pypdf"):
    pytest.importorskip(_module)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium executable (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)
from pypdf import PdfReader  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
SCREENSHOTS = ("web-route-desktop", "web-plan-desktop", "web-route-phone", "web-plan-phone")
NOTE = "父親が子どもを殴っている。あざがある"
NOTE_8050 = "80代の母と無職の50代の息子。息子は何年も部屋から出てこない"
AREA = "戸部本町"
CANARY = "CANARY5e1d0"  # a marker to look for (ASCII: the same in a URL, a log or a PDF)


@dataclass
class Server:
    url: str
    log: Path  # the server's stdout and stderr
    folders: tuple[Path, ...]  # its home, temporary and working folders


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"the server did not answer in 60 s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("serve")
    home, tmp, work = (base / n for n in ("home", "tmp", "work"))
    for folder in (home, tmp, work):
        folder.mkdir()
    log = base / "server.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REFERRAL_TOKEN"},  # loopback: no token
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "REFERRAL_CACHE_DIR": "off",
        "PYTHONUNBUFFERED": "1",  # the log on disk is all the server said so far
        # this checkout's package, whatever the environment has installed
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "referral", "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=work,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield Server(url, log, (home, tmp, work))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=server.url, locale="ja-JP")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def _route(page: Page, note: str = NOTE, area: str = AREA) -> None:
    """Fill the form on ``/`` and submit it: the plan page is loaded on return."""
    page.goto("/")
    page.fill("#note", note)
    page.fill("#area", area)
    with page.expect_navigation():
        page.click("#go")


def _open_sheet(context: BrowserContext, page: Page) -> Page:
    """Submit the sheet form of a plan page; the sheet opens in a new tab."""
    with context.expect_page() as opened:
        page.click("#print-sheet")
    sheet = opened.value
    sheet.wait_for_load_state()
    return sheet


def _pdf_pages_and_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


# -- 1. route a note: the completion list, the safety advice first, cards to call ----------


def test_route_a_note_shows_safety_advice_before_any_card(page: Page) -> None:
    page.goto("/")
    page.fill("#note", NOTE)
    options = page.locator("#area-options option")
    rendered = options.count()  # the server's list: wards and care plaza areas
    assert rendered > 0
    # app.js asks /api/areas as one types and puts its answer in the datalist instead
    with page.expect_response(lambda r: "/api/areas" in r.url and r.status == 200):
        page.locator("#area").press_sequentially("戸部", delay=30)
    expect(options).not_to_have_count(rendered)
    option = page.locator(f"#area-options option[value*='{AREA}']").first
    option.wait_for(state="attached", timeout=5000)
    picked = option.get_attribute("value")
    assert picked and AREA in picked
    page.fill("#area", picked)
    with page.expect_navigation():
        page.click("#go")
    assert urlsplit(page.url).path == "/route"
    safety = page.locator("#main #safety[role='alert']")
    assert safety.count() == 1 and "189" in safety.inner_text()
    # querySelectorAll is in document order: the advice comes before every card
    first = page.locator("#main #safety, #main article.card").first
    assert first.get_attribute("id") == "safety"
    cards = page.locator("#plan article.card")
    assert cards.count() >= 1
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.get_attribute("data-agency-id")
        assert card.locator("a[href^='tel:']").count() >= 1
    assert page.locator("#plan ol.path").count() >= 1
    # this plan has a meeting to bring the case to but no coordinator (the police and the
    # child guidance centre act first); the 8050 note below has both
    assert page.locator("#meeting").count() == 1


# -- 2. the printable sheet: A4, a page or two, the note only when asked for -----------------


@pytest.mark.parametrize("include_note", [False, True], ids=["without the note", "with the note"])
def test_the_sheet_prints_on_few_a4_pages_and_holds_the_note_only_if_asked(
    context: BrowserContext, page: Page, include_note: bool
) -> None:
    note = f"{NOTE} SHEETNOTE42"
    _route(page, note)
    box = page.locator("#include-note")
    assert not box.is_checked()  # the note stays off the paper unless one ticks the box
    if include_note:
        box.check()
    sheet = _open_sheet(context, page)
    assert urlsplit(sheet.url).path == "/sheet"
    # the sheet is main#sheet or inside main (whose id is "main" for the skip link)
    assert sheet.locator("main#sheet, main #sheet").count() == 1
    assert sheet.locator("#printed-date").inner_text().strip()
    assert sheet.locator("#data-date").inner_text().strip()
    sheet.emulate_media(media="print")
    assert not sheet.locator("a.skip").is_visible()  # the print stylesheet hides the screen aids
    pages, text = _pdf_pages_and_text(sheet.pdf(format="A4"))
    assert 1 <= pages <= 3
    # the stylesheet's own page size wins over the browser's (Letter here): it asks for A4
    paper = PdfReader(io.BytesIO(sheet.pdf(format="Letter", prefer_css_page_size=True))).pages[0]
    assert (round(float(paper.mediabox.width)), round(float(paper.mediabox.height))) == (595, 842)
    html = sheet.content()
    if include_note:
        assert note in sheet.locator("#note-text").inner_text()
        assert "SHEETNOTE42" in text
    else:
        assert sheet.locator("#note-text").count() == 0
        assert note not in html and "SHEETNOTE42" not in html and "SHEETNOTE42" not in text


# -- 3. English ------------------------------------------------------------------------------


def _has_kana(text: str) -> bool:
    return any("\u3041" <= c <= "\u30ff" for c in text)


def test_the_pages_switch_to_english(page: Page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    with page.expect_navigation():
        page.click("a#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    go = page.locator("#go").inner_text()
    assert any(c.isascii() and c.isalpha() for c in go) and not _has_kana(go)
    assert not _has_kana(page.locator("label[for='note']").inner_text())
    # the plan page re-posts the same note in the other language
    _route(page)
    ids = page.locator("#plan article.card").evaluate_all(
        "cards => cards.map(c => c.dataset.agencyId)"
    )
    assert page.locator("html").get_attribute("lang") == "ja"
    with page.expect_navigation():
        page.click("#lang-form button#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "189" in page.locator("#safety").inner_text()
    assert not _has_kana(page.locator("#print-sheet").inner_text())
    assert not _has_kana(page.locator("#plan h1").inner_text())
    again = page.locator("#plan article.card").evaluate_all(
        "cards => cards.map(c => c.dataset.agencyId)"
    )
    assert again == ids


def test_the_view_switch_shows_the_full_plan_and_back(page: Page) -> None:
    _route(page)
    plan = page.locator("#plan")
    assert plan.get_attribute("data-view") == "short"
    cards = plan.locator("article.card").evaluate_all("cs => cs.map(c => c.dataset.agencyId)")
    short_reasons = plan.locator(".reasons li").count()
    with page.expect_navigation():
        page.click("#view-full")
    assert plan.get_attribute("data-view") == "full"
    assert (
        plan.locator("article.card").evaluate_all("cs => cs.map(c => c.dataset.agencyId)") == cards
    )
    assert plan.locator(".reasons li").count() >= short_reasons
    with page.expect_navigation():
        page.click("#view-short")
    assert plan.get_attribute("data-view") == "short"


# -- 4. the keyboard only, with a visible focus ---------------------------------------------


def _tab_to(page: Page, element_id: str, limit: int = 15) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} not reached with {limit} presses of Tab")


def _focus_is_visible(page: Page) -> bool:
    style: dict[str, Any] = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {style: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; }"""
    )
    outlined = style["style"] != "none" and style["width"] not in ("0px", "")
    return outlined or style["shadow"] not in ("none", "")


def test_the_keyboard_alone_routes_a_note_with_a_visible_focus(page: Page) -> None:
    page.goto("/")
    _tab_to(page, "note")
    assert _focus_is_visible(page)
    page.keyboard.type(NOTE)
    _tab_to(page, "area")
    assert _focus_is_visible(page)
    page.keyboard.type(AREA)
    page.keyboard.press("Escape")  # close the completion list, if it opened
    _tab_to(page, "go")
    assert _focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/route"
    assert page.locator("#plan article.card").count() >= 1


def test_a_skip_link_leads_to_the_main_part(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").split().count("skip") == 1
    assert page.locator("a.skip").get_attribute("href") == "#main"
    assert _focus_is_visible(page)
    assert page.locator("#main").count() == 1


# -- 5. no JavaScript ------------------------------------------------------------------------


def test_the_plain_form_routes_a_note_without_javascript(browser: Browser, server: Server) -> None:
    ctx = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = ctx.new_page()
        _route(page)
        assert page.locator("#safety").count() == 1
        assert page.locator("#plan article.card").count() >= 1
        _route(page, NOTE_8050)
        assert page.locator("#plan article.card").count() >= 1
        assert page.locator("#coordinator").count() == 1 and page.locator("#meeting").count() == 1
        page.goto(
            "/agencies/" + str(page.locator("article.card").first.get_attribute("data-agency-id"))
        )
        assert page.locator("#main").count() == 1
    finally:
        ctx.close()


# -- 6. axe-core -----------------------------------------------------------------------------


def _axe_serious(page: Page) -> list[str]:
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"])
        for v in bad
    ]


def test_axe_finds_no_serious_violation(context: BrowserContext, page: Page) -> None:
    found: dict[str, list[str]] = {}
    page.goto("/")
    found["route"] = _axe_serious(page)
    page.goto("/?lang=en")
    found["route, English"] = _axe_serious(page)
    _route(page)
    found["plan"] = _axe_serious(page)
    agency = page.locator("article.card").first.get_attribute("data-agency-id")
    sheet = _open_sheet(context, page)
    found["sheet"] = _axe_serious(sheet)
    for name, path in [
        ("body", f"/agencies/{agency}"),
        ("area", "/areas/nishi.tobe_honcho"),
        ("concerns", "/concerns"),
        ("gaps", "/gaps?ward=nishi"),
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        found[name] = _axe_serious(page)
    assert page.locator("#main").count() == 1
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"{k}: {line}" for k, v in bad.items() for line in v)


def test_the_area_page_draws_its_network(page: Page) -> None:
    page.goto("/areas/nishi.tobe_honcho")
    assert page.locator("svg#network").count() == 1
    assert page.locator("a.skip[href='#main']").count() == 1


# -- 7. no other host ------------------------------------------------------------------------


def test_no_request_goes_to_another_host(context: BrowserContext, server: Server) -> None:
    """Every request of a whole visit goes to the server's host, and the strict policy
    (no inline script) blocks nothing the pages need: the console stays free of errors."""
    urls: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto("/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy or "default-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy.split("script-src")[-1].split(";")[0]
    with page.expect_response(lambda r: "/api/areas" in r.url):
        page.locator("#area").press_sequentially("戸部", delay=30)
    page.fill("#note", NOTE)
    page.fill("#area", AREA)
    with page.expect_navigation():
        page.click("#go")
    agency = page.locator("article.card").first.get_attribute("data-agency-id")
    _open_sheet(context, page)
    for path in (
        f"/agencies/{agency}",
        "/areas/nishi.tobe_honcho",
        "/concerns",
        "/gaps?ward=nishi",
    ):
        page.goto(path)
    host = urlsplit(server.url).netloc
    assert len(urls) >= 8
    others = [u for u in urls if not u.startswith("data:") and urlsplit(u).netloc != host]
    assert others == []
    assert errors == []


# -- 8. a canary note leaves no trace --------------------------------------------------------


def test_a_canary_note_leaves_no_trace(context: BrowserContext, server: Server) -> None:
    """The note travels in POST bodies only: never in an address, the server's output or its
    folders, and the pages that show it tell the browser not to keep them (no-store)."""
    urls: list[str] = []
    caching: dict[str, str] = {}
    context.on("request", lambda r: urls.append(r.url))
    context.on(
        "response",
        lambda r: (
            caching.update({urlsplit(r.url).path: r.headers.get("cache-control", "")})
            if r.request.method == "POST"
            else None
        ),
    )
    page = context.new_page()
    note = f"{NOTE} {CANARY} 田中花子さん（090-1234-5678）"
    _route(page, note)
    assert page.locator("#plan article.card").count() >= 1
    page.check("#include-note")
    sheet = _open_sheet(context, page)
    assert CANARY in sheet.locator("#note-text").inner_text()  # it did reach the server
    with page.expect_navigation():
        page.click("#lang-form button#lang-switch")
    _route(page, CANARY)  # a note with no concern in it: an error page
    time.sleep(0.3)  # let the server write its access log lines
    assert all(CANARY not in u for u in urls)
    assert set(caching) == {"/route", "/sheet"}
    assert all("no-store" in v for v in caching.values()), caching
    log = server.log.read_bytes()
    assert b'"POST /route' in log and b'"POST /sheet' in log  # the access log is in the file
    assert CANARY.encode() not in log
    for folder in server.folders:
        for path in folder.rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), path


def test_a_note_with_no_concern_gets_an_error_not_a_plan(page: Page) -> None:
    _route(page, "今日は晴れです")
    error = page.locator("#error[role='alert']")
    assert error.count() == 1 and error.get_attribute("data-code")
    assert page.locator("article.card").count() == 0


# -- 9. screenshots for the README -----------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("REFERRAL_SCREENSHOTS") != "1", reason="REFERRAL_SCREENSHOTS=1 rewrites them"
)
@pytest.mark.parametrize(("width", "height", "name"), [(1280, 900, "desktop"), (390, 844, "phone")])
def test_take_screenshots(
    browser: Browser, server: Server, width: int, height: int, name: str
) -> None:
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    assert fonts.stdout.strip(), "no Japanese font: apt-get install fonts-ipaexfont-gothic"
    ctx = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": height}, locale="ja-JP"
    )
    try:
        page = ctx.new_page()
        page.goto("/")
        page.fill("#note", NOTE)
        page.fill("#area", AREA)
        page.locator("#area").blur()
        page.screenshot(path=IMG / f"web-route-{name}.png")
        with page.expect_navigation():
            page.click("#go")
        page.screenshot(path=IMG / f"web-plan-{name}.png")
    finally:
        ctx.close()


def test_the_readme_screenshots_are_committed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in SCREENSHOTS:
        data = (IMG / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width = int.from_bytes(data[16:20], "big")  # the IHDR chunk's first field
        assert width == (1280 if name.endswith("desktop") else 390), name
        assert f"docs/img/{name}.png" in readme
