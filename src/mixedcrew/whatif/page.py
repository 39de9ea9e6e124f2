"""One standalone HTML page with two manifests on the same time axis, differences marked.

plotly.js is embedded (the page works offline), as in report/html.py. Each
person who is aboard in either manifest after the change has one row and
two bars: the old stay (grey, thin) and the new one (coloured by agency);
a stay that changed is outlined in red. Docked vehicles get the same pair
per flight. Tables below: the changes, rule violations before and after,
and the risk figures side by side.
"""

from __future__ import annotations

import html
from datetime import datetime

import plotly.graph_objects as go
import plotly.io as pio

from mixedcrew.domain import Scenario
from mixedcrew.instants import format_day, format_instant
from mixedcrew.report.html import PALETTE, html_table, page_head
from mixedcrew.timeline import Timeline
from mixedcrew.whatif.diff import ManifestDiff

CHANGED = "#D00000"
OLD = "#B0B0B0"


def _ms(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() * 1000.0


def _name(s: Scenario, pid: str) -> str:
    p = s.person_by_id.get(pid)
    return f"{p.agency} · {p.short_name}" if p else pid


def timeline_figure(a: Scenario, b: Scenario, diff: ManifestDiff, since: datetime | None,
                    names: tuple[str, str]) -> go.Figure:
    """Stays (one row per person) and dockings (one row per flight), old and new on one axis."""
    changed = {c.person for c in diff.stays}
    moved = {c.flight for c in diff.flights}
    stays_a, stays_b = Timeline(a).stays, Timeline(b).stays
    keep = [x for x in (*stays_a, *stays_b) if since is None or x.end >= since]
    people = list(dict.fromkeys(x.person for x in sorted(keep, key=lambda x: x.start)))
    agencies = sorted({(b.person_by_id.get(p) or a.person_by_id[p]).agency for p in people})
    colour = {ag: PALETTE[i % 8] for i, ag in enumerate(agencies)}
    fig = go.Figure()
    rows: list[str] = []
    for label, stays, old in ((names[0], stays_a, True), (names[1], stays_b, False)):
        for pid in people:
            mine = [x for x in stays if x.person == pid and (since is None or x.end >= since)]
            if not mine:
                continue
            row = _name(b if pid in b.person_by_id else a, pid)
            if row not in rows:
                rows.append(row)
            agency = (b.person_by_id.get(pid) or a.person_by_id[pid]).agency
            fig.add_trace(go.Bar(
                orientation="h", y=[row] * len(mine), base=[format_instant(x.start) for x in mine],
                x=[_ms(x.start, x.end) for x in mine], offsetgroup=label, name=label,
                legendgroup=label, showlegend=False, width=0.35 if old else 0.6,
                marker={"color": OLD if old else colour[agency],
                        "line": {"color": CHANGED if pid in changed and not old else "rgba(0,0,0,0)",
                                 "width": 2}},
                hovertemplate=f"{html.escape(label)}: %{{y}}<br>%{{customdata}}<extra></extra>",
                customdata=[f"up {x.up}, down {x.down or '(aboard)'}: {format_day(x.start)} .. "
                            f"{format_day(x.end)}" for x in mine]))
    for label, s, old in ((names[0], a, True), (names[1], b, False)):
        tl = Timeline(s)
        for d in tl.dockings:
            if since is not None and d.end < since:
                continue
            row = f"flight · {s.flight_by_id[d.flight].label}"
            if row not in rows:
                rows.append(row)
            fig.add_trace(go.Bar(
                orientation="h", y=[row], base=[format_instant(d.start)], x=[_ms(d.start, d.end)],
                offsetgroup=label, showlegend=False, width=0.35 if old else 0.6,
                marker={"color": OLD if old else "#0072B2",
                        "line": {"color": CHANGED if d.flight in moved and not old else "rgba(0,0,0,0)",
                                 "width": 2}},
                hovertemplate=f"{html.escape(label)}: {d.flight} docked {format_day(d.start)} .. "
                              f"{format_day(d.end)}<extra></extra>"))
    for label, colour_ in ((f"{names[0]} (grey, thin)", OLD), (f"{names[1]} (coloured)", "#0072B2"),
                           ("changed (red outline)", CHANGED)):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker={"color": colour_, "symbol": "square", "size": 12}))
    fig.update_layout(barmode="overlay", height=max(400, 22 * len(rows) + 160), xaxis={"type": "date"},
                      yaxis={"categoryorder": "array", "categoryarray": list(reversed(rows)),
                             "tickfont": {"size": 10}, "dtick": 1},
                      margin={"l": 240, "r": 20, "t": 60, "b": 40},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"})
    return fig


def render_page(title: str, a: Scenario, b: Scenario, diff: ManifestDiff, *, since: datetime | None = None,
                names: tuple[str, str] = ("before", "after"), summary: list[str] | None = None,
                figures: list[tuple[str, list[str]]] | None = None, columns: list[str] | None = None) -> str:
    """The page as a string (the caller writes it atomically)."""
    chart = pio.to_html(timeline_figure(a, b, diff, since, names), full_html=False, include_plotlyjs=False,
                        config={"responsive": True})
    changes = html_table(["change"], [[line] for line in diff.lines(names)])
    violations = html_table(["in", "rule", "from", "until", "what"],
                        [[names[1], v.rule, format_instant(v.start), format_instant(v.end), v.message]
                         for v in diff.violations_added()]
                        + [[names[0], v.rule, format_instant(v.start), format_instant(v.end), v.message]
                           for v in diff.violations_gone()])
    risk = html_table(["figure", *(columns or [])], [[k, *v] for k, v in figures]) if figures else ""
    intro = "".join(f"<li>{html.escape(line)}</li>" for line in (summary or []))
    t = html.escape(title)
    return f"""{page_head(t)}<body>
<header><h1>{t}</h1><ul>{intro}</ul></header>
<main>
<section><h2>Both manifests on one time axis</h2>{chart}</section>
<section><h2>What changes</h2>{changes}</section>
<section><h2>Rule violations only in one of them</h2>{violations}</section>
<section><h2>Risk, side by side (95% intervals)</h2>{risk or "<p>No risk run (--trials 0).</p>"}</section>
</main>
<footer>Made by mixedcrew.</footer>
</body></html>
"""
