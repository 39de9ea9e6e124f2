"""A single self-contained HTML report: plotly.js is embedded, so it works offline.

Charts: stays per person (grouped and coloured by agency), vehicles docked per
port, people aboard and operators per segment over time. Tables: violations,
seat-exchange ledger. Colours are the Okabe-Ito palette (colour-blind safe).
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from importlib import resources

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from mixedcrew.check import Report
from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day, format_instant
from mixedcrew.report.aboard import timeline_data
from mixedcrew.summary import Summary
from mixedcrew.timeline import Timeline

# Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
           "#999999"]


def _ms(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() * 1000.0


def _colours(keys: list[str]) -> dict[str, str]:
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def stays_figure(s: Scenario, tl: Timeline) -> go.Figure:
    """One bar per stay, one row per person, rows grouped by agency."""
    people = s.person_by_id
    first_start: dict[str, datetime] = {}
    for stay in tl.stays:
        first_start[stay.person] = min(first_start.get(stay.person, stay.start), stay.start)
    counts: dict[str, int] = {}
    for st in tl.stays:
        agency = s.agency_of(st.assignment) or "?"
        counts[agency] = counts.get(agency, 0) + 1
    agencies = sorted(counts, key=lambda a: (-counts[a], a))
    # Eight distinguishable colours for the agencies with most stays; the rest share grey.
    colour = {a: PALETTE[i] if i < 8 else PALETTE[8] for i, a in enumerate(agencies)}
    order = sorted(first_start, key=lambda p: (agencies.index(people[p].agency)
                                               if people[p].agency in agencies else 99, first_start[p]))
    label = _unique_labels({p: f"{people[p].agency} · {people[p].short_name}" for p in order}, s)
    fig = go.Figure()
    for agency in agencies:
        rows = [st for st in tl.stays if (s.agency_of(st.assignment) or "?") == agency]
        if not rows:
            continue
        fig.add_trace(go.Bar(
            name=agency, orientation="h", marker_color=colour[agency],
            y=[label[st.person] for st in rows],
            base=[format_instant(st.start) for st in rows],
            x=[_ms(st.start, st.end) for st in rows],
            # the flight on the bar itself: a planner reads "Crew-5", not a hover
            text=[_ride_label(s, st.up, st.down) for st in rows], textposition="inside",
            insidetextanchor="start", textfont={"size": 9, "color": "#fff"},
            customdata=[[people[st.person].name, st.up, st.down or "(aboard)", format_day(st.start),
                         format_day(st.end)] for st in rows],
            hovertemplate="%{customdata[0]}<br>up %{customdata[1]}, down %{customdata[2]}"
                          "<br>%{customdata[3]} .. %{customdata[4]}<extra>" + agency + "</extra>",
        ))
    fig.update_layout(
        barmode="overlay", height=max(400, 13 * len(order) + 160), xaxis={"type": "date"},
        yaxis={"categoryorder": "array", "categoryarray": [label[p] for p in reversed(order)],
               "tickfont": {"size": 9}, "dtick": 1},
        margin={"l": 220, "r": 20, "t": 110, "b": 40},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"},
        uniformtext={"minsize": 8, "mode": "hide"},  # a label that does not fit its bar is left out
    )
    _mark_horizon(fig, s)
    return fig


def _ride_label(s: Scenario, up: str, down: str | None) -> str:
    flights = s.flight_by_id
    if down is None or down == up:
        return flights[up].label
    return f"{flights[up].label} → {flights[down].label}"


def _vehicle_label(s: Scenario, flight: str) -> str:
    """The flight and the capsule that flew it (Crew-5 · Endurance), or the flight alone."""
    f = s.flight_by_id[flight]
    capsule = s.capsule_by_id.get(f.capsule or "")
    return f"{f.label} · {capsule.name or capsule.id}" if capsule else f.label


def _mark_horizon(fig: go.Figure, s: Scenario) -> None:
    """A dashed line where the data ends: bars reaching it may go on past it."""
    if s.scenario.horizon is None:
        return
    at = format_instant(s.scenario.horizon)
    fig.add_shape(type="line", xref="x", yref="paper", x0=at, x1=at, y0=0, y1=1, name="horizon",
                  line={"color": PALETTE[7], "width": 1, "dash": "dash"})
    fig.add_annotation(x=at, xref="x", yref="paper", y=1, yanchor="bottom", showarrow=False,
                       text=f"data horizon {format_day(s.scenario.horizon)}", font={"size": 10},
                       name="horizon")


def _unique_labels(labels: dict[str, str], s: Scenario) -> dict[str, str]:
    """Row labels by surname, with given names where surnames collide (three NASA Williamses)."""
    counts: dict[str, int] = {}
    for text in labels.values():
        counts[text] = counts.get(text, 0) + 1
    people = s.person_by_id
    return {p: (text if counts[text] == 1 else f"{people[p].agency} · {people[p].name}")
            for p, text in labels.items()}


def ports_figure(s: Scenario, tl: Timeline) -> go.Figure:
    flights = s.flight_by_id
    types = sorted({flights[d.flight].vehicle_type for d in tl.dockings})
    colour = _colours(types)
    fig = go.Figure()
    for vt in types:
        # one bar per port held: a relocated vehicle shows on each of its ports
        rows = [d for d in tl.port_holds if flights[d.flight].vehicle_type == vt]
        name = s.vehicle_type_by_id[vt].name or vt
        fig.add_trace(go.Bar(
            name=name, orientation="h", marker_color=colour[vt],
            y=[d.port or "(no port)" for d in rows],
            base=[format_instant(d.start) for d in rows],
            x=[_ms(d.start, d.end) for d in rows],
            text=[_vehicle_label(s, d.flight) for d in rows], textposition="inside",
            insidetextanchor="start", textfont={"size": 9, "color": "#fff"},
            customdata=[[flights[d.flight].label, format_day(d.start), format_day(d.end)] for d in rows],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} .. %{customdata[2]}<extra>%{y}</extra>",
        ))
    fig.update_layout(barmode="overlay", xaxis={"type": "date"},
                      height=120 + 30 * len({d.port for d in tl.port_holds}),
                      margin={"l": 120, "r": 20, "t": 90, "b": 40},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"},
                      uniformtext={"minsize": 8, "mode": "hide"})
    _mark_horizon(fig, s)
    return fig


def aboard_figure(s: Scenario, tl: Timeline) -> go.Figure:
    fig = go.Figure()
    st = s.stations[0]
    spans = list(tl.spans(st.id))
    xs = [format_instant(sp.start) for sp in spans] + ([format_instant(spans[-1].end)] if spans else [])

    def series(values: list[int]) -> list[int]:
        return values + values[-1:]

    fig.add_trace(go.Scatter(x=xs, y=series([sp.crew for sp in spans]), name="people aboard",
                             line={"shape": "hv", "color": PALETTE[7]}))
    fig.add_trace(go.Scatter(x=xs, y=series([sp.lifeboat_seats for sp in spans]), name="lifeboat seats",
                             line={"shape": "hv", "color": PALETTE[8], "dash": "dot"}))
    for i, seg in enumerate(st.segments):
        fig.add_trace(go.Scatter(x=xs, y=series([sp.operators.get(seg.id, 0) for sp in spans]),
                                 name=f"{seg.id} operators",
                                 line={"shape": "hv", "color": PALETTE[i], "dash": "dash"}))
    fig.update_layout(height=380, xaxis={"type": "date", "rangeslider": {"visible": True}},
                      margin={"l": 60, "r": 20, "t": 90, "b": 40},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"})
    _mark_horizon(fig, s)
    return fig


def html_table(head: list[str], rows: list[list[str]]) -> str:
    """A plain table, every cell escaped (shared by the report and the what-if page)."""
    th = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


PAGE_CSS = """body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1400px; color: #111;
        padding: 0 1rem; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
"""


REPORT_CSS = """.facts li { margin: 0.2rem 0; }
footer { font-size: 0.8rem; color: #444; margin-top: 2rem; }
"""


def page_head(title: str, extra_css: str = "") -> str:
    """The standalone page's head: plotly inlined (nothing loads from another host) and the
    shared style; `title` is already escaped."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script>{get_plotlyjs()}</script>
<style>
{PAGE_CSS}{extra_css}</style></head>
"""


def render_report(s: Scenario, tl: Timeline, report: Report, summary: Summary) -> str:
    figs = [stays_figure(s, tl), ports_figure(s, tl), aboard_figure(s, tl)]
    # The library goes in <head> once, so the charts may appear in any order.
    charts = [pio.to_html(f, full_html=False, include_plotlyjs=False, config={"responsive": True},
                          div_id=div) for f, div in zip(figs, ("chart-stays", "chart-ports", "chart-aboard"),
                                                        strict=True)]
    facts = [
        f"{summary.flights} flights, {summary.people} people, {summary.rides} rides",
    ]
    if summary.peak:
        facts.append(f"peak aboard {summary.peak[0]} on {format_day(summary.peak[1])}")
    if summary.minimum:
        facts.append(f"minimum aboard {summary.minimum[0]} (latest on {format_day(summary.minimum[1])})")
    violations = html_table(
        ["rule", "from", "until", "flights", "people", "what"],
        [[v.rule, format_instant(v.start), format_instant(v.end), ", ".join(v.flights),
          ", ".join(s.person_by_id[p].short_name if p in s.person_by_id else p for p in v.people),
          v.message] for v in report.violations],
    ) if report.violations else "<p>No rule is broken.</p>"
    ledgers = ""
    for ledger in summary.ledgers:
        a, b = ledger.parties
        rows = [[str(y), str(r[a]), str(r[b])] for y, r in ledger.per_year.items()]
        tot = ledger.totals()
        rows.append(["total", str(tot[a]), str(tot[b])])
        ledgers += f"<h3>{html.escape(ledger.agreement)}</h3>" + html_table(
            ["year", f"{a} seats on {b} vehicles", f"{b} seats on {a} vehicles"], rows)
    by_rule = ", ".join(f"{r} {n}" for r, n in summary.violations.items() if n) or "none"
    title = html.escape(summary.name or "mixedcrew report")
    attribution = html.escape(s.scenario.attribution)
    head = page_head(title, REPORT_CSS)
    return f"""{head}<body>
<header><h1>{title}</h1>
<ul class="facts">{"".join(f"<li>{html.escape(f)}</li>" for f in facts)}
<li>violations: {html.escape(by_rule)}</li></ul></header>
<main>
{_controls(s, tl)}
<section><h2>People aboard, lifeboat seats and operators per segment</h2>{charts[2]}</section>
<section><h2>Stays aboard, by person (grouped by agency)</h2>{charts[0]}</section>
<section><h2>Vehicles docked, by port</h2>{charts[1]}</section>
<section><h2>Violations</h2>{violations}</section>
<section><h2>Seat exchange</h2>{ledgers or "<p>No agreement in this scenario.</p>"}</section>
</main>
<footer>Made by mixedcrew. {attribution}</footer>
{_scripts(s, tl)}
</body></html>
"""


def _controls(s: Scenario, tl: Timeline) -> str:
    """The row filter and the date picker over the charts (the page's script makes them work)."""
    agencies = sorted({s.agency_of(st.assignment) or "?" for st in tl.stays})
    options = "".join(f'<option value="{html.escape(a)}">{html.escape(a)}</option>' for a in agencies)
    spans = list(tl.spans()) if s.stations else []
    bounds = f' min="{format_day(spans[0].start)}" max="{format_day(spans[-1].end)}"' if spans else ""
    return f"""<section id="timeline-controls"><h2>Find people and dates</h2>
<p>Zoom any chart (drag across it) and all charts follow; the stays chart keeps the people aboard in the
range shown. Double-click a chart for the whole time range.</p>
<form id="chart-filter" hidden><label for="filter-agency">Agency</label>
<select id="filter-agency" name="agency"><option value="">all agencies</option>{options}</select>
<label for="filter-name">Name</label><input id="filter-name" name="name" type="search">
<button type="submit">Filter the rows</button></form>
<form id="aboard-form"><label for="aboard-at">Who is aboard on (00:00 UTC)</label>
<input id="aboard-at" name="at" type="date" required{bounds}>
<button type="submit">Show who is aboard</button></form>
<div id="aboard-panel" aria-live="polite"></div></section>"""


def _scripts(s: Scenario, tl: Timeline) -> str:
    """timeline.js and the spans it looks dates up in, inline: the report loads nothing."""
    data = json.dumps(timeline_data(s, tl), separators=(",", ":")).replace("</", "<\\/")
    code = (resources.files("mixedcrew.report") / "timeline.js").read_text(encoding="utf-8")
    start = """window.addEventListener("load", () => {
  const byId = (id) => document.getElementById(id);
  window.mixedcrewCharts = MixedcrewTimeline.attach({
    charts: ["chart-stays", "chart-ports", "chart-aboard"].map(byId), stays: byId("chart-stays"),
    data: JSON.parse(byId("timeline-data").textContent), panel: byId("aboard-panel"),
    dateForm: byId("aboard-form"), filterForm: byId("chart-filter")});
  document.body.dataset.chartsReady = "true";
});"""
    return (f'<script type="application/json" id="timeline-data">{data}</script>\n'
            f"<script>{code}</script>\n<script>{start}</script>")
