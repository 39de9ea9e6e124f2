"""Timelines a person can read, in headless Chromium: on the scenario page and in the report.

Bars carry their flight's name, every chart follows a zoom of any other, the
stays chart keeps the rows of the people aboard in the range shown and those
the agency and name filter let through, and the date picker shows who is
aboard then, in the same words with and without scripts. Nothing loads from
another host. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")
pytest.importorskip("playwright", reason="playwright is not installed: pip install 'mixedcrew[test]'")

import httpx  # noqa: E402
import test_web_browser  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402
from webtools import ARTIFACTS, ISS  # noqa: E402

from mixedcrew import Timeline, check, load_scenario  # noqa: E402
from mixedcrew.instants import to_instant  # noqa: E402
from mixedcrew.report.aboard import snapshot_at, timeline_data  # noqa: E402
from mixedcrew.report.html import render_report  # noqa: E402
from mixedcrew.summary import summarise  # noqa: E402

# The browser tests' server, Chromium and tab fixtures, shared rather than copied (names pytest looks up).
globals().update({name: getattr(test_web_browser, name) for name in ("live", "browser_context", "page")})
ADMIN_PASSWORD = test_web_browser.ADMIN_PASSWORD
ZOOM = ("2022-10-01T00:00:00Z", "2023-04-01T00:00:00Z")


@pytest.fixture(scope="module")
def iss_id(live: Any) -> int:
    r = httpx.post(f"{live.url}/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())},
                   headers=live.auth, timeout=60)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def iss() -> tuple:
    s = load_scenario(ISS)
    return s, Timeline(s)


def aboard_in(tl: Timeline, start: str, end: str) -> set[str]:
    low, high = to_instant(start), to_instant(end)
    return {x.person for x in tl.stays if x.start < high and x.end > low}


def expected_panel(s: Any, tl: Timeline, day: str) -> list[str]:
    snap = snapshot_at(timeline_data(s, tl), to_instant(day))
    return [p["name"] for p in snap["people"]]


def zoom_stays(page: Page) -> dict[str, Any]:
    return page.evaluate("""async ([a, b]) => {
        const el = document.getElementById('chart-stays');
        await Plotly.relayout(el, {'xaxis.range[0]': a, 'xaxis.range[1]': b});
        await new Promise((r) => setTimeout(r, 200));
        const range = (id) => document.getElementById(id).layout.xaxis.range.map(String);
        return {ports: range('chart-ports'), aboard: range('chart-aboard'),
                rows: el.layout.yaxis.categoryarray.slice()};
    }""", list(ZOOM))


def check_linked_zoom(page: Page, tl: Timeline) -> None:
    """Zooming the stays chart moves the others to the same range and keeps the rows of those aboard."""
    seen = zoom_stays(page)
    for other in (seen["ports"], seen["aboard"]):
        assert [to_instant(x) for x in other] == [to_instant(x) for x in ZOOM]
    assert len(seen["rows"]) == len(aboard_in(tl, *ZOOM)) == 15


def check_filter(page: Page, s: Any, tl: Timeline) -> None:
    page.get_by_label("Agency", exact=True).select_option("NASA")
    rows = page.evaluate("() => document.getElementById('chart-stays').layout.yaxis.categoryarray")
    nasa = {x.person for x in tl.stays if s.agency_of(x.assignment) == "NASA"}
    assert rows and all(r.startswith("NASA · ") for r in rows)
    assert len(rows) == len(nasa & aboard_in(tl, *ZOOM))  # still the zoomed range
    page.get_by_label("Agency", exact=True).select_option("")
    page.get_by_label("Name", exact=True).fill("kikina")
    rows = page.evaluate("() => document.getElementById('chart-stays').layout.yaxis.categoryarray")
    assert rows == ["ROSCOSMOS · Kikina"]
    page.get_by_label("Name", exact=True).fill("no such astronaut")
    rows = page.evaluate("() => document.getElementById('chart-stays').layout.yaxis.categoryarray")
    assert rows == ["(no one in this range matches the filter)"]
    page.get_by_label("Name", exact=True).fill("")


def check_date_picker(page: Page, s: Any, tl: Timeline) -> None:
    page.get_by_label("Who is aboard on").fill("2023-01-01")
    page.get_by_label("Who is aboard on").press("Enter")  # the keyboard is enough
    panel = page.locator("#aboard-panel")
    expect(panel.locator(".aboard-title")).to_contain_text("2023-01-01 00:00:00 UTC: 7 people")
    expect(panel.locator(".aboard-facts")).to_contain_text("Lifeboat seats: 4.")
    names = panel.locator("table").first.locator("tbody tr td:first-child").all_inner_texts()
    assert names == expected_panel(s, tl, "2023-01-01")
    expect(panel).to_contain_text("Harmony forward (IDA-2)")
    dates = page.evaluate("""() => document.getElementById('chart-ports').layout.shapes
                             .filter((x) => x.name === 'picked date').map((x) => String(x.x0))""")
    assert [to_instant(x) for x in dates] == [to_instant("2023-01-01")]


def test_scenario_page_timelines(page: Page, live: Any, iss_id: int, iss: tuple):
    s, tl = iss
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(httpx.URL(r.url).host))
    page.goto(f"{live.url}/scenarios/{iss_id}")
    page.wait_for_selector("body[data-charts-ready=true]", timeout=60_000)
    texts = page.evaluate("""() => document.getElementById('chart-stays').data.flatMap((t) => t.text)""")
    assert len(texts) == len(tl.stays) and "Soyuz MS-22 → Soyuz MS-23" in texts
    horizon = page.evaluate("""() => document.getElementById('chart-aboard').layout.shapes
                               .filter((x) => x.name === 'horizon').length""")
    assert horizon == 1
    check_linked_zoom(page, tl)
    expect(page.locator("#span-status")).to_contain_text("with the 15 people aboard then")
    check_filter(page, s, tl)
    check_date_picker(page, s, tl)
    assert page.url.endswith("?at=2023-01-01")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#charts").screenshot(path=str(ARTIFACTS / "web-iss-timelines-zoomed.png"))
    assert hosts == {httpx.URL(live.url).host}


def test_date_picker_works_without_scripts(live: Any, iss_id: int, iss: tuple):
    """The picker is a GET form: the server answers with the same panel the script draws."""
    s, tl = iss
    r = httpx.post(f"{live.url}/api/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    cookies = {"mixedcrew_session": r.cookies["mixedcrew_session"]}
    html = httpx.get(f"{live.url}/scenarios/{iss_id}", params={"at": "2023-01-01"}, cookies=cookies).text
    assert 'id="aboard-form" class="aboard-form" method="get"' in html
    assert "2023-01-01 00:00:00 UTC: 7 people" in html and "Lifeboat seats: 4." in html
    panel = html.split('id="aboard-panel"')[1].split("</div>")[0]
    names = [cell.split("</td>")[0] for cell in panel.split("<tr><td>")[1:]]
    people = expected_panel(s, tl, "2023-01-01")
    assert [n.replace("&#39;", "'") for n in names[:len(people)]] == people
    bad = httpx.get(f"{live.url}/scenarios/{iss_id}", params={"at": "someday"}, cookies=cookies)
    assert bad.status_code == 422 and "date: " in bad.text and 'id="aboard-problem"' in bad.text


def test_report_timelines_offline(page: Page, tmp_path: Any, iss: tuple):
    """The standalone report: the same zoom, filter and picker, from a file, loading nothing."""
    s, tl = iss
    report = check(s, tl)
    path = tmp_path / "iss.html"
    path.write_text(render_report(s, tl, report, summarise(s, tl, report)), encoding="utf-8")
    schemes: set[str] = set()
    page.on("request", lambda r: schemes.add(r.url.split(":", 1)[0]))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-charts-ready=true]", timeout=60_000)
    check_linked_zoom(page, tl)
    check_filter(page, s, tl)
    check_date_picker(page, s, tl)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-iss-timelines.png"), full_page=False)
    assert schemes == {"file"}


# --- the other workbench pages, in the browser ----------------------------------------------------


def upload_later(live: Any) -> int:
    from test_web_rights import LATER

    r = httpx.post(f"{live.url}/api/scenarios", files={"file": ("later.toml", LATER.encode())},
                   headers=live.auth)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def as_nasa(live: Any, browser_context: Any) -> Iterator[dict[str, str]]:
    """The browser signed in as a NASA planner for one test (its API token given), then as the
    administrator again."""
    from webtools import bearer, make_user

    token = make_user(live.server.config.app.state.accounts, "nasa-planner", "NASA", password=NASA_PASSWORD)
    test_web_browser.log_in(browser_context, live, "nasa-planner", NASA_PASSWORD)
    try:
        yield bearer(token)
    finally:
        test_web_browser.log_in(browser_context, live)


NASA_PASSWORD = "nasa-planner-browser"


def test_crew_picker_move_and_audit_sentences(page: Page, live: Any, as_nasa: dict[str, str]):
    """Choose a flight with the keyboard: the picker offers who could ride it, the others say why;
    a move is one change; the audit log reads it as a sentence, its JSON one click away."""
    sid = upload_later(live)
    page.goto(f"{live.url}/scenarios/{sid}/crew?from=2023&until=2024")
    page.get_by_label("Flight", exact=True).select_option("MS24")
    page.get_by_role("button", name="Choose the flight").press("Enter")
    page.wait_for_url("**seat=MS24**")
    people = page.locator("#assign-person option").all_inner_texts()
    assert "O'Hara, Loral (NASA)" in people and "Cassada, Josh (NASA)" not in people
    page.locator("#cannot-fly summary").click()
    expect(page.locator("#cannot-fly")).to_contain_text("TRAINED: Cassada rides Soyuz MS-24")
    page.get_by_label("Person for Soyuz MS-24").select_option("ohara")
    page.get_by_role("button", name="List the flights down for this person").press("Enter")  # GET, no script
    page.wait_for_url("**person=ohara**")
    downs = page.locator("#assign-down option").evaluate_all("os => os.map(o => o.value)")
    assert "SPXC8" in downs and "SPXC5" not in downs  # Crew-5 lands before MS-24 launches
    expect(page.locator("#cannot-come-down")).to_contain_text("before Soyuz MS-24 launches")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#change-done")).to_contain_text("Applied as revision 2")
    page.get_by_label("Who (and the flight they ride up on now)").select_option("ohara@MS24")
    page.get_by_role("button", name="List the flights for this person").press("Enter")
    page.wait_for_url("**ride=ohara%40MS24**")
    tos = page.locator("#move-up option").evaluate_all("os => os.map(o => o.value)")
    assert "SPXC8" in tos and "MS24" not in tos  # not the flight she is taken off
    page.get_by_label("To", exact=True).select_option("SPXC8")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("#change-done")).to_contain_text("Applied as revision 3")  # NASA's own seats
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-crew-picker.png"), full_page=False)
    page.goto(f"{live.url}/scenarios/{sid}/audit")
    expect(page.locator("#audit-list")).to_contain_text(
        "nasa-planner (NASA) took O'Hara, Loral (NASA) off Soyuz MS-24 (revision 3)")
    page.locator("#audit-list details").first.locator("summary").click()
    expect(page.locator("#audit-list details").first).to_contain_text("After")
    page.screenshot(path=str(ARTIFACTS / "web-audit-sentences.png"), full_page=False)


def test_job_forms_branches_and_the_comparison_page(page: Page, live: Any, as_nasa: dict[str, str]):
    """A check with its parameters from the form; a branch of the scenario, edited, compared on one
    time axis, and proposed back."""
    sid = upload_later(live)
    page.goto(f"{live.url}/scenarios/{sid}")
    page.locator("#job-forms summary").click()
    form = page.locator("#job-form-check")
    form.get_by_label("From").fill("2023-01-01")
    form.get_by_label("LIFEBOAT").check()
    form.get_by_role("button", name="Start check").click()
    page.wait_for_url("**/jobs/*")
    expect(page.locator("#job-status .state")).to_have_text("done", timeout=20_000)
    expect(page.locator("#job-params")).to_contain_text("LIFEBOAT")
    expect(page.locator("#job-params")).to_contain_text("2023-01-01T00:00:00Z")
    page.screenshot(path=str(ARTIFACTS / "web-job-parameters.png"), full_page=False)

    page.goto(f"{live.url}/scenarios/{sid}#branches")
    page.get_by_label("Branch name").fill("O'Hara on MS-24")
    page.get_by_role("button", name="Branch", exact=True).click()
    page.wait_for_url("**/scenarios/*")
    bid = int(page.url.rstrip("/").rsplit("/", 1)[1].split("#")[0])
    assert bid != sid
    expect(page.locator("#branch-origin")).to_contain_text("O'Hara on MS-24")
    r = httpx.post(f"{live.url}/api/scenarios/{bid}/changes", headers=as_nasa, json={"ops": [
        {"op": "assign", "person": "ohara", "up": "MS24", "down": "MS24"}]})
    assert r.status_code == 201, r.text
    page.get_by_role("link", name="compare it with its origin").click()
    page.wait_for_selector("body[data-charts-ready=true]", timeout=30_000)
    assert page.evaluate("() => document.getElementById('chart-compare').data.length") > 0
    expect(page.locator("#difference-lines")).to_contain_text("O'Hara")
    page.screenshot(path=str(ARTIFACTS / "web-branch-compare.png"), full_page=True)
    page.get_by_role("button", name="Propose this branch back").first.click()
    page.wait_for_url(f"**/scenarios/{sid}/crew**")
    expect(page.locator("#change-done")).to_contain_text(f"Applied to scenario {sid}")
