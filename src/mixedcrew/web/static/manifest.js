// Charts of a manifest page: plotly figures fetched from the JSON API, and
// "Show on chart" links that zoom every chart to a violation's span.
"use strict";
(function () {
  const DAY_MS = 86400e3;
  const HIGHLIGHT = {fill: "rgba(213, 94, 0, 0.18)", line: "#D55E00"};  // Okabe-Ito vermillion
  const charts = Array.from(document.querySelectorAll(".chart[data-figure]"));
  const status = document.getElementById("span-status");
  const reset = document.getElementById("reset-zoom");
  const drawn = [];

  async function draw(el) {
    const response = await fetch(el.dataset.figure, {headers: {Accept: "application/json"}});
    if (!response.ok) {
      el.textContent = "The chart could not be loaded (" + response.status + ").";
      return;
    }
    const fig = await response.json();
    await Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    el.dataset.drawn = "true";
  }

  function spanOf(link) {
    const start = Date.parse(link.dataset.start);
    let end = Date.parse(link.dataset.end);
    if (end <= start) end = start + DAY_MS;  // an instant: a day wide, so it can be seen
    return [start, end];
  }

  function iso(ms) {
    return new Date(ms).toISOString();
  }

  // Rows (people) of the stays chart with a bar overlapping [start, end), in the chart's order.
  function rowsDuring(el, start, end) {
    const hit = new Set();
    for (const trace of el.data) {
      (trace.y || []).forEach((row, i) => {
        const from = Date.parse(trace.base[i]);
        if (from < end && from + trace.x[i] > start) hit.add(row);
      });
    }
    return el.layout.yaxis.categoryarray.filter((row) => hit.has(row));
  }

  // The stays chart is one row per person over decades: for a span, show only
  // the rows of people aboard then, tall enough to read, and give it all back after.
  function focusRows(el, start, end, update) {
    if (!el._mcWhole) {
      el._mcWhole = {rows: el.layout.yaxis.categoryarray.slice(), height: el.layout.height};
    }
    el.layout.yaxis.categoryarray = el._mcWhole.rows;
    const rows = rowsDuring(el, start, end);
    if (!rows.length) return 0;
    Object.assign(update, {"yaxis.categoryarray": rows, "yaxis.range": [-0.5, rows.length - 0.5],
                           height: Math.max(320, 24 * rows.length + 180)});
    return rows.length;
  }

  function showSpan(link, scroll) {
    const [start, end] = spanOf(link);
    const pad = Math.max((end - start) * 0.5, 20 * DAY_MS);
    const shape = {type: "rect", xref: "x", yref: "paper", x0: iso(start), x1: iso(end), y0: 0, y1: 1,
                   fillcolor: HIGHLIGHT.fill, line: {color: HIGHLIGHT.line, width: 2}, layer: "above"};
    let people = 0;
    for (const el of charts) {
      if (el.dataset.drawn !== "true") continue;
      const update = {"xaxis.range": [iso(start - pad), iso(end + pad)], shapes: [shape]};
      if (el.id === "chart-stays") people = focusRows(el, start - pad, end + pad, update);
      Plotly.relayout(el, update);
    }
    document.querySelectorAll("#violation-list tr.selected").forEach((tr) => tr.classList.remove("selected"));
    const row = link.closest("tr");
    if (row) row.classList.add("selected");
    if (status) {
      status.textContent = "Showing " + link.dataset.rule + " from " + link.dataset.start + " until " +
        link.dataset.end + " on the charts, with the " + people + " people aboard around then.";
    }
    if (reset) reset.hidden = false;
    if (scroll) document.getElementById("charts").scrollIntoView({block: "start"});
  }

  function showAll() {
    for (const el of charts) {
      if (el.dataset.drawn !== "true") continue;
      const update = {"xaxis.autorange": true, shapes: []};
      if (el._mcWhole) {
        Object.assign(update, {"yaxis.categoryarray": el._mcWhole.rows, "yaxis.autorange": true,
                               height: el._mcWhole.height});
      }
      Plotly.relayout(el, update);
    }
    if (status) status.textContent = "Showing the whole time range.";
    if (reset) reset.hidden = true;
  }

  document.querySelectorAll("a.show-span").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
      showSpan(link, true);
    });
  });
  if (reset) reset.addEventListener("click", showAll);

  Promise.all(charts.map(draw)).then(() => {
    document.body.dataset.chartsReady = "true";
    const row = window.location.hash && document.getElementById(
      decodeURIComponent(window.location.hash.slice(1)));
    const target = row && row.querySelector("a.show-span");
    if (target) showSpan(target, false);
  });
})();
