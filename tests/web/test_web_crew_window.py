"""The crew page shows a window of flights (default: open and future ones), seats grouped by flight."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'mixedcrew[web]'")

from webtools import ISS  # noqa: E402

from mixedcrew.io.scenario_file import load_scenario  # noqa: E402
from mixedcrew.web.editing.window import crew_window, parse_bound  # noqa: E402

HTML = {"accept": "text/html"}
BUDGET_BYTES = 300_000  # issue 12: the ISS crew page under 300 KB


@pytest.fixture(scope="module")
def iss():  # type: ignore[no-untyped-def]
    return load_scenario(ISS)


def test_bounds_are_years_or_dates_and_until_is_inclusive():
    """'2024' starts the year, or (until) ends it; a date likewise; anything else names the field."""
    assert parse_bound("2024", "from", end=False) == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_bound("2024", "until", end=True) == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_bound("2024-02-29", "until", end=True) == datetime(2024, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"from: '24' is not a year or a date: write 2024 or 2024-03-01"):
        parse_bound("24", "from", end=False)
    with pytest.raises(ValueError, match=r"until: '2023-02-30' is not a date"):
        parse_bound("2023-02-30", "until", end=True)


def test_default_window_is_what_is_still_to_fly_or_else_the_last_year(iss):
    """Before the data ends: flights not landed by now; after it (a history): its last year."""
    mid = crew_window(iss, None, None, datetime(2023, 6, 1, tzinfo=UTC))
    shown = [f.id for f in iss.flights if mid.holds(f)]
    assert "MS23" in shown and "MS24" in shown and "MS22" not in shown  # MS-22 landed 2023-03-28
    assert not mid.chosen and "from 2023-06-01" in mid.why
    # Flights still docked at the horizon stay "aboard"; a history of landed flights only:
    landed = iss.model_copy(update={"flights": [f for f in iss.flights if f.land is not None]})
    late = crew_window(landed, None, None, datetime(2040, 1, 1, tzinfo=UTC))
    assert late.start is not None and "the last year of the data" in late.why
    assert 0 < sum(late.holds(f) for f in landed.flights) < len(landed.flights) // 4


def test_a_chosen_window_keeps_the_flights_overlapping_it(iss):
    w = crew_window(iss, "2023", "2023", datetime(2030, 1, 1, tzinfo=UTC))
    shown = {f.id for f in iss.flights if w.holds(f)}
    assert {"MS22", "MS23", "MS24"} <= shown and w.chosen
    assert all((f.launch or f.dock) < datetime(2024, 1, 1, tzinfo=UTC) for f in iss.flights if f.id in shown
               if (f.launch or f.dock))
    assert w.form_value("from") == "2023-01-01" and w.form_value("until") == "2023-12-31"
    with pytest.raises(ValueError, match="until: '2022' is before from '2023'"):
        crew_window(iss, "2023", "2022", datetime(2030, 1, 1, tzinfo=UTC))


def test_iss_crew_page_is_within_budget_and_groups_seats_by_flight(client):
    """The ISS crew page by default: under 300 KB, one row per flight shown, a window form;
    the whole history is still there when asked for, and the choice survives a change."""
    sid = client.post("/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())}).json()["id"]
    page = client.get(f"/scenarios/{sid}/crew", headers=HTML)
    assert page.status_code == 200
    assert len(page.content) < BUDGET_BYTES
    rows = re.findall(r'<tr data-flight="([^"]+)">', page.text)
    assert rows and len(rows) == len(set(rows))  # a flight is one row, its seats inside
    assert 'id="window-form"' in page.text and f"{len(rows)} of " in page.text
    year = client.get(f"/scenarios/{sid}/crew?from=2023&until=2023", headers=HTML)
    assert year.status_code == 200 and '<tr data-flight="MS23">' in year.text
    assert '<tr data-flight="MS23">' not in page.text or "MS23" in rows
    everything = client.get(f"/scenarios/{sid}/crew?from=1998&until=2030", headers=HTML)
    assert len(re.findall(r'<tr data-flight="', everything.text)) > len(rows)
    r = client.post(f"/scenarios/{sid}/crew", headers=HTML, follow_redirects=False,
                    data={"op": "set_availability", "person": "AS-00636", "from": "2000-01-01",
                          "window_from": "2023-01-01", "window_until": "2023-12-31"})
    assert r.status_code == 303 and r.headers["location"].endswith("&from=2023-01-01&until=2023-12-31")
    again = client.get(r.headers["location"], headers=HTML)
    assert 'id="change-done"' in again.text and '<tr data-flight="MS23">' in again.text
    assert 'name="window_from" value="2023-01-01"' in again.text


def test_a_bad_window_is_a_422_page_naming_the_field(client):
    sid = client.post("/api/scenarios", files={"file": ("iss.toml", ISS.read_bytes())}).json()["id"]
    r = client.get(f"/scenarios/{sid}/crew?from=2023-13-01", headers=HTML)
    assert r.status_code == 422 and "from: &#39;2023-13-01&#39; is not a date" in r.text
    assert 'id="seat-list"' in r.text  # the default window is shown beside the problem
