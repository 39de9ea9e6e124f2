"""The pages in headless Chromium (Playwright driving Debian's /usr/bin/chromium).

The ISS example's Gantt draws one bar per stay and per docking, its violations
list is `mixedcrew check`'s, a broken upload shows the CLI's error line, jobs
run to completion and stop on request, and no page logs a console error.
A screenshot of the ISS manifest page is saved under test-artifacts/.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")
pytest.importorskip("playwright", reason="playwright is not installed: pip install 'mixedcrew[test]'")

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium: `make test` installs it when "
                "run as root", allow_module_level=True)

import httpx  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from typer.testing import CliRunner  # noqa: E402
from webtools import (  # noqa: E402
    ARTIFACTS,
    ISS,
    SMALL,
    TEST_KINDS,
    bearer,
    plannable,
    seed_user,
    start_live_server,
    stop_live_server,
)

from mixedcrew import Timeline, load_scenario  # noqa: E402
from mixedcrew.cli import app as cli_app  # noqa: E402
from mixedcrew.instants import to_instant  # noqa: E402
from mixedcrew.web.settings import WebSettings  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


ADMIN_PASSWORD = "browser-tests-only"


@pytest.fixture(scope="module")
def live() -> Iterator[Any]:
    """The app on a SQLite file, with an administrator `admin` (password and API token `live.auth`)."""
    folder = Path(tempfile.mkdtemp(prefix="mixedcrew-web-"))
    settings = WebSettings(db_url=f"sqlite:///{folder / 'web.db'}", heartbeat_s=0.5)
    token = seed_user(settings.db_url, "admin", password=ADMIN_PASSWORD)
    server = start_live_server(settings, kinds=TEST_KINDS)
    server.auth = bearer(token)  # type: ignore[attr-defined]
    yield server
    stop_live_server(server)
    shutil.rmtree(folder, ignore_errors=True)


def log_in(context: Any, live: Any, name: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    """Put a page session cookie in the browser, as the login form would."""
    r = httpx.post(f"{live.url}/api/login", json={"name": name, "password": password})
    assert r.status_code == 200, r.text
    context.clear_cookies()
    context.add_cookies([{"name": "mixedcrew_session", "value": r.cookies["mixedcrew_session"],
                          "url": live.url, "httpOnly": True, "sameSite": "Strict"}])


@pytest.fixture(scope="module")
def browser_context(live: Any) -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="mixedcrew-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 900})
        log_in(context, live)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab; any console error or uncaught exception fails the test.

    Chromium logs a page answered with an error status as a console error; a
    test marked `expect_http_status(422)` expects exactly that for its page.
    """
    marker = request.node.get_closest_marker("expect_http_status")
    expected = [f"status of {code} " for code in (marker.args if marker else ())]
    tab = browser_context.new_page()
    errors: list[str] = []

    def console(m: Any) -> None:
        if m.type == "error" and not (m.text.startswith("Failed to load resource")
                                      and any(e in m.text for e in expected)):
            errors.append(f"console.{m.type}: {m.text}")

    tab.on("console", console)
    tab.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    # failed scripts, styles, images, fetches (a refused upload's page is a document: expected)
    tab.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 and r.request.resource_type != "document" else None)
    yield tab
    tab.close()
    assert errors == []


def upload_small(live: Any) -> int:
    r = httpx.post(f"{live.url}/api/scenarios", files={"file": ("small.toml", SMALL.read_bytes())},
                   headers=live.auth)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_iss_manifest_page(page: Page, live: Any):
    """Upload the ISS example; the charts, the violations and their links to the chart."""
    page.goto(live.url + "/")
    page.set_input_files("#file", str(ISS))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/scenarios/*")
    page.wait_for_selector("body[data-charts-ready=true]", timeout=60_000)

    tl = Timeline(load_scenario(ISS))
    assert page.locator("#chart-stays .barlayer .point").count() == len(tl.stays)
    assert page.locator("#chart-ports .barlayer .point").count() == len(tl.port_holds)  # a bar per port held

    cli = CliRunner().invoke(cli_app, ["check", str(ISS), "--json"])
    expected = json.loads(cli.stdout)["violations"]
    rows = page.locator("#violation-list tbody tr")
    assert rows.count() == len(expected) == 3
    for i, v in enumerate(expected):
        cells = rows.nth(i).locator("td")
        shown = [cells.nth(k).inner_text() for k in range(4)]
        assert shown == [v["rule"], v["start"], v["end"], v["message"]]

    link = rows.nth(0).get_by_role("link", name="Show the LIFEBOAT span")
    link.focus()
    page.keyboard.press("Enter")  # reachable and usable from the keyboard
    expect(page.locator("#span-status")).to_contain_text(f"LIFEBOAT from {expected[0]['start']}")
    layout = page.evaluate("""() => {
        const el = document.getElementById('chart-stays');
        return {range: el.layout.xaxis.range,
                shapes: el.layout.shapes.filter((s) => s.name === 'violation').length,
                rows: el.layout.yaxis.categoryarray.length};
    }""")
    assert layout["shapes"] == 1
    low, high = (to_instant(x.replace(" ", "T") + ("" if x.endswith("Z") else "Z")) for x in layout["range"])
    assert low < to_instant(expected[0]["start"]) and high > to_instant(expected[0]["end"])
    # the rows shown are those of the people with a stay overlapping the padded span: 7 aboard then
    assert layout["rows"] == len({x.person for x in tl.stays if x.start < high and x.end > low}) == 7
    assert page.url.endswith("#violation-0")

    expect(page.locator("#exchange table.ledger tr.total")).to_contain_text("6")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-iss-violation-span.png"), full_page=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "web-iss-manifest.png"), full_page=True)

    page.get_by_role("button", name="Show the whole time range").click()
    rows = page.evaluate("() => document.getElementById('chart-stays').layout.yaxis.categoryarray.length")
    assert rows == len({x.person for x in tl.stays})


def test_every_control_has_a_label_and_the_skip_link_comes_first(page: Page, live: Any):
    sid = upload_small(live)
    for path in ("/", f"/scenarios/{sid}", "/jobs", "/api-docs", "/account", f"/scenarios/{sid}/crew",
                 f"/scenarios/{sid}/proposals", f"/scenarios/{sid}/audit", "/admin/users"):
        page.goto(live.url + path)
        unlabelled = page.evaluate("""() => Array.from(
              document.querySelectorAll('input:not([type=hidden]), select, button'))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.textContent.trim()).map(el => el.outerHTML)""")
        assert unlabelled == [], path
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"


@pytest.mark.expect_http_status(422)
def test_broken_upload_shows_the_cli_error_line(page: Page, live: Any, tmp_path: Path, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace(
        'launch = 2022-09-21T13:54:49Z', 'launch = 2022-13-21T13:54:49Z', 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    cli = CliRunner().invoke(cli_app, ["check", "broken.toml"])
    assert cli.exit_code == 2
    lines = cli.stderr.strip().splitlines()
    assert lines and lines[0].startswith("broken.toml:")

    page.goto(live.url + "/")
    page.set_input_files("#file", str(broken))
    page.get_by_role("button", name="Upload").click()
    problems = page.locator("#upload-problems li")
    expect(problems.first).to_be_visible()
    assert problems.all_inner_texts() == lines
    assert page.get_by_role("alert").count() == 1


def test_a_job_runs_to_completion_and_another_stops(page: Page, live: Any):
    sid = upload_small(live)
    page.goto(f"{live.url}/scenarios/{sid}")
    page.get_by_label("Start a job").select_option("check")
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#result-violations tbody tr")).to_have_count(1, timeout=20_000)
    expect(page.locator("#job-status .state")).to_have_text("done")
    expect(page.locator("#job-progress")).to_have_attribute("value", "1.0")

    page.goto(f"{live.url}/scenarios/{sid}")
    page.get_by_label("Start a job").select_option("slow")
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#job-status .state")).to_have_text("running", timeout=10_000)
    page.wait_for_function("() => document.getElementById('job-progress').value > 0", timeout=10_000)
    page.get_by_role("button", name="Stop this job").click()
    expect(page.locator("#job-status .state")).to_have_text("stopped", timeout=10_000)
    assert page.get_by_role("button", name="Stop this job").count() == 0


def test_a_plan_job_runs_to_completion(page: Page, live: Any):
    pytest.importorskip("mixedcrew.plan", reason="the planner (mixedcrew.plan) is not in this build")
    r = httpx.post(f"{live.url}/api/scenarios", files={"file": ("open.toml", plannable())}, headers=live.auth)
    page.goto(f"{live.url}/scenarios/{r.json()['id']}")
    page.get_by_label("Start a job").select_option("plan")
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#levels tbody tr")).to_have_count(4, timeout=60_000)
    expect(page.locator("#job-status .state")).to_have_text("done")
    # The differences highlighted on the job page's own chart: the comparison page's, outlined in red.
    page.wait_for_selector("body[data-charts-ready=true]", timeout=30_000)
    outlines = page.evaluate("""() => document.getElementById('chart-compare').data
        .filter(t => t.type === 'bar' && t.marker.line.color === '#D00000').length""")
    assert outlines > 0  # the planned flight's docking (and the crews it carries) differ from the input
    page.get_by_role("link", name="open it").click()
    page.wait_for_selector("body[data-charts-ready=true]", timeout=30_000)
    assert page.locator("#chart-ports .barlayer .point").count() == 4  # three flown, one planned


def test_infeasibility_explanations_are_listed(page: Page, live: Any):
    sid = upload_small(live)
    page.goto(f"{live.url}/scenarios/{sid}")
    page.get_by_label("Start a job").select_option("explain")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("#explanations li")).to_have_count(2, timeout=20_000)
    expect(page.locator("#explanations li").first).to_contain_text("ROSCOSMOS has not certified Crew Dragon")


@pytest.mark.expect_http_status(401)
def test_log_in_with_the_form_and_come_back_to_the_page(page: Page, live: Any, browser_context: Any):
    browser_context.clear_cookies()
    try:
        page.goto(live.url + "/jobs")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#login-problem")).to_contain_text("wrong user name or password")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/jobs")
        expect(page.get_by_role("link", name="Account of admin")).to_be_visible()
    finally:
        log_in(browser_context, live)


def test_names_with_markup_stay_text_in_the_browser(page: Page, live: Any):
    """A person named with script and img tags: shown as those characters, nothing runs."""
    from webtools import make_user

    sid = upload_small(live)
    nasa = bearer(make_user(live.server.config.app.state.accounts, "nasa", "NASA"))
    name = "<script>alert('crew')</script><img src=x onerror=alert(1)>"
    r = httpx.post(f"{live.url}/api/scenarios/{sid}/changes", headers=nasa, json={"ops": [
        {"op": "put_person", "person": {"id": "markup", "name": name, "agency": "NASA",
                                        "segments": ["USOS"]}}]})
    assert r.status_code == 201, r.text
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (f"/scenarios/{sid}/crew", f"/scenarios/{sid}/audit"):
        page.goto(live.url + path)
        expect(page.locator("main")).to_contain_text("<script>alert('crew')</script>")
        assert page.locator("main script, main img").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"web-{path.rsplit('/', 1)[1]}.png"), full_page=False)
    assert dialogs == []
